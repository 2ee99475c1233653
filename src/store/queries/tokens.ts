import type { Queryable } from '../database.js';

export type TokenType = 'ACCESS' | 'REFRESH' | 'ID';
export type TokenStatus = 'ACTIVE' | 'ROTATED' | 'REVOKED' | 'EXPIRED';

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
                  least(now() + make_interval(secs => t.ttl), s.expires_at)
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
