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

/** A customer's audit timeline, newest first (idx_audit_cupid_time). */
export async function auditPage(
  db: Queryable,
  q: { cupid: string; from?: string; to?: string; after?: PagePosition; limit: number },
): Promise<AuditEventRow[]> {
  const { rows } = await db.query<AuditEventRow>(
    `SELECT audit_id, event_type, event_category, severity, context_id, transaction_id, session_id, correlation_id,
            host(ip_address) AS ip_address, user_agent, event_data, ${isoMicros('created_at')} AS created_at
     FROM audit_logs
     WHERE cupid = $1
       AND ($2::timestamptz IS NULL OR created_at >= $2)
       AND ($3::timestamptz IS NULL OR created_at < $3)
       AND ($4::timestamptz IS NULL OR (created_at, audit_id) < ($4::timestamptz, $5::uuid))
     ORDER BY created_at DESC, audit_id DESC
     LIMIT $6`,
    [q.cupid, q.from ?? null, q.to ?? null, q.after?.at ?? null, q.after?.id ?? null, q.limit],
  );
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
export async function highRiskPage(
  db: Queryable,
  q: { from?: string; to?: string; minScore: number; after?: PagePosition; limit: number },
): Promise<HighRiskLoginRow[]> {
  const { rows } = await db.query<HighRiskLoginRow>(
    `SELECT evaluation_id, context_id, cupid, recommendation, risk_score, signals, left(device_id, 8) AS device_id,
            host(ip_address) AS ip_address, auth_outcome, completed_at, ${isoMicros('created_at')} AS created_at
     FROM v_high_risk_logins
     WHERE risk_score >= $1
       AND ($2::timestamptz IS NULL OR created_at >= $2)
       AND ($3::timestamptz IS NULL OR created_at < $3)
       AND ($4::timestamptz IS NULL OR (created_at, evaluation_id) < ($4::timestamptz, $5::uuid))
     ORDER BY created_at DESC, evaluation_id DESC
     LIMIT $6`,
    [q.minScore, q.from ?? null, q.to ?? null, q.after?.at ?? null, q.after?.id ?? null, q.limit],
  );
  return rows;
}
