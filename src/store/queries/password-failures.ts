import type { Queryable } from '../database.js';

export interface LockoutPolicy {
  maxFailures: number;
  lockSeconds: number;
  /** A failure older than this no longer counts (a typo a month ago is not part of an attack). */
  failureWindowSeconds: number;
}

/** The username's failure record: undefined when it has none (the usual case), else whether it is locked now. */
export async function passwordFailureState(db: Queryable, usernameHash: string): Promise<{ locked: boolean } | undefined> {
  const { rows } = await db.query<{ locked: boolean }>({
    name: 'password_failure_state',
    text: 'SELECT coalesce(locked_until > now(), false) AS locked FROM password_failures WHERE username_hash = $1',
    values: [usernameHash],
  });
  return rows[0];
}

/**
 * Counts one failed password in one atomic upsert (concurrent failures each count). The failure
 * that reaches `maxFailures` starts the lock; a lock that has run out, or failures older than the
 * window, start the count afresh.
 */
export async function recordPasswordFailure(db: Queryable, usernameHash: string, policy: LockoutPolicy): Promise<void> {
  await db.query({
    name: 'password_failure',
    text: `INSERT INTO password_failures AS f (username_hash, failures, last_failed_at, locked_until)
       VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END)
     ON CONFLICT (username_hash) DO UPDATE SET
       failures = CASE
         WHEN f.locked_until <= now() OR f.last_failed_at < now() - make_interval(secs => $4) THEN 1
         ELSE f.failures + 1 END,
       locked_until = CASE
         WHEN f.locked_until > now() THEN f.locked_until
         WHEN f.locked_until <= now() OR f.last_failed_at < now() - make_interval(secs => $4)
           THEN CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END
         WHEN f.failures + 1 >= $2 THEN now() + make_interval(secs => $3)
         ELSE NULL END,
       last_failed_at = now()`,
    values: [usernameHash, policy.maxFailures, policy.lockSeconds, policy.failureWindowSeconds],
  });
}

/** A correct password clears the count. */
export async function clearPasswordFailures(db: Queryable, usernameHash: string): Promise<void> {
  await db.query({ name: 'password_failures_clear', text: 'DELETE FROM password_failures WHERE username_hash = $1', values: [usernameHash] });
}
