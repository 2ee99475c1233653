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

/** The event columns of an audit row that a statement writes beside its change. */
export interface AuditEventColumns {
  eventType: string;
  category: string;
  severity: string;
}

/** An audit row's columns as SQL expressions (parameters, columns of a statement's rows, casts). */
export type AuditRowSql = { [K in keyof AuditRowInput]: string };

/**
 * The one place that names audit_logs' columns: `INSERT INTO audit_logs (…)` followed by
 * `VALUES (…)` or `SELECT …` with the expressions in that order. Used by insertAuditRow and by the
 * statements that write their audit row beside their change (session-opening.ts,
 * refresh-rotation.ts, code-settlement.ts; the reason is in docs/schema.md, "How audit rows are
 * written").
 */
export function auditInsert(values: AuditRowSql, source: (expressions: string) => string): string {
  const columns: [string, string][] = [
    ['event_type', values.eventType],
    ['event_category', values.category],
    ['severity', values.severity],
    ['cupid', values.cupid],
    ['context_id', values.contextId],
    ['transaction_id', values.transactionId],
    ['session_id', values.sessionId],
    ['correlation_id', values.correlationId],
    ['ip_address', values.ipAddress],
    ['user_agent', values.userAgent],
    ['event_data', values.data],
  ];
  return `INSERT INTO audit_logs (${columns.map(([c]) => c).join(', ')})
  ${source(columns.map(([, v]) => v).join(', '))}`;
}

const insertOne = auditInsert(
  {
    eventType: '$1',
    category: '$2',
    severity: '$3',
    cupid: '$4',
    contextId: '$5',
    transactionId: '$6',
    sessionId: '$7',
    correlationId: '$8',
    ipAddress: '$9',
    userAgent: '$10',
    data: '$11',
  },
  (expressions) => `VALUES (${expressions})`,
);

export async function insertAuditRow(db: Queryable, row: AuditRowInput): Promise<void> {
  await db.query({
    name: 'audit_insert',
    text: insertOne,
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
