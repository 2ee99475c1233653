import type { Queryable } from '../store/database.js';
import { insertAuditRow } from '../store/queries/audit-logs.js';
import { AUDIT_EVENTS, type AuditEventType, type AuditSeverity } from './events.js';

/** Who and where a request came from; carried into every audit row it causes. */
export interface RequestOrigin {
  correlationId: string;
  ipAddress: string;
  userAgent?: string;
  clientId?: string;
}

export interface AuditEntry {
  type: AuditEventType;
  origin?: RequestOrigin;
  cupid?: string | null;
  contextId?: string | null;
  transactionId?: string | null;
  sessionId?: string | null;
  /** Overrides the event's default severity. */
  severity?: AuditSeverity;
  data?: Record<string, unknown>;
}

/**
 * Writes one audit row on `tx`, the caller's transaction, so the row commits or rolls back with
 * the change it describes.
 */
export async function recordAudit(tx: Queryable, entry: AuditEntry): Promise<void> {
  const event = AUDIT_EVENTS[entry.type];
  await insertAuditRow(tx, {
    eventType: entry.type,
    category: event.category,
    severity: entry.severity ?? event.severity,
    cupid: entry.cupid ?? null,
    contextId: entry.contextId ?? null,
    transactionId: entry.transactionId ?? null,
    sessionId: entry.sessionId ?? null,
    correlationId: entry.origin?.correlationId ?? null,
    ipAddress: entry.origin?.ipAddress ?? null,
    userAgent: entry.origin?.userAgent ?? null,
    data: { ...(entry.origin?.clientId ? { client_id: entry.origin.clientId } : {}), ...entry.data },
  });
}
