import type { Queryable } from '../database.js';
import { journeyClosingCtes, type JourneyClosing } from './auth-contexts.js';
import { auditInsert, type AuditEventColumns } from './audit-logs.js';
import { expiryCappedAtSession } from './token-rules.js';

/** The journey's part of the statement, written by the journey table's own query file. */
const JOURNEY = journeyClosingCtes({
  contextId: '$2',
  cupid: '$3',
  clientId: '$4',
  deviceFingerprint: '$5',
  ipAddress: '$6',
  correlationId: '$16',
  kind: '$18',
  appId: '$19',
  appVersion: '$20',
  ttlSeconds: '$21',
});

/** Built once: the statement's text is the same for every login (a named statement, prepared once per connection). */
const SESSION_OPEN = `
WITH ${JOURNEY}, s AS (
  INSERT INTO sessions (session_id, context_id, cupid, client_id, device_fingerprint, ip_address, user_agent, expires_at)
  SELECT $1, journey.context_id, $3, $4, $5, $6, $7, now() + make_interval(secs => $8) FROM journey
  RETURNING session_id, expires_at
), t AS (
  INSERT INTO tokens (session_id, token_type, token_value_hash, scopes, expires_at)
  SELECT s.session_id, v.type::token_type, v.hash, string_to_array(v.scopes, ' '),
         ${expiryCappedAtSession('v.ttl', 's.expires_at')}
  FROM s CROSS JOIN unnest($9::text[], $10::text[], $11::text[], $12::int[]) AS v(type, hash, scopes, ttl)
  RETURNING token_id, token_type
), ids AS (
  SELECT jsonb_object_agg(lower(token_type::text), token_id) AS token_ids FROM t
), a AS (
  ${auditInsert(
    {
      eventType: '$13',
      category: '$14',
      severity: '$15::event_severity',
      cupid: '$3',
      contextId: '$2',
      transactionId: '$22::uuid',
      sessionId: 's.session_id',
      correlationId: '$16::uuid',
      ipAddress: '$6::inet',
      userAgent: '$7',
      data: `$17::jsonb || jsonb_build_object('expires_at', s.expires_at, 'token_ids', ids.token_ids)`,
    },
    (expressions) => `SELECT ${expressions} FROM s CROSS JOIN ids`,
  )}
)
SELECT s.expires_at, ids.token_ids FROM s CROSS JOIN ids`;

export interface SessionOpening {
  sessionId: string;
  contextId: string;
  cupid: string;
  clientId: string;
  deviceFingerprint: string | null;
  ipAddress: string;
  userAgent: string | null;
  lifetimeSeconds: number;
  tokens: { type: 'ACCESS' | 'ID' | 'REFRESH'; hash: string; lifetimeSeconds: number; scopes: string[] | null }[];
  journey: JourneyClosing;
  /** The login's audit row (LOGIN_SUCCESS). */
  audit: AuditEventColumns & {
    correlationId: string | null;
    /** Fields merged into event_data beside the session's expiry and the token ids. */
    dataJson: string;
  };
}

/**
 * The end of a login in one statement: the journey's outcome, the session row, its tokens (capped
 * at the session's expiry) and the login's audit row, which names the session, its expiry and its
 * token ids. A login that ends at the password needs no transaction at all; one that went through
 * steps spends one round trip here instead of five. Returns the session's expiry and the new token ids by type, or undefined
 * when the journey to finish was no longer open (nothing is written then).
 */
export async function insertSessionWithTokens(
  db: Queryable,
  o: SessionOpening,
): Promise<{ expires_at: Date; token_ids: Record<string, string> } | undefined> {
  const j = o.journey;
  const { rows } = await db.query<{ expires_at: Date; token_ids: Record<string, string> }>({
    name: 'session_open',
    text: SESSION_OPEN,
    values: [
      o.sessionId,
      o.contextId,
      o.cupid,
      o.clientId,
      o.deviceFingerprint,
      o.ipAddress,
      o.userAgent,
      o.lifetimeSeconds,
      o.tokens.map((t) => t.type),
      o.tokens.map((t) => t.hash),
      o.tokens.map((t) => (t.scopes ? t.scopes.join(' ') : null)),
      o.tokens.map((t) => t.lifetimeSeconds),
      o.audit.eventType,
      o.audit.category,
      o.audit.severity,
      o.audit.correlationId,
      o.audit.dataJson,
      j.kind,
      j.kind === 'start-finished' ? j.appId : null,
      j.kind === 'start-finished' ? j.appVersion : null,
      j.kind === 'start-finished' ? j.ttlSeconds : null,
      j.kind === 'finish' ? j.lastTransactionId : null,
    ],
  });
  return rows[0];
}
