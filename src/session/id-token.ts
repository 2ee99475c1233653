import { SignJWT } from 'jose';
import type { SigningKey } from './signing-keys.js';

export interface IdTokenClaims {
  issuer: string;
  cupid: string;
  clientId: string;
  sessionId: string;
  /** When the customer authenticated, in seconds since the epoch. */
  authTime: number;
  lifetimeSeconds: number;
}

/** The OpenID Connect ID token: who logged in, for which client, in which session. */
export async function signIdToken(key: SigningKey, c: IdTokenClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: c.sessionId, auth_time: c.authTime })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(c.issuer)
    .setSubject(c.cupid)
    .setAudience(c.clientId)
    .setIssuedAt(now)
    .setExpirationTime(now + c.lifetimeSeconds)
    .sign(key.privateKey);
}
