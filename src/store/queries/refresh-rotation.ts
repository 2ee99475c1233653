import type { Queryable } from '../database.js';

export interface RotationInput {
  presentedHash: string;
  newAccessHash: string;
  newRefreshHash: string;
  accessSeconds: number;
  refreshSeconds: number;
  /** JSON object: client id → granted scopes (the new access token's scopes follow the session's client). */
  clientScopesJson: string;
  audit: {
    eventType: string;
    category: string;
    severity: string;
    correlationId: string | null;
    ipAddress: string | null;
    userAgent: string | null;
    /** Fields merged into event_data beside the token ids. */
    dataJson: string;
  };
}

export interface RotationRow {
  session_id: string;
  context_id: string;
  cupid: string;
  rotated_refresh_token_id: string;
  rotated_access_token_id: string | null;
  new_access_token_id: string;
  new_refresh_token_id: string;
}

/**
 * The ordinary refresh as ONE statement, committed on its own: touch — and so lock — the session
 * of an ACTIVE, unexpired refresh token (sessions before tokens, as everywhere), rotate that token
 * and the session's live access token, insert their successors and write the audit row. One
 * round trip instead of eight. (A touch whose rotation then loses a race commits alone: harmless.) No row back means the token was not an ordinary live one
 * (unknown, expired, rotated, revoked, a dead session, or a lost race) and the caller takes the
 * careful path.
 *
 * Ordering inside the statement: each insert reads from the update it follows, so the old row is
 * ROTATED before its successor enters the one-active-per-type index.
 */
export async function rotateLiveRefreshToken(db: Queryable, r: RotationInput): Promise<RotationRow | undefined> {
  const { rows } = await db.query<RotationRow>({
    name: 'refresh_rotate_live',
    text: `
WITH s AS (
  UPDATE sessions s SET last_activity_at = now()
  WHERE s.session_id = (SELECT t.session_id FROM tokens t
                        WHERE t.token_value_hash = $1 AND t.status = 'ACTIVE' AND t.token_type = 'REFRESH'
                          AND t.expires_at > now())
    AND s.status = 'ACTIVE' AND s.expires_at > now()
  RETURNING s.session_id, s.context_id, s.cupid, s.client_id, s.expires_at
), old_refresh AS (
  UPDATE tokens t SET status = 'ROTATED', rotated_at = now()
  WHERE t.session_id = (SELECT session_id FROM s) AND t.token_value_hash = $1
    AND t.status = 'ACTIVE' AND t.token_type = 'REFRESH' AND t.expires_at > now()
  RETURNING t.token_id, t.session_id
), old_access AS (
  UPDATE tokens t SET status = 'ROTATED', rotated_at = now()
  WHERE t.session_id = (SELECT session_id FROM old_refresh) AND t.token_type = 'ACCESS' AND t.status = 'ACTIVE'
  RETURNING t.token_id
), new_tokens AS (
  INSERT INTO tokens (session_id, token_type, token_value_hash, parent_token_id, scopes, expires_at)
  SELECT r.session_id, v.type::token_type, v.hash,
         CASE WHEN v.type = 'REFRESH' THEN r.token_id ELSE (SELECT token_id FROM old_access LIMIT 1) END,
         CASE WHEN v.type = 'ACCESS'
              THEN ARRAY(SELECT jsonb_array_elements_text(coalesce($6::jsonb -> s.client_id, '[]'::jsonb))) END,
         least(now() + make_interval(secs => v.ttl), s.expires_at)
  FROM old_refresh r
  JOIN s ON s.session_id = r.session_id
  CROSS JOIN (VALUES ('ACCESS', $2::varchar, $4::int), ('REFRESH', $3::varchar, $5::int)) AS v(type, hash, ttl)
  RETURNING token_id, token_type
), ids AS (
  SELECT r.token_id AS rotated_refresh_token_id,
         (SELECT token_id FROM old_access LIMIT 1) AS rotated_access_token_id,
         (SELECT token_id FROM new_tokens WHERE token_type = 'ACCESS') AS new_access_token_id,
         (SELECT token_id FROM new_tokens WHERE token_type = 'REFRESH') AS new_refresh_token_id
  FROM old_refresh r
), audit AS (
  INSERT INTO audit_logs (event_type, event_category, severity, cupid, context_id, session_id,
                          correlation_id, ip_address, user_agent, event_data)
  SELECT $7, $8, $9::event_severity, s.cupid, s.context_id, s.session_id, $10::uuid, $11::inet, $12,
         $13::jsonb || jsonb_build_object(
           'rotated_refresh_token_id', ids.rotated_refresh_token_id,
           'rotated_access_token_id', ids.rotated_access_token_id,
           'new_access_token_id', ids.new_access_token_id,
           'new_refresh_token_id', ids.new_refresh_token_id)
  FROM s CROSS JOIN ids
  RETURNING 1
)
SELECT s.session_id, s.context_id, s.cupid, ids.*
FROM s CROSS JOIN ids
WHERE (SELECT count(*) FROM audit) = 1`,
    values: [
      r.presentedHash,
      r.newAccessHash,
      r.newRefreshHash,
      r.accessSeconds,
      r.refreshSeconds,
      r.clientScopesJson,
      r.audit.eventType,
      r.audit.category,
      r.audit.severity,
      r.audit.correlationId,
      r.audit.ipAddress,
      r.audit.userAgent,
      r.audit.dataJson,
    ],
  });
  return rows[0];
}
