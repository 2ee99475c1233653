import type { Queryable } from '../database.js';
import { isExpired, isLive, refreshableBy } from './token-rules.js';
import { tokensByHash } from './tokens.js';

export type SessionStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'LOGGED_OUT';

/** The session a token belongs to, locked for the rest of the transaction; fresh after the wait. */
export interface LockedSession {
  session_id: string;
  context_id: string;
  cupid: string;
  client_id: string | null;
  status: SessionStatus;
  expired: boolean;
}

const lockedSessionColumns = `s.session_id, s.context_id, s.cupid, s.client_id, s.status, ${isExpired('s')} AS expired`;

/** The session of a presented refresh token, as lockSessionOfRefreshToken finds it. */
export interface LockedRefreshSession extends LockedSession {
  /** Whether the asking client may use the session's refresh token (see refreshableBy). */
  refreshable_by_client: boolean;
}

/**
 * Finds the session of a refresh token by the token's hash and locks its row. Every change to a
 * session's tokens takes this lock first (sessions before tokens, everywhere), so concurrent
 * refreshes, logouts and revocations of one session queue instead of interleaving.
 */
export async function lockSessionOfRefreshToken(
  db: Queryable,
  hash: string,
  askingClientId: string | null,
): Promise<LockedRefreshSession | undefined> {
  const { rows } = await db.query<LockedRefreshSession>({
    name: 'session_lock_by_refresh_token',
    text: `SELECT ${lockedSessionColumns}, ${refreshableBy('s', '$3::varchar')} AS refreshable_by_client
           FROM sessions s
           WHERE s.session_id = (SELECT t.session_id FROM (${tokensByHash('session_id, created_at')}) t
                                 ORDER BY t.created_at DESC LIMIT 1)
           FOR UPDATE OF s`,
    values: [hash, 'REFRESH', askingClientId],
  });
  return rows[0];
}

export async function lockSession(db: Queryable, sessionId: string): Promise<LockedSession | undefined> {
  const { rows } = await db.query<LockedSession>(
    `SELECT ${lockedSessionColumns}
     FROM sessions s WHERE s.session_id = $1 FOR UPDATE`,
    [sessionId],
  );
  return rows[0];
}

/** The active sessions of a customer, locked (revoke-all). */
export async function lockActiveSessionsOf(db: Queryable, cupid: string): Promise<LockedSession[]> {
  const { rows } = await db.query<LockedSession>(
    `SELECT ${lockedSessionColumns}
     FROM sessions s WHERE s.cupid = $1 AND s.status = 'ACTIVE' ORDER BY s.session_id FOR UPDATE`,
    [cupid],
  );
  return rows;
}

export async function touchSession(db: Queryable, sessionId: string): Promise<void> {
  await db.query({ name: 'session_touch', text: 'UPDATE sessions SET last_activity_at = now() WHERE session_id = $1', values: [sessionId] });
}

export type SessionEnd =
  | { status: 'LOGGED_OUT' }
  | { status: 'REVOKED'; revokedBy: string; reason: string };

/** Ends an ACTIVE session; false when it was no longer active. */
export async function endSessionRow(db: Queryable, sessionId: string, end: SessionEnd): Promise<boolean> {
  const revoked = end.status === 'REVOKED';
  const { rowCount } = await db.query(
    `UPDATE sessions SET status = $2::session_status, ended_at = now(),
            revoked_at = CASE WHEN $3 THEN now() END, revoked_by = $4, revocation_reason = $5
     WHERE session_id = $1 AND status = 'ACTIVE'`,
    [sessionId, end.status, revoked, revoked ? end.revokedBy : null, revoked ? end.reason : null],
  );
  return (rowCount ?? 0) > 0;
}

export interface CustomerSessionRow {
  session_id: string;
  client_id: string | null;
  device_fingerprint: string | null;
  ip_address: string;
  user_agent: string | null;
  created_at: Date;
  last_activity_at: Date;
  expires_at: Date;
}

/** A customer's live sessions, newest first (served by idx_sessions_cupid_active). */
export async function liveSessionsOf(db: Queryable, cupid: string): Promise<CustomerSessionRow[]> {
  const { rows } = await db.query<CustomerSessionRow>(
    `SELECT s.session_id, s.client_id, s.device_fingerprint, s.ip_address, s.user_agent, s.created_at, s.last_activity_at, s.expires_at
     FROM sessions s WHERE s.cupid = $1 AND ${isLive('s')}
     ORDER BY s.created_at DESC, s.session_id LIMIT 500`,
    [cupid],
  );
  return rows;
}

export interface ActiveSessionViewRow extends CustomerSessionRow {
  context_id: string;
  active_token_count: number;
  has_active_access_token: boolean;
  has_active_refresh_token: boolean;
}

/**
 * The agent's view of a customer's sessions (v_active_sessions). The device shows as a label — the
 * first 8 hex digits of its keyed hash — enough to tell devices apart, nothing to replay.
 */
export async function activeSessionsView(db: Queryable, cupid: string): Promise<ActiveSessionViewRow[]> {
  const { rows } = await db.query<ActiveSessionViewRow>(
    `SELECT session_id, context_id, client_id, left(device_fingerprint, 8) AS device_fingerprint,
            ip_address, user_agent, created_at, last_activity_at, expires_at, active_token_count::int AS active_token_count,
            has_active_access_token, has_active_refresh_token
     FROM v_active_sessions WHERE cupid = $1 ORDER BY created_at DESC, session_id LIMIT 500`,
    [cupid],
  );
  return rows;
}
