import { usernameKey } from '../../security/digests.js';
import type { Queryable } from '../../store/database.js';
import {
  clearPasswordFailures,
  passwordFailureState,
  recordPasswordFailure,
  type LockoutPolicy,
} from '../../store/queries/password-failures.js';
import type { Directory, PasswordCheck } from './port.js';

/**
 * Password lockout for a directory that has none of its own (the embedded demo directory; a
 * production LDAP applies its own password policy). After `maxFailures` consecutive wrong
 * passwords the username answers `{ ok: false, locked: true }` for `lockSeconds` without the
 * password being checked — for unknown usernames exactly as for known ones, so the lockout tells
 * nothing about who exists. Failures stay counted across temporary locks: at `ceiling` consecutive
 * failures the username stays locked until an agent unlocks it (POST /admin/password-lockouts/unlock);
 * the demo directory has no password reset to clear it otherwise. A correct password clears the count. Only failures count, so a
 * customer logging in from many devices at once is never locked; how many guesses a burst of
 * parallel requests can get in before the lock lands is bounded by the per-username rate limit
 * in front of the login route.
 */
export function withPasswordLockout(
  directory: Directory,
  db: Queryable,
  options: Partial<LockoutPolicy> = {},
): Directory {
  const policy: LockoutPolicy = {
    maxFailures: options.maxFailures ?? 10,
    lockSeconds: options.lockSeconds ?? 900,
    failureWindowSeconds: options.failureWindowSeconds ?? 86_400,
    ceiling: options.ceiling ?? 100,
  };
  if (!Number.isInteger(policy.maxFailures) || policy.maxFailures < 1 || policy.maxFailures > 100) {
    // NIST SP 800-63B §5.2.2: no more than 100 consecutive failed attempts on one account.
    throw new Error('Password lockout maxFailures must be an integer from 1 to 100.');
  }
  if (!Number.isInteger(policy.ceiling) || policy.ceiling < policy.maxFailures || policy.ceiling > 100) {
    throw new Error('Password lockout ceiling must be an integer from maxFailures to 100.');
  }

  return {
    async authenticate(username: string, password: string): Promise<PasswordCheck> {
      const key = usernameKey(username);
      const failures = await passwordFailureState(db, key);
      if (failures?.locked) return { ok: false, locked: true };
      const result = await directory.authenticate(username, password);
      if (result.ok) {
        // Nothing to clear for a username without failures: the usual login skips the write.
        if (failures) await clearPasswordFailures(db, key);
      } else if (!result.locked) await recordPasswordFailure(db, key, policy);
      return result;
    },
    findByCupid: (cupid) => directory.findByCupid(cupid),
    close: directory.close?.bind(directory),
  };
}
