import type { Queryable } from '../database.js';

export interface AuditRowInput {
  eventType: string;
  category: string;
  severity: string;
  cupid: string | null;
  contextId: string | null;
  transactionId: string | null;
  sessionId: string | null;
  correlationId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
}

export async function insertAuditRow(db: Queryable, row: AuditRowInput): Promise<void> {
  await db.query({
    name: 'audit_insert',
    text: `INSERT INTO audit_logs (event_type, event_category, severity, cupid, context_id, transaction_id,
             session_id, correlation_id, ip_address, user_agent, event_data)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    values: [
      row.eventType,
      row.category,
      row.severity,
      row.cupid,
      row.contextId,
      row.transactionId,
      row.sessionId,
      row.correlationId,
      row.ipAddress,
      row.userAgent,
      JSON.stringify(row.data),
    ],
  });
}

export interface AuditRow {
  audit_id: string;
  event_type: string;
  event_category: string;
  severity: string;
  cupid: string | null;
  context_id: string | null;
  transaction_id: string | null;
  session_id: string | null;
  correlation_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  event_data: Record<string, unknown>;
  created_at: Date;
}

/** A customer's audit timeline, newest first, keyset-paged on (created_at, audit_id). */
export async function auditTimeline(
  db: Queryable,
  q: { cupid: string; from?: Date; to?: Date; before?: { createdAt: Date; auditId: string }; limit: number },
): Promise<AuditRow[]> {
  const { rows } = await db.query<AuditRow>(
    `SELECT * FROM audit_logs
     WHERE cupid = $1
       AND ($2::timestamptz IS NULL OR created_at >= $2)
       AND ($3::timestamptz IS NULL OR created_at < $3)
       AND ($4::timestamptz IS NULL OR (created_at, audit_id) < ($4, $5::uuid))
     ORDER BY created_at DESC, audit_id DESC
     LIMIT $6`,
    [q.cupid, q.from ?? null, q.to ?? null, q.before?.createdAt ?? null, q.before?.auditId ?? null, q.limit],
  );
  return rows;
}
