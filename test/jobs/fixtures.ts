import { createHash, randomBytes } from 'node:crypto';
import pino from 'pino';
import { loadOperationsSettings, type OperationsSettings } from '../../src/config/operations.js';
import type { JobContext, JobDefinition } from '../../src/jobs/job.js';
import type { Database, Queryable } from '../../src/store/database.js';

export const silentLog = pino({ level: 'silent' });

export function jobSettings(env: Record<string, string> = {}): OperationsSettings['jobs'] {
  return loadOperationsSettings(env).jobs;
}

/** Runs a job's body directly and keeps every batch's row count, to see the batch bound at work. */
export async function runBody(job: JobDefinition, db: Database, settings = jobSettings()) {
  const batches: number[] = [];
  const ctx: JobContext = {
    db,
    settings,
    log: silentLog,
    signal: new AbortController().signal,
    changed: (n) => batches.push(n),
  };
  await job.run(ctx);
  return { batches, total: batches.reduce((a, b) => a + b, 0) };
}

/** An interval literal relative to now, e.g. ago('100 days'). */
type Ago = string;

export async function insertJourney(
  db: Queryable,
  j: { createdAgo?: Ago; expiresIn?: string; outcome?: string | null } = {},
): Promise<string> {
  const { rows } = await db.query<{ context_id: string }>(
    `INSERT INTO auth_contexts (cupid, app_id, app_version, ip_address, created_at, expires_at, auth_outcome, completed_at)
     VALUES ('CUPID_JOB_TEST', 'test', '1.0', '192.0.2.1',
             now() - $1::interval, now() + $2::interval, $3::varchar, CASE WHEN $3::varchar IS NULL THEN NULL ELSE now() END)
     RETURNING context_id`,
    [j.createdAgo ?? '0 seconds', j.expiresIn ?? '15 minutes', j.outcome ?? null],
  );
  return rows[0]!.context_id;
}

export async function insertStep(db: Queryable, contextId: string, expiresIn: string, phase = 'MFA'): Promise<string> {
  const { rows } = await db.query<{ transaction_id: string }>(
    `INSERT INTO auth_transactions (context_id, transaction_type, sequence_number, phase, expires_at)
     VALUES ($1, $2, 1, $3, now() + $4::interval) RETURNING transaction_id`,
    [contextId, phase === 'MFA' ? 'MFA_INITIATE' : 'ESIGN_PRESENT', phase, expiresIn],
  );
  return rows[0]!.transaction_id;
}

export async function insertSession(
  db: Queryable,
  contextId: string,
  s: { status?: string; expiresIn?: string; endedAgo?: Ago } = {},
): Promise<string> {
  const status = s.status ?? 'ACTIVE';
  const { rows } = await db.query<{ session_id: string }>(
    `INSERT INTO sessions (context_id, cupid, ip_address, status, expires_at, ended_at, revoked_at, revoked_by)
     VALUES ($1, 'CUPID_JOB_TEST', '192.0.2.1', $2::session_status, now() + $3::interval,
             CASE WHEN $4::interval IS NULL THEN NULL ELSE now() - $4::interval END,
             CASE WHEN $2 = 'REVOKED' THEN now() - coalesce($4::interval, interval '0') END,
             CASE WHEN $2 = 'REVOKED' THEN 'SYSTEM' END)
     RETURNING session_id`,
    [contextId, status, s.expiresIn ?? '30 days', s.endedAgo ?? null],
  );
  return rows[0]!.session_id;
}

export async function insertToken(db: Queryable, sessionId: string, type: string, expiresIn: string, status = 'ACTIVE') {
  const hash = createHash('sha256').update(randomBytes(16)).digest('hex');
  await db.query(
    `INSERT INTO tokens (session_id, token_type, token_value_hash, status, expires_at, rotated_at)
     VALUES ($1, $2::token_type, $3, $4::token_status, now() + $5::interval, CASE WHEN $4 = 'ROTATED' THEN now() END)`,
    [sessionId, type, hash, status, expiresIn],
  );
}

export async function insertDrs(db: Queryable, contextId: string, createdAgo: Ago, risk = 20) {
  await db.query(
    `INSERT INTO drs_evaluations (context_id, cupid, action_token_hash, recommendation, risk_score, raw_response, created_at)
     VALUES ($1, 'CUPID_JOB_TEST', $2, 'ALLOW', $3, '{}'::jsonb, now() - $4::interval)`,
    [contextId, 'a'.repeat(64), risk, createdAgo],
  );
}

export async function count(db: Queryable, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
  return rows[0]!.n;
}
