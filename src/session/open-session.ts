import { v7 as timeOrderedUuid } from 'uuid';
import type { Queryable } from '../store/database.js';
import type { RequestOrigin } from '../audit/record.js';
import { originData, recordAuditInStatement } from '../audit/record.js';
import type { JourneyClosing } from '../store/queries/auth-contexts.js';
import { insertSessionWithTokens } from '../store/queries/session-opening.js';
import { scopesOfClient, type ClientScopes } from './client-scopes.js';
import { signIdToken } from './id-token.js';
import type { SigningKeys } from './signing-keys.js';
import { newOpaqueToken, tokenHash } from './token-values.js';


export interface OpenSessionInput {
  contextId: string;
  cupid: string;
  clientId: string;
  deviceFingerprint?: string | null;
  origin: RequestOrigin;
  /** The journey that earned the session, closed by the same statement that opens it. */
  journey: JourneyClosing;
}
export interface IssuedTokens { sessionId: string; accessToken: string; idToken: string; refreshToken: string; expiresIn: number; }
export interface SessionOpener { open(tx: Queryable, input: OpenSessionInput): Promise<IssuedTokens>; }

export interface OpenSessionDeps {
  issuer: string;
  clients: ClientScopes;
  lifetimes: { accessToken: number; refreshToken: number; session: number };
  signingKeys: SigningKeys;
}

/**
 * The end of a successful login: the journey's outcome, one session row, its access, ID and
 * refresh tokens (hashes only) and the LOGIN_SUCCESS audit row naming them, in one statement — on
 * the caller's transaction, or on its own when the journey ends at the password. The session id
 * is chosen here so that the ID token (whose `sid` it is) can be signed before the insert.
 */
export async function openSession(deps: OpenSessionDeps, tx: Queryable, input: OpenSessionInput): Promise<IssuedTokens> {
  const sessionId = timeOrderedUuid();
  const key = await deps.signingKeys.signingKey(tx);
  const accessToken = newOpaqueToken();
  const refreshToken = newOpaqueToken();
  const idToken = await signIdToken(key, {
    issuer: deps.issuer,
    cupid: input.cupid,
    clientId: input.clientId,
    sessionId,
    authTime: Math.floor(Date.now() / 1000),
    lifetimeSeconds: deps.lifetimes.accessToken,
  });
  const data = { ...originData(input.origin), signing_kid: key.kid };
  const opened = await recordAuditInStatement(
    'LOGIN_SUCCESS',
    (event) =>
      insertSessionWithTokens(tx, {
        sessionId,
        contextId: input.contextId,
        cupid: input.cupid,
        clientId: input.clientId,
        deviceFingerprint: input.deviceFingerprint ?? null,
        ipAddress: input.origin.ipAddress,
        userAgent: input.origin.userAgent ?? null,
        lifetimeSeconds: deps.lifetimes.session,
        tokens: [
          { type: 'ACCESS', hash: tokenHash(accessToken), lifetimeSeconds: deps.lifetimes.accessToken, scopes: scopesOfClient(deps.clients, input.clientId) },
          { type: 'ID', hash: tokenHash(idToken), lifetimeSeconds: deps.lifetimes.accessToken, scopes: null },
          { type: 'REFRESH', hash: tokenHash(refreshToken), lifetimeSeconds: deps.lifetimes.refreshToken, scopes: null },
        ],
        journey: input.journey,
        audit: { ...event, correlationId: input.origin.correlationId, dataJson: JSON.stringify(data) },
      }),
    (row) =>
      row
        ? [
            {
              origin: input.origin,
              cupid: input.cupid,
              contextId: input.contextId,
              sessionId,
              transactionId: input.journey.kind === 'finish' ? input.journey.lastTransactionId : null,
              data: { ...data, expires_at: row.expires_at, token_ids: row.token_ids },
            },
          ]
        : [],
  );
  // The journey row was locked by the caller and found open: losing it here is a defect, not a race.
  if (!opened) throw new Error(`journey ${input.contextId} was no longer open when its session was to be opened`);
  return { sessionId, accessToken, idToken, refreshToken, expiresIn: deps.lifetimes.accessToken };
}
