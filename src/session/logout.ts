import type { RequestOrigin } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import type { Database } from '../store/database.js';
import { lockSession } from '../store/queries/sessions.js';
import { sessionsOfLiveTokens } from '../store/queries/tokens.js';
import { endSession } from './end-session.js';
import { tokenHash } from './token-values.js';

/**
 * Logs out the session(s) that a live refresh token and/or access token belong to. Unknown, dead
 * or missing tokens are not an error: logging out twice is the same as logging out once.
 * Returns the ids of the sessions that this call ended.
 */
export async function logout(
  db: Database,
  presented: { refreshToken?: string; accessToken?: string },
  origin: RequestOrigin,
): Promise<string[]> {
  const hashes = [presented.refreshToken, presented.accessToken].filter((v): v is string => Boolean(v)).map(tokenHash);
  if (hashes.length === 0) return [];
  return db.transaction(async (tx) => {
    const ended: string[] = [];
    for (const sessionId of await sessionsOfLiveTokens(tx, hashes)) {
      const session = await lockSession(tx, sessionId);
      if (!session || session.status !== 'ACTIVE') continue;
      const result = await endSession(tx, sessionId, { status: 'LOGGED_OUT' });
      if (!result.ended) continue;
      ended.push(sessionId);
      await recordAudit(tx, {
        type: 'SESSION_LOGGED_OUT',
        origin,
        cupid: session.cupid,
        contextId: session.context_id,
        sessionId,
        data: { tokens_revoked: result.tokensRevoked },
      });
    }
    return ended;
  });
}
