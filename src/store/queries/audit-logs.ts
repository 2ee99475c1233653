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
