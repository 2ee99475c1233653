import { recordAudit, type RequestOrigin } from '../audit/record.js';
import type { Database } from '../store/database.js';
import { clearPasswordFailures, passwordFailureRecord } from '../store/queries/password-failures.js';
import { usernameKey } from './digests.js';

export interface PasswordUnlock {
  /** Whether the username had a failure record (a temporary or a permanent lock, or failures). */
  unlocked: boolean;
  /** The lock it had: `ceiling` (locked until an agent acts), `temporary`, or none. */
  lock: 'ceiling' | 'temporary' | 'none';
}

/**
 * An agent lifts the password lockout of a username (the service's own lockout, used with the
 * embedded directory): its failure count is cleared, a lock at the ceiling included. Audited as
 * PASSWORD_UNLOCKED with the agent and their reason, in the same transaction.
 */
export async function unlockPassword(
  db: Database,
  username: string,
  by: { agentId: string; authMethod: string; reason: string; origin: RequestOrigin },
): Promise<PasswordUnlock> {
  const key = usernameKey(username);
  return db.transaction(async (tx) => {
    const record = await passwordFailureRecord(tx, key);
    if (!record) return { unlocked: false, lock: 'none' as const };
    await clearPasswordFailures(tx, key);
    const lock = record.hard_locked ? 'ceiling' : record.locked_until && record.locked_until > new Date() ? 'temporary' : 'none';
    await recordAudit(tx, {
      type: 'PASSWORD_UNLOCKED',
      origin: by.origin,
      data: {
        agent_id: by.agentId,
        auth_method: by.authMethod,
        reason: by.reason,
        username_hash: key,
        lock,
        consecutive_failures: record.consecutive_failures,
      },
    });
    return { unlocked: true, lock };
  });
}
