import type { Queryable } from '../database.js';

/**
 * Keyset pages for the agent API. Positions are carried as microsecond-exact UTC text: a JS Date
 * keeps milliseconds only, and a position rounded to the millisecond would skip or repeat rows.
 */
const isoMicros = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export interface PagePosition {
  at: string;
  id: string;
}

/** One page of a report: its time range, the position after the previous page, its size. */
export interface KeysetPage {
  from?: string;
  to?: string;
  after?: PagePosition;
  limit: number;
}

/**
 * The end of a page query over rows ordered by (created_at, `id`), newest first: the time range
 * ($2, $3), the position after the previous page ($4, $5) and the page size ($6). $1 is the query's own.
 */
function newestFirstPage(id: string): string {
  return `AND ($2::timestamptz IS NULL OR created_at >= $2)
       AND ($3::timestamptz IS NULL OR created_at < $3)
       AND ($4::timestamptz IS NULL OR (created_at, ${id}) < ($4::timestamptz, $5::uuid))
     ORDER BY created_at DESC, ${id} DESC
     LIMIT $6`;
}

function pageValues(q: KeysetPage): unknown[] {
  return [q.from ?? null, q.to ?? null, q.after?.at ?? null, q.after?.id ?? null, q.limit];
}

export interface AuditEventRow {
  audit_id: string;
  event_type: string;
  event_category: string;
  severity: string;
  context_id: string | null;
  transaction_id: string | null;
  session_id: string | null;
  correlation_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  event_data: Record<string, unknown>;
  created_at: string;
}

/**
 * A customer's audit timeline, newest first (idx_audit_cupid_time). Named, so each connection plans
 * it once: planning a query over every monthly partition of a two-year log (each with its indexes)
 * costs more than running it.
 */
export async function auditPage(db: Queryable, q: KeysetPage & { cupid: string }): Promise<AuditEventRow[]> {
  const { rows } = await db.query<AuditEventRow>({
    name: 'agent_audit_page',
    text: `SELECT audit_id, event_type, event_category, severity, context_id, transaction_id, session_id, correlation_id,
            host(ip_address) AS ip_address, user_agent, event_data, ${isoMicros('created_at')} AS created_at
     FROM audit_logs
     WHERE cupid = $1
       ${newestFirstPage('audit_id')}`,
    values: [q.cupid, ...pageValues(q)],
  });
  return rows;
}

export interface HighRiskLoginRow {
  evaluation_id: string;
  context_id: string;
  cupid: string;
  recommendation: string;
  risk_score: number;
  signals: unknown;
  device_id: string | null;
  ip_address: string;
  auth_outcome: string | null;
  completed_at: Date | null;
  created_at: string;
}

/** Logins the device-risk service scored 70 or more (v_high_risk_logins), newest first; the device as an 8-hex label of its keyed hash. */
export async function highRiskPage(db: Queryable, q: KeysetPage & { minScore: number }): Promise<HighRiskLoginRow[]> {
  const { rows } = await db.query<HighRiskLoginRow>(
    `SELECT evaluation_id, context_id, cupid, recommendation, risk_score, signals, left(device_id, 8) AS device_id,
            host(ip_address) AS ip_address, auth_outcome, completed_at, ${isoMicros('created_at')} AS created_at
     FROM v_high_risk_logins
     WHERE risk_score >= $1
       ${newestFirstPage('evaluation_id')}`,
    [q.minScore, ...pageValues(q)],
  );
  return rows;
}
