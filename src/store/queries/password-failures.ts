import type { Queryable } from '../database.js';

export interface LockoutPolicy {
  maxFailures: number;
  lockSeconds: number;
  /** A failure older than this no longer counts towards a temporary lock (a typo a month ago is not part of an attack). */
  failureWindowSeconds: number;
  /**
   * Consecutive failures since the last correct password — across temporary locks and windows —
   * at which the username stays locked until an agent unlocks it (NIST SP 800-63B §5.2.2: ≤ 100).
   */
  ceiling: number;
}

/** The username's failure record: undefined when it has none (the usual case), else whether it is locked now. */
export async function passwordFailureState(db: Queryable, usernameHash: string): Promise<{ locked: boolean } | undefined> {
  const { rows } = await db.query<{ locked: boolean }>({
    name: 'password_failure_state',
    text: `SELECT coalesce(locked_until > now(), false) OR hard_locked_at IS NOT NULL AS locked
           FROM password_failures WHERE username_hash = $1`,
    values: [usernameHash],
  });
  return rows[0];
}

/**
 * Counts one failed password in one atomic upsert (concurrent failures each count). The failure
 * that reaches `maxFailures` starts a temporary lock; a lock that has run out, or failures older
 * than the window, start that count afresh. The consecutive count is never restarted by time:
 * the failure that reaches the ceiling locks the username for good (hard_locked_at).
 */
export async function recordPasswordFailure(db: Queryable, usernameHash: string, policy: LockoutPolicy): Promise<void> {
  await db.query({
    name: 'password_failure',
    text: `INSERT INTO password_failures AS f (username_hash, failures, last_failed_at, locked_until, consecutive_failures, hard_locked_at)
       VALUES ($1, 1, now(), CASE WHEN $2 <= 1 THEN now() + make_interval(secs => $3) END, 1, CASE WHEN $5 <= 1 THEN now() END)
     ON CONFLICT (username_hash) DO UPDATE SET
       consecutive_failures = f.consecutive_failures + 1,
       hard_locked_at = CASE
         WHEN f.hard_locked_at IS NOT NULL THEN f.hard_locked_at
         WHEN f.consecutive_failures + 1 >= $5 THEN now()
         ELSE NULL END,
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
    values: [usernameHash, policy.maxFailures, policy.lockSeconds, policy.failureWindowSeconds, policy.ceiling],
  });
}

/** A correct password clears the count; so does an agent's unlock (true when there was something to clear). */
export async function clearPasswordFailures(db: Queryable, usernameHash: string): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'password_failures_clear',
    text: 'DELETE FROM password_failures WHERE username_hash = $1',
    values: [usernameHash],
  });
  return (rowCount ?? 0) > 0;
}

/** What an agent sees before unlocking: the counts and whether the lock is temporary or for good. */
export async function passwordFailureRecord(
  db: Queryable,
  usernameHash: string,
): Promise<{ consecutive_failures: number; hard_locked: boolean; locked_until: Date | null } | undefined> {
  const { rows } = await db.query<{ consecutive_failures: number; hard_locked: boolean; locked_until: Date | null }>(
    `SELECT consecutive_failures, hard_locked_at IS NOT NULL AS hard_locked, locked_until
       FROM password_failures WHERE username_hash = $1 FOR UPDATE`,
    [usernameHash],
  );
  return rows[0];
}
