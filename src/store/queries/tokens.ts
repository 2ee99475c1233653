import type { Queryable } from '../database.js';
import { expiryCappedAtSession, isExpired, isLive } from './token-rules.js';

export type TokenType = 'ACCESS' | 'REFRESH' | 'ID';
export type TokenStatus = 'ACTIVE' | 'ROTATED' | 'REVOKED' | 'EXPIRED';

/**
 * Tokens of type $2 whose hash is $1, in any status. The hash is indexed twice, by status — ACTIVE
 * (uq_tokens_active_hash) and the rest (idx_tokens_settled_hash) — so the lookup asks both.
 */
export function tokensByHash(columns: string): string {
  return `SELECT ${columns} FROM tokens WHERE token_value_hash = $1 AND token_type = $2::token_type AND status = 'ACTIVE'
          UNION ALL
          SELECT ${columns} FROM tokens WHERE token_value_hash = $1 AND token_type = $2::token_type AND status <> 'ACTIVE'`;
}

export interface NewToken {
  type: TokenType;
  hash: string;
  lifetimeSeconds: number;
  parentTokenId?: string | null;
  scopes?: string[] | null;
}

/**
 * Inserts a session's tokens in one statement. A refresh token never outlives its session: its
 * expiry is capped at the session's.
 */
export async function insertTokens(db: Queryable, sessionId: string, tokens: NewToken[]): Promise<{ token_id: string; token_type: TokenType }[]> {
  const { rows } = await db.query<{ token_id: string; token_type: TokenType }>({
    name: 'tokens_insert',
    text: `INSERT INTO tokens (session_id, token_type, token_value_hash, parent_token_id, scopes, expires_at)
           SELECT $1, t.type::token_type, t.hash, t.parent, string_to_array(t.scopes, ' '),
                  ${expiryCappedAtSession('t.ttl', 's.expires_at')}
           FROM unnest($2::text[], $3::text[], $4::uuid[], $5::text[], $6::int[]) AS t(type, hash, parent, scopes, ttl)
           JOIN sessions s ON s.session_id = $1
           RETURNING token_id, token_type`,
    values: [
      sessionId,
      tokens.map((t) => t.type),
      tokens.map((t) => t.hash),
      tokens.map((t) => t.parentTokenId ?? null),
      tokens.map((t) => (t.scopes ? t.scopes.join(' ') : null)),
      tokens.map((t) => t.lifetimeSeconds),
    ],
  });
  return rows;
}

/** A refresh token of a locked session: the presented one and/or the session's active one. */
export interface RefreshTokenState {
  token_id: string;
  parent_token_id: string | null;
  status: TokenStatus;
  presented: boolean;
  expired: boolean;
  /** Rotated within the grace window. */
  in_grace: boolean;
  rotated_at: Date | null;
}

export async function refreshTokensOf(
  db: Queryable,
  sessionId: string,
  hash: string,
  graceSeconds: number,
): Promise<RefreshTokenState[]> {
  const { rows } = await db.query<RefreshTokenState>({
    name: 'refresh_tokens_of_session',
    text: `SELECT t.token_id, t.parent_token_id, t.status, t.token_value_hash = $2 AS presented, ${isExpired('t')} AS expired,
                  coalesce(t.rotated_at > now() - make_interval(secs => $3), false) AS in_grace, t.rotated_at
           FROM tokens t
           WHERE t.session_id = $1 AND t.token_type = 'REFRESH' AND (t.token_value_hash = $2 OR t.status = 'ACTIVE')`,
    values: [sessionId, hash, graceSeconds],
  });
  return rows;
}

/**
 * Marks a session's refresh token and its live access token ROTATED. Conditional on both still
 * being ACTIVE, so of two racing rotations only one gets the refresh token back.
 */
export async function rotateTokens(
  db: Queryable,
  sessionId: string,
  refreshTokenId: string,
): Promise<{ refreshRotated: boolean; accessTokenId: string | null }> {
  const { rows } = await db.query<{ token_id: string; token_type: TokenType }>({
    name: 'tokens_rotate',
    text: `UPDATE tokens SET status = 'ROTATED', rotated_at = now()
           WHERE session_id = $1 AND status = 'ACTIVE' AND (token_id = $2 OR token_type = 'ACCESS')
           RETURNING token_id, token_type`,
    values: [sessionId, refreshTokenId],
  });
  return {
    refreshRotated: rows.some((r) => r.token_id === refreshTokenId),
    accessTokenId: rows.find((r) => r.token_type === 'ACCESS')?.token_id ?? null,
  };
}

/** Revokes every token of a session that could still be presented; returns how many. */
export async function revokeSessionTokens(db: Queryable, sessionId: string): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE tokens SET status = 'REVOKED', revoked_at = now()
     WHERE session_id = $1 AND status IN ('ACTIVE', 'ROTATED')`,
    [sessionId],
  );
  return rowCount ?? 0;
}

/** The refresh-token chain of a session, oldest first (evidence for a reuse alert). */
export async function refreshChainOf(
  db: Queryable,
  sessionId: string,
): Promise<{ token_id: string; parent_token_id: string | null; status: TokenStatus; created_at: Date; rotated_at: Date | null }[]> {
  const { rows } = await db.query<{ token_id: string; parent_token_id: string | null; status: TokenStatus; created_at: Date; rotated_at: Date | null }>(
    `SELECT token_id, parent_token_id, status, created_at, rotated_at FROM tokens
     WHERE session_id = $1 AND token_type = 'REFRESH' ORDER BY created_at, token_id LIMIT 1000`,
    [sessionId],
  );
  return rows;
}

export interface LiveAccessToken {
  token_value_hash: string;
  token_id: string;
  session_id: string;
  cupid: string;
  scopes: string[] | null;
  expires_in: number;
}

/**
 * The gateway's question for a batch of token hashes, in one indexed round trip: which of these
 * are live access tokens in live sessions? A named prepared statement, parsed and planned once
 * per connection. No cache in front of it: a revocation is visible to the very next call on every
 * instance.
 */
export async function liveAccessTokens(db: Queryable, hashes: string[]): Promise<LiveAccessToken[]> {
  const { rows } = await db.query<LiveAccessToken>({
    name: 'access_tokens_live',
    text: `SELECT t.token_value_hash, t.token_id, t.session_id, s.cupid, t.scopes,
                  floor(extract(epoch FROM (t.expires_at - now())))::int AS expires_in
           FROM tokens t JOIN sessions s ON s.session_id = t.session_id
           WHERE t.token_value_hash = ANY($1::varchar[]) AND t.token_type = 'ACCESS' AND ${isLive('t')} AND ${isLive('s')}`,
    values: [hashes],
  });
  return rows;
}

/** Sessions that an ACTIVE, unexpired access or refresh token with one of these hashes belongs to. */
export async function sessionsOfLiveTokens(db: Queryable, hashes: string[]): Promise<string[]> {
  const { rows } = await db.query<{ session_id: string }>(
    `SELECT DISTINCT t.session_id FROM tokens t
     WHERE t.token_value_hash = ANY($1::varchar[]) AND t.token_type IN ('ACCESS', 'REFRESH') AND ${isLive('t')}
     ORDER BY t.session_id`,
    [hashes],
  );
  return rows.map((r) => r.session_id);
}

/** Whether any token has this hash (telling "unknown" from "its session is gone"). */
export async function tokenExists(db: Queryable, hash: string, type: TokenType): Promise<boolean> {
  const { rowCount } = await db.query(`SELECT 1 FROM (${tokensByHash('token_id')}) t LIMIT 1`, [hash, type]);
  return (rowCount ?? 0) > 0;
}
