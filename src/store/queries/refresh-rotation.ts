import type { Queryable } from '../database.js';
import { auditInsert, type AuditEventColumns } from './audit-logs.js';
import { expiryCappedAtSession, isLive, refreshableBy, scopesOfClient } from './token-rules.js';

/** What every rotation in a batch shares. */
export interface RotationSettings {
  accessSeconds: number;
  refreshSeconds: number;
  /** JSON object: client id → granted scopes (the new access token's scopes follow the session's client). */
  clientScopesJson: string;
}


/** One presented refresh token and what its rotation writes. */
export interface RotationRequest {
  presentedHash: string;
  /** The client asking; a token is rotated only for the client its session was opened for. */
  clientId: string | null;
  newAccessHash: string;
  newRefreshHash: string;
  correlationId: string | null;
  ipAddress: string | null;
  userAgent: string | null;
  /** JSON object merged into the audit row's event_data beside the token ids. */
  auditDataJson: string;
}

export interface RotationRow {
  presented_hash: string;
  session_id: string;
  context_id: string;
  cupid: string;
  rotated_refresh_token_id: string;
  rotated_access_token_id: string | null;
  new_access_token_id: string;
  new_refresh_token_id: string;
}

const rotateLiveBatch = `
WITH req AS (
  SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::uuid[], $5::inet[], $6::text[], $7::jsonb[], $14::varchar[])
    AS r(presented_hash, access_hash, refresh_hash, correlation_id, ip_address, user_agent, event_data, client_id)
), live AS (
  SELECT r.presented_hash, r.access_hash, r.refresh_hash, r.correlation_id, r.ip_address, r.user_agent, r.event_data,
         r.client_id AS asking_client_id, t.token_id, t.session_id
  FROM req r JOIN tokens t ON t.token_value_hash = r.presented_hash
  WHERE t.token_type = 'REFRESH' AND ${isLive('t')}
), free AS (
  SELECT s.session_id
  FROM sessions s JOIN live l ON l.session_id = s.session_id
  WHERE ${isLive('s')} AND ${refreshableBy('s', 'l.asking_client_id')}
  FOR UPDATE OF s SKIP LOCKED
), s AS (
  UPDATE sessions s SET last_activity_at = now()
  FROM free f
  WHERE s.session_id = f.session_id
  RETURNING s.session_id, s.context_id, s.cupid, s.client_id, s.expires_at
), old_refresh AS (
  UPDATE tokens t SET status = 'ROTATED', rotated_at = now()
  FROM live l JOIN s ON s.session_id = l.session_id
  WHERE t.token_id = l.token_id AND ${isLive('t')}
  RETURNING t.token_id, t.session_id
), old_access AS (
  UPDATE tokens t SET status = 'ROTATED', rotated_at = now()
  FROM old_refresh r
  WHERE t.session_id = r.session_id AND t.token_type = 'ACCESS' AND t.status = 'ACTIVE'
  RETURNING t.token_id, t.session_id
), rotated AS (
  SELECT l.presented_hash, l.access_hash, l.refresh_hash, l.correlation_id, l.ip_address, l.user_agent, l.event_data,
         r.session_id, s.context_id, s.cupid, s.client_id, s.expires_at AS session_expires_at,
         r.token_id AS rotated_refresh_token_id, a.token_id AS rotated_access_token_id
  FROM old_refresh r
  JOIN live l ON l.token_id = r.token_id
  JOIN s ON s.session_id = r.session_id
  LEFT JOIN old_access a ON a.session_id = r.session_id
), new_tokens AS (
  INSERT INTO tokens (session_id, token_type, token_value_hash, parent_token_id, scopes, expires_at)
  SELECT x.session_id, v.type, v.hash, v.parent, v.scopes, ${expiryCappedAtSession('v.ttl', 'x.session_expires_at')}
  FROM rotated x
  CROSS JOIN LATERAL (VALUES
    ('ACCESS'::token_type, x.access_hash, x.rotated_access_token_id,
     ${scopesOfClient('$8::jsonb', 'x.client_id')}, $9::int),
    ('REFRESH'::token_type, x.refresh_hash, x.rotated_refresh_token_id, NULL::text[], $10::int)
  ) AS v(type, hash, parent, scopes, ttl)
  RETURNING token_id, token_type, session_id
), issued AS (
  SELECT x.*, na.token_id AS new_access_token_id, nr.token_id AS new_refresh_token_id
  FROM rotated x
  JOIN new_tokens na ON na.session_id = x.session_id AND na.token_type = 'ACCESS'
  JOIN new_tokens nr ON nr.session_id = x.session_id AND nr.token_type = 'REFRESH'
), audit AS (
  ${auditInsert(
    {
      eventType: '$11',
      category: '$12',
      severity: '$13::event_severity',
      cupid: 'i.cupid',
      contextId: 'i.context_id',
      transactionId: 'NULL::uuid',
      sessionId: 'i.session_id',
      correlationId: 'i.correlation_id',
      ipAddress: 'i.ip_address',
      userAgent: 'i.user_agent',
      data: `i.event_data || jsonb_build_object(
           'rotated_refresh_token_id', i.rotated_refresh_token_id,
           'rotated_access_token_id', i.rotated_access_token_id,
           'new_access_token_id', i.new_access_token_id,
           'new_refresh_token_id', i.new_refresh_token_id)`,
    },
    (expressions) => `SELECT ${expressions} FROM issued i`,
  )}
)
SELECT presented_hash, session_id, context_id, cupid,
       rotated_refresh_token_id, rotated_access_token_id, new_access_token_id, new_refresh_token_id
FROM issued`;

