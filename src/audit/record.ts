import type { Queryable } from '../store/database.js';
import { insertAuditRow } from '../store/queries/audit-logs.js';
import { AUDIT_EVENTS, type AuditCategory, type AuditEventType, type AuditSeverity } from './events.js';

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

/** What every audit row carries from the request beside the event's own data: the asking client. */
export function originData(origin: RequestOrigin | undefined): { client_id?: string } {
  return origin?.clientId ? { client_id: origin.clientId } : {};
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
    data: { ...originData(entry.origin), ...entry.data },
  });
  announce(entry);
}

/** The event columns of an audit row that a statement writes itself (see recordAuditInStatement). */
export interface StatementAuditEvent {
  eventType: AuditEventType;
  category: AuditCategory;
  severity: AuditSeverity;
}

/**
 * The other way an audit row is written: by the statement that makes the change, inside that same
 * statement (the login's completion and the batched refresh, one statement each for speed — see
 * docs/schema.md, "How audit rows are written"). `write` runs the statement with the event's
 * columns; `written` names the rows its result stands for, and the listeners are told of each,
 * as recordAudit tells them of its own. The rows' SQL is built by `auditInsert`, beside
 * recordAudit's in store/queries/audit-logs.ts.
 */
export async function recordAuditInStatement<R>(
  type: AuditEventType,
  write: (event: StatementAuditEvent) => Promise<R>,
  written: (result: R) => Omit<AuditEntry, 'type'>[],
): Promise<R> {
  const event = AUDIT_EVENTS[type];
  const result = await write({ eventType: type, category: event.category, severity: event.severity });
  for (const entry of written(result)) announce({ type, ...entry });
  return result;
}

function announce(entry: AuditEntry): void {
  for (const listener of listeners) {
    try {
      listener(entry);
    } catch {
      // An observer's fault must never fail the audited change.
    }
  }
}
