import type { Queryable } from '../store/database.js';
import { endSessionRow, type SessionEnd } from '../store/queries/sessions.js';
import { revokeSessionTokens } from '../store/queries/tokens.js';

/**
 * Ends a session the caller has locked: LOGGED_OUT or REVOKED, and every token that could still
 * be presented becomes REVOKED. A session that had already ended changes nothing.
 */
export async function endSession(tx: Queryable, sessionId: string, end: SessionEnd): Promise<{ ended: boolean; tokensRevoked: number }> {
  const ended = await endSessionRow(tx, sessionId, end);
  if (!ended) return { ended: false, tokensRevoked: 0 };
  return { ended: true, tokensRevoked: await revokeSessionTokens(tx, sessionId) };
}
