import type { Database } from '../src/store/database.js';

export const accessToken = (i: number) => `bench-access-${i}`;
export const refreshToken = (i: number) => `bench-refresh-${i}`;

/**
 * Pre-issues `count` live sessions in a few set-based statements: known token values
 * (`bench-access-<i>`, `bench-refresh-<i>`), stored, as the service stores them, as SHA-256 hex.
 */
export async function seedSessions(db: Database, count: number): Promise<void> {
  await db.query(
    `INSERT INTO auth_contexts (context_id, cupid, app_id, app_version, ip_address, auth_outcome, completed_at)
     SELECT md5('ctx-' || i)::uuid, 'CUPID_BENCH_' || i, 'bench', '1', '127.0.0.1', 'SUCCESS', now()
     FROM generate_series(0, $1 - 1) AS i`,
    [count],
  );
  await db.query(
    `INSERT INTO sessions (session_id, context_id, cupid, client_id, ip_address, user_agent)
     SELECT md5('ses-' || i)::uuid, md5('ctx-' || i)::uuid, 'CUPID_BENCH_' || i, 'web-banking', '127.0.0.1', 'bench'
     FROM generate_series(0, $1 - 1) AS i`,
    [count],
  );
  await db.query(
    `INSERT INTO tokens (session_id, token_type, token_value_hash, scopes, expires_at)
     SELECT md5('ses-' || i)::uuid, 'ACCESS'::token_type, encode(sha256(convert_to('bench-access-' || i, 'UTF8')), 'hex'),
            ARRAY['openid', 'profile'], now() + interval '2 hours'
     FROM generate_series(0, $1 - 1) AS i
     UNION ALL
     SELECT md5('ses-' || i)::uuid, 'REFRESH'::token_type, encode(sha256(convert_to('bench-refresh-' || i, 'UTF8')), 'hex'),
            NULL, now() + interval '30 days'
     FROM generate_series(0, $1 - 1) AS i`,
    [count],
  );
  await db.query('ANALYZE auth_contexts; ANALYZE sessions; ANALYZE tokens');
}