/**
 * Ordinary refreshes as ONE statement, committed on its own: for every presented hash that is an
 * ACTIVE, unexpired refresh token of an ACTIVE, unexpired session opened for the asking client, touch — and so lock — the
 * session (sessions before tokens, as everywhere), rotate that token and the session's live access
 * token, insert their successors and write the TOKEN_REFRESHED audit row. One row comes back per
 * rotated token; a hash without a row was not an ordinary live token (unknown, expired, rotated,
 * revoked, a dead session, or a race lost to another rotation) and its caller takes the careful
 * path. A touch whose rotation then loses a race commits alone: harmless.
 *
 * A session locked by anyone else (a careful-path refresh, a logout, an agent's revocation, or a
 * stuck transaction) is SKIPPED, never waited for: its request goes to the careful path, which
 * waits for that one row under the pool's lock_timeout, while the rest of the batch commits at
 * once. Waiting here would make every customer in the batch wait for one customer's row.
 *
 * The hashes must be distinct. Distinct live refresh tokens belong to distinct sessions (one live
 * refresh token per session), so no row is written twice.
 *
 * Ordering inside the statement: the insert reads from `rotated`, which joins the old access
 * tokens — so every old token is ROTATED before any successor enters the one-active-per-type index.
 */
export async function rotateLiveRefreshTokens(
  db: Queryable,
  settings: RotationSettings,
  event: AuditEventColumns,
  requests: RotationRequest[],
): Promise<RotationRow[]> {
  const { rows } = await db.query<RotationRow>({
    name: 'refresh_rotate_live_batch',
    text: rotateLiveBatch,
    values: [
      requests.map((r) => r.presentedHash),
      requests.map((r) => r.newAccessHash),
      requests.map((r) => r.newRefreshHash),
      requests.map((r) => r.correlationId),
      requests.map((r) => r.ipAddress),
      requests.map((r) => r.userAgent),
      requests.map((r) => r.auditDataJson),
      settings.clientScopesJson,
      settings.accessSeconds,
      settings.refreshSeconds,
      event.eventType,
      event.category,
      event.severity,
      requests.map((r) => r.clientId),
    ],
  });
  return rows;
}
