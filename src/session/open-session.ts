import type { Queryable } from '../store/database.js';
import type { RequestOrigin } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import { insertSession } from '../store/queries/sessions.js';
import { insertTokens } from '../store/queries/tokens.js';
import { signIdToken } from './id-token.js';
import type { SigningKeys } from './signing-keys.js';
import { newOpaqueToken, tokenHash } from './token-values.js';

export interface OpenSessionInput { contextId: string; cupid: string; clientId: string; deviceFingerprint?: string | null; origin: RequestOrigin; }
export interface IssuedTokens { sessionId: string; accessToken: string; idToken: string; refreshToken: string; expiresIn: number; }
export interface SessionOpener { open(tx: Queryable, input: OpenSessionInput): Promise<IssuedTokens>; }

export interface OpenSessionDeps {
  issuer: string;
  clients: Map<string, string[]>;
  lifetimes: { accessToken: number; refreshToken: number; session: number };
  signingKeys: SigningKeys;
}

/**
 * The end of a successful login: one session row, its access, ID and refresh tokens (hashes only)
 * and the SESSION_CREATED audit row, all on the caller's transaction.
 */
export async function openSession(deps: OpenSessionDeps, tx: Queryable, input: OpenSessionInput): Promise<IssuedTokens> {
  const session = await insertSession(tx, {
    contextId: input.contextId,
    cupid: input.cupid,
    clientId: input.clientId,
    deviceFingerprint: input.deviceFingerprint ?? null,
    ipAddress: input.origin.ipAddress,
    userAgent: input.origin.userAgent ?? null,
    lifetimeSeconds: deps.lifetimes.session,
  });
  const key = await deps.signingKeys.signingKey(tx);
  const accessToken = newOpaqueToken();
  const refreshToken = newOpaqueToken();
  const idToken = await signIdToken(key, {
    issuer: deps.issuer,
    cupid: input.cupid,
    clientId: input.clientId,
    sessionId: session.session_id,
    authTime: Math.floor(session.created_at.getTime() / 1000),
    lifetimeSeconds: deps.lifetimes.accessToken,
  });
  const scopes = deps.clients.get(input.clientId) ?? [];
  const rows = await insertTokens(tx, session.session_id, [
    { type: 'ACCESS', hash: tokenHash(accessToken), lifetimeSeconds: deps.lifetimes.accessToken, scopes },
    { type: 'ID', hash: tokenHash(idToken), lifetimeSeconds: deps.lifetimes.accessToken },
    { type: 'REFRESH', hash: tokenHash(refreshToken), lifetimeSeconds: deps.lifetimes.refreshToken },
  ]);
  await recordAudit(tx, {
    type: 'SESSION_CREATED',
    origin: input.origin,
    cupid: input.cupid,
    contextId: input.contextId,
    sessionId: session.session_id,
    data: {
      expires_at: session.expires_at.toISOString(),
      token_ids: Object.fromEntries(rows.map((r) => [r.token_type.toLowerCase(), r.token_id])),
      signing_kid: key.kid,
    },
  });
  return { sessionId: session.session_id, accessToken, idToken, refreshToken, expiresIn: deps.lifetimes.accessToken };
}
