import type { RequestOrigin } from '../audit/record.js';
import type { Settings } from '../config/settings.js';
import type { Database, Queryable } from '../store/database.js';
import type { LiveAccessToken } from '../store/queries/tokens.js';
import { AccessTokenLookup } from './access-token-lookup.js';
import { authenticateAccessToken, verifyAccessToken, type TokenVerdict } from './access-tokens.js';
import { logout } from './logout.js';
import { openSession, type IssuedTokens, type OpenSessionInput, type SessionOpener } from './open-session.js';
import { LiveRefreshRotation } from './live-refresh-rotation.js';
import { refreshTokens, type RefreshedTokens } from './refresh.js';
import { revokeSession, revokeSessionsOf, type Revoker, type SessionRevocation } from './revoke-sessions.js';
import type { SigningKeys } from './signing-keys.js';

/** Sessions and their tokens: open, rotate, verify, end and revoke. One entry point for the HTTP layer. */
export class SessionService implements SessionOpener {
  private readonly accessTokens: AccessTokenLookup;
  private readonly liveRotation: LiveRefreshRotation;

  constructor(
    private readonly settings: Settings,
    private readonly db: Database,
    private readonly signingKeys: SigningKeys,
  ) {
    // Read-only lookups (gateway verify, userinfo, /me authentication) on the read pool.
    this.accessTokens = new AccessTokenLookup(db.reads);
    this.liveRotation = new LiveRefreshRotation(db, { clients: settings.clients, lifetimes: settings.lifetimes });
  }

  open(tx: Queryable, input: OpenSessionInput): Promise<IssuedTokens> {
    return openSession(
      { issuer: this.settings.issuer, clients: this.settings.clients, lifetimes: this.settings.lifetimes, signingKeys: this.signingKeys },
      tx,
      input,
    );
  }

  refresh(refreshToken: string, origin: RequestOrigin): Promise<RefreshedTokens> {
    return refreshTokens(
      { db: this.db, clients: this.settings.clients, lifetimes: this.settings.lifetimes, graceSeconds: this.settings.refreshGraceSeconds, liveRotation: this.liveRotation },
      refreshToken,
      origin,
    );
  }

  logout(presented: { refreshToken?: string; accessToken?: string }, origin: RequestOrigin): Promise<string[]> {
    return logout(this.db, presented, origin);
  }

  verify(accessToken: string, requiredScopes?: string[]): Promise<TokenVerdict> {
    return verifyAccessToken(this.accessTokens, accessToken, requiredScopes);
  }

  authenticate(accessToken: string | undefined): Promise<LiveAccessToken> {
    return authenticateAccessToken(this.accessTokens, accessToken);
  }

  revoke(sessionId: string, by: Revoker, owner?: string): Promise<SessionRevocation | undefined> {
    return revokeSession(this.db, sessionId, by, owner);
  }

  revokeAllOf(cupid: string, by: Revoker, keep?: string): Promise<{ sessionsRevoked: number; tokensRevoked: number }> {
    return revokeSessionsOf(this.db, cupid, by, keep);
  }
}
