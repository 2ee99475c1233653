import type { Queryable } from '../store/database.js';
import { liveSessionsOf, type CustomerSessionRow } from '../store/queries/sessions.js';
import type { LiveAccessToken } from '../store/queries/tokens.js';

/** The customer a live access token speaks for (the self-service routes' caller). */
export type { LiveAccessToken };

/** A customer's live sessions, newest first; `current` marks the session of the token asking. */
export async function ownSessions(db: Queryable, me: LiveAccessToken): Promise<Array<CustomerSessionRow & { current: boolean }>> {
  const rows = await liveSessionsOf(db, me.cupid);
  return rows.map((s) => ({ ...s, current: s.session_id === me.session_id }));
}
