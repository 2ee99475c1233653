import type { RequestOrigin } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import type { Database, Queryable } from '../store/database.js';
import { lockActiveSessionsOf, lockSession, type LockedSession, type SessionStatus } from '../store/queries/sessions.js';
import { endSession } from './end-session.js';

/** Who ends a session: an authenticated agent, the customer themself, or the service. */
export interface Revoker {
  /** Stored in sessions.revoked_by: the agent id, `CUSTOMER` or `SYSTEM`. */
  revokedBy: string;
  reason: string;
  origin: RequestOrigin;
  /** Extra audit fields (e.g. the agent id, the acting session). */
  audit?: Record<string, unknown>;
}

export interface SessionRevocation {
  sessionId: string;
  /** The session's status afterwards. */
  status: SessionStatus;
  tokensRevoked: number;
}

/**
 * Revokes one session and its tokens, audited as SESSION_REVOKED in the same transaction.
 * `owner` restricts it to one customer's sessions: anyone else's session is "not found".
 * An already ended session is left as it is (tokensRevoked 0).
 */
export async function revokeSession(
  db: Database,
  sessionId: string,
  by: Revoker,
  owner?: string,
): Promise<SessionRevocation | undefined> {
  return db.transaction(async (tx) => {
    const session = await lockSession(tx, sessionId);
    if (!session || (owner !== undefined && session.cupid !== owner)) return undefined;
    return revokeLocked(tx, session, by);
  });
}

/** Revokes every active session of a customer, except `keep` (the caller's own, for "sign out elsewhere"). */
export async function revokeSessionsOf(
  db: Database,
  cupid: string,
  by: Revoker,
  keep?: string,
): Promise<{ sessionsRevoked: number; tokensRevoked: number }> {
  return db.transaction(async (tx) => {
    let sessionsRevoked = 0;
    let tokensRevoked = 0;
    for (const session of await lockActiveSessionsOf(tx, cupid)) {
      if (session.session_id === keep) continue;
      const r = await revokeLocked(tx, session, by);
      if (r.status === 'REVOKED') sessionsRevoked++;
      tokensRevoked += r.tokensRevoked;
    }
    return { sessionsRevoked, tokensRevoked };
  });
}

async function revokeLocked(tx: Queryable, session: LockedSession, by: Revoker): Promise<SessionRevocation> {
  if (session.status !== 'ACTIVE') return { sessionId: session.session_id, status: session.status, tokensRevoked: 0 };
  const { tokensRevoked } = await endSession(tx, session.session_id, { status: 'REVOKED', revokedBy: by.revokedBy, reason: by.reason });
  await recordAudit(tx, {
    type: 'SESSION_REVOKED',
    origin: by.origin,
    cupid: session.cupid,
    contextId: session.context_id,
    sessionId: session.session_id,
    data: { revoked_by: by.revokedBy, reason: by.reason, tokens_revoked: tokensRevoked, ...by.audit },
  });
  return { sessionId: session.session_id, status: 'REVOKED', tokensRevoked };
}
