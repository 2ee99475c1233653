import type { Queryable } from '../database.js';

/**
 * The maintenance functions of the schema (001_schema.sql) as the jobs call them. A bounded one
 * changes at most `limit` rows per call and answers how many, so a job repeats it in short
 * transactions until a call finds less than a batch.
 */
export interface BoundedMaintenance {
  /** The database function, named in the jobs' logs. */
  readonly fn: string;
  call(tx: Queryable, limit: number): Promise<number>;
}

async function rowsChanged(tx: Queryable, sql: string, params: unknown[]): Promise<number> {
  const { rows } = await tx.query<{ n: number }>(sql, params);
  return Number(rows[0]?.n ?? 0);
}

/** `sql` takes the batch size as $1; `params` follow it. */
function bounded(fn: string, sql: string, params: unknown[] = []): BoundedMaintenance {
  return { fn, call: (tx, limit) => rowsChanged(tx, sql, [limit, ...params]) };
}

/** For the rest of the transaction, a lock not granted within `ms` fails the statement instead of queueing. */
export async function limitLockWait(tx: Queryable, ms: number): Promise<void> {
  await tx.query("SELECT set_config('lock_timeout', $1, true)", [`${ms}ms`]);
}

export const expirePendingSteps = bounded('expire_pending_transactions', 'SELECT expire_pending_transactions($1) AS n');
export const expireJourneys = bounded('expire_auth_contexts', 'SELECT expire_auth_contexts($1) AS n');
export const expireSessions = bounded('expire_sessions', 'SELECT expire_sessions($1) AS n');
export const expireTokens = bounded('expire_tokens', 'SELECT expire_tokens($1) AS n');

export function deleteEndedSessions(retentionDays: number): BoundedMaintenance {
  return bounded('delete_ended_sessions', 'SELECT delete_ended_sessions(make_interval(days => $2), $1) AS n', [retentionDays]);
}

export function deleteOldJourneys(retentionDays: number): BoundedMaintenance {
  return bounded('delete_old_auth_contexts', 'SELECT delete_old_auth_contexts(make_interval(days => $2), $1) AS n', [retentionDays]);
}

export function deleteOldDrsEvaluations(retentionDays: number): BoundedMaintenance {
  return bounded('delete_old_drs_evaluations', 'SELECT delete_old_drs_evaluations(make_interval(days => $2), $1) AS n', [retentionDays]);
}

/** Creates the audit_logs partitions of this month and `monthsAhead` more; answers how many it created. */
export function ensureAuditPartitions(tx: Queryable, monthsAhead: number): Promise<number> {
  return rowsChanged(tx, 'SELECT ensure_audit_partitions($1) AS n', [monthsAhead]);
}

/** Drops the audit_logs partitions whose month ended more than `retentionMonths` ago; answers how many. */
export function dropOldAuditPartitions(tx: Queryable, retentionMonths: number): Promise<number> {
  return rowsChanged(tx, 'SELECT drop_old_audit_partitions(make_interval(months => $1)) AS n', [retentionMonths]);
}
