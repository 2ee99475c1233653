import type { Queryable } from '../database.js';

export interface LockoutPolicy {
  maxFailures: number;
  lockSeconds: number;
  /** A failure older than this no longer counts (a typo a month ago is not part of an attack). */
  failureWindowSeconds: number;
}

/**
 * Counts one password attempt for the username hash, before the password is checked, in one
 * atomic upsert: concurrent attempts each take their own slot, so a burst of parallel guesses
 * cannot all slip in under the limit. The attempt past `maxFailures` starts the lock; attempts
 * while locked do not extend it. A lock that has run out, or failures older than the window,
 * start the count afresh. Returns whether this attempt may go on to the password check.
 */
export async function countPasswordAttempt(db: Queryable, usernameHash: string, policy: LockoutPolicy): Promise<{ locked: boolean }> {
  const { rows } = await db.query<{ locked: boolean }>({
    name: 'password_attempt',
    text: `INSERT INTO password_failures AS f (username_hash, failures, last_failed_at) VALUES ($1, 1, now())
     ON CONFLICT (username_hash) DO UPDATE SET
       failures = CASE
         WHEN f.locked_until <= now() THEN 1
         WHEN f.locked_until IS NULL AND f.last_failed_at < now() - make_interval(secs => $4) THEN 1
         ELSE f.failures + 1 END,
       locked_until = CASE
         WHEN f.locked_until > now() THEN f.locked_until
         WHEN f.locked_until IS NULL AND f.last_failed_at >= now() - make_interval(secs => $4)
              AND f.failures + 1 > $2 THEN now() + make_interval(secs => $3)
         ELSE NULL END,
       last_failed_at = now()
     RETURNING coalesce(locked_until > now(), false) AS locked`,
    values: [usernameHash, policy.maxFailures, policy.lockSeconds, policy.failureWindowSeconds],
  });
  return { locked: rows[0]!.locked };
}

/** A correct password clears the count. */
export async function clearPasswordFailures(db: Queryable, usernameHash: string): Promise<void> {
  await db.query({ name: 'password_failures_clear', text: 'DELETE FROM password_failures WHERE username_hash = $1', values: [usernameHash] });
}

/** Gives back an attempt that was never judged (the directory could not answer). */
export async function uncountPasswordAttempt(db: Queryable, usernameHash: string): Promise<void> {
  await db.query(
    `UPDATE password_failures SET failures = greatest(failures - 1, 0)
     WHERE username_hash = $1 AND (locked_until IS NULL OR locked_until <= now())`,
    [usernameHash],
  );
}
