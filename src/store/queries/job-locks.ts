import type { Queryable } from '../database.js';

// Session-level advisory locks: held by the connection, not a transaction, so `session` must be a
// connection of its own (never the pool), and the one that takes a lock must release it.

/** Takes the session-level advisory lock (namespace, key) if it is free; never waits. */
export async function tryAdvisoryLock(session: Queryable, namespace: number, key: number): Promise<boolean> {
  const { rows } = await session.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [namespace, key]);
  return rows[0]?.ok === true;
}

export async function releaseAdvisoryLock(session: Queryable, namespace: number, key: number): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1, $2)', [namespace, key]);
}
