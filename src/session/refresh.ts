import type { RequestOrigin } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import { CiamError, type CiamErrorCode } from '../errors/catalogue.js';
import { sqlStateOf, SqlState, type Database, type Queryable } from '../store/database.js';
import { lockSessionOfRefreshToken, touchSession, type LockedSession } from '../store/queries/sessions.js';
import { insertTokens, refreshChainOf, tokenExists, refreshTokensOf, rotateTokens, type RefreshTokenState } from '../store/queries/tokens.js';
import { scopesOfClient, type ClientScopes } from './client-scopes.js';
import type { LiveRefreshRotation } from './live-refresh-rotation.js';
import { endSession } from './end-session.js';
import { newOpaqueToken, tokenHash } from './token-values.js';
import { oneAtATime } from './one-at-a-time.js';

/** Careful-path refreshes of the same presented token, one after another (see oneAtATime). */
const carefulPerToken = oneAtATime();

export interface RefreshDeps {
  db: Database;
  clients: ClientScopes;
  lifetimes: { accessToken: number; refreshToken: number };
  graceSeconds: number;
  liveRotation: LiveRefreshRotation;
}

export interface RefreshedTokens {
  sessionId: string;
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

type Outcome = { ok: RefreshedTokens } | { fail: CiamErrorCode; contextId?: string };

/**
 * Exchanges a refresh token for a new access and refresh token, rotating both old ones.
 *
 * The session row is locked first, so refreshes of one session run one after another. A ROTATED
 * token presented again is theft, unless it is the immediately previous token within the grace
 * window (two tabs refreshing together): then it once more yields a pair in the same chain.
 * Throws CIAM_E04_00_001 (unknown, or issued to another client), _002 (expired, rotated, revoked),
 * _003/_004/_005 (session).
 */
export async function refreshTokens(deps: RefreshDeps, presented: string, origin: RequestOrigin): Promise<RefreshedTokens> {
  const hash = tokenHash(presented);
  const ordinary = await rotateOrdinary(deps, hash, origin);
  if (ordinary) return ordinary;
  let outcome: Outcome;
  try {
    // A reuse revocation must commit even though the caller gets a 401: the outcome is returned
    // from the transaction and thrown only after it.
    outcome = await carefulPerToken(hash, () => deps.db.transaction((tx) => decide(deps, tx, hash, origin)));
  } catch (err) {
    // Two rotations racing past each other meet on the one-active-token index: the loser refreshed
    // with a token that is no longer current.
    if (sqlStateOf(err) === SqlState.uniqueViolation || sqlStateOf(err) === SqlState.deadlockDetected) {
      throw new CiamError('CIAM_E04_00_002', { cause: err });
    }
    throw err;
  }
  if ('fail' in outcome) throw new CiamError(outcome.fail, outcome.contextId ? { contextId: outcome.contextId } : {});
  return outcome.ok;
}

/**
 * The common case — a live refresh token of a live session — rotated together with the other
 * refreshes arriving at the same moment (see LiveRefreshRotation). Undefined sends the caller
 * down the careful path, which tells apart every other case.
 */
async function rotateOrdinary(deps: RefreshDeps, hash: string, origin: RequestOrigin): Promise<RefreshedTokens | undefined> {
  const accessToken = newOpaqueToken();
  const refreshToken = newOpaqueToken();
  const row = await deps.liveRotation.rotate({
    presentedHash: hash,
    newAccessHash: tokenHash(accessToken),
    newRefreshHash: tokenHash(refreshToken),
    origin,
  });
  if (!row) return undefined;
  return { sessionId: row.session_id, accessToken, refreshToken, expiresIn: deps.lifetimes.accessToken };
}

async function decide(deps: RefreshDeps, tx: Queryable, hash: string, origin: RequestOrigin): Promise<Outcome> {
  const session = await lockSessionOfRefreshToken(tx, hash, origin.clientId ?? null);
  if (!session) return { fail: (await tokenExists(tx, hash, 'REFRESH')) ? 'CIAM_E04_00_003' : 'CIAM_E04_00_001' };
  // For another client than the session's the token does not exist (no rotation, no reuse alarm,
  // nothing said about the session); the rule is refreshableBy, which the batched rotation applies too.
  if (!session.refreshable_by_client) return { fail: 'CIAM_E04_00_001' };
  const contextId = session.context_id;
  const tokens = await refreshTokensOf(tx, session.session_id, hash, deps.graceSeconds);
  const token = tokens.find((t) => t.presented);
  if (!token) return { fail: 'CIAM_E04_00_003', contextId };
  if (session.status !== 'ACTIVE') return { fail: 'CIAM_E04_00_004', contextId };
  if (session.expired) return { fail: 'CIAM_E04_00_005', contextId };

  switch (token.status) {
    case 'ACTIVE':
      if (token.expired) return { fail: 'CIAM_E04_00_002', contextId };
      return rotate(deps, tx, session, token, origin, false);
    case 'ROTATED': {
      const current = tokens.find((t) => t.status === 'ACTIVE' && !t.presented);
      if (token.in_grace && current && current.parent_token_id === token.token_id && !current.expired) {
        return rotate(deps, tx, session, current, origin, true);
      }
      // Inside the window but no longer the immediately previous token: refused, not alarming.
      if (token.in_grace) return { fail: 'CIAM_E04_00_002', contextId };
      await revokeForReuse(tx, session, token, origin);
      return { fail: 'CIAM_E04_00_002', contextId };
    }
    default:
      return { fail: 'CIAM_E04_00_002', contextId };
  }
}

async function rotate(
  deps: RefreshDeps,
  tx: Queryable,
  session: LockedSession,
  parent: RefreshTokenState,
  origin: RequestOrigin,
  grace: boolean,
): Promise<Outcome> {
  const rotated = await rotateTokens(tx, session.session_id, parent.token_id);
  if (!rotated.refreshRotated) return { fail: 'CIAM_E04_00_002', contextId: session.context_id };
  const accessToken = newOpaqueToken();
  const refreshToken = newOpaqueToken();
  const scopes = scopesOfClient(deps.clients, session.client_id);
  const rows = await insertTokens(tx, session.session_id, [
    { type: 'ACCESS', hash: tokenHash(accessToken), lifetimeSeconds: deps.lifetimes.accessToken, parentTokenId: rotated.accessTokenId, scopes },
    { type: 'REFRESH', hash: tokenHash(refreshToken), lifetimeSeconds: deps.lifetimes.refreshToken, parentTokenId: parent.token_id },
  ]);
  await touchSession(tx, session.session_id);
  await recordAudit(tx, {
    type: grace ? 'TOKEN_REFRESH_GRACE' : 'TOKEN_REFRESHED',
    origin,
    cupid: session.cupid,
    contextId: session.context_id,
    sessionId: session.session_id,
    data: {
      rotated_refresh_token_id: parent.token_id,
      rotated_access_token_id: rotated.accessTokenId,
      ...Object.fromEntries(rows.map((r) => [`new_${r.token_type.toLowerCase()}_token_id`, r.token_id])),
    },
  });
  return { ok: { sessionId: session.session_id, accessToken, refreshToken, expiresIn: deps.lifetimes.accessToken } };
}

async function revokeForReuse(tx: Queryable, session: LockedSession, token: RefreshTokenState, origin: RequestOrigin): Promise<void> {
  const chain = await refreshChainOf(tx, session.session_id);
  const reason = 'refresh token reuse detected';
  const { tokensRevoked } = await endSession(tx, session.session_id, { status: 'REVOKED', revokedBy: 'SYSTEM', reason });
  const common = { origin, cupid: session.cupid, contextId: session.context_id, sessionId: session.session_id } as const;
  await recordAudit(tx, {
    ...common,
    type: 'TOKEN_REUSE_DETECTED',
    data: {
      reused_token_id: token.token_id,
      reused_token_rotated_at: token.rotated_at?.toISOString() ?? null,
      chain: chain.map((t) => ({
        token_id: t.token_id,
        parent_token_id: t.parent_token_id,
        status_before: t.status,
        created_at: t.created_at.toISOString(),
        rotated_at: t.rotated_at?.toISOString() ?? null,
      })),
      tokens_revoked: tokensRevoked,
    },
  });
  await recordAudit(tx, { ...common, type: 'SESSION_REVOKED', data: { revoked_by: 'SYSTEM', reason, tokens_revoked: tokensRevoked } });
}
