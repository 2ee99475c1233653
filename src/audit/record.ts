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

/** Told of every audit row written (metrics count events this way); must be quick and must not throw. */
export type AuditListener = (entry: AuditEntry) => void;
const listeners = new Set<AuditListener>();

/** Registers a listener called after each audit insert; returns the function that removes it. */
export function onAuditRecorded(listener: AuditListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
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
  announceAuditRecorded(entry);
}

/**
 * Tells the listeners of a row written by a statement of its own (a hot path that writes its
 * audit row inside the same SQL statement as the change) rather than by recordAudit.
 */
export function announceAuditRecorded(entry: AuditEntry): void {
  for (const listener of listeners) {
    try {
      listener(entry);
    } catch {
      // An observer's fault must never fail the audited change.
    }
  }
}
