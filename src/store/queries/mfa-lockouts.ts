import type { Queryable } from '../database.js';

export async function isMfaLocked(db: Queryable, cupid: string): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'mfa_locked',
    text: 'SELECT 1 FROM mfa_lockouts WHERE cupid = $1 AND locked_until > now()',
    values: [cupid],
  });
  return (rowCount ?? 0) > 0;
}

export async function lockMfa(db: Queryable, cupid: string, seconds: number, contextId: string, reason: string): Promise<void> {
  await db.query(
    `INSERT INTO mfa_lockouts (cupid, locked_until, context_id, reason)
     VALUES ($1, now() + make_interval(secs => $2), $3, $4)
     ON CONFLICT (cupid) DO UPDATE SET locked_at = now(), locked_until = EXCLUDED.locked_until,
       context_id = EXCLUDED.context_id, reason = EXCLUDED.reason`,
    [cupid, seconds, contextId, reason],
  );
}
