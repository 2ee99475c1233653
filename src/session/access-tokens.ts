import { CiamError } from '../errors/catalogue.js';
import type { LiveAccessToken } from '../store/queries/tokens.js';
import type { AccessTokenLookup } from './access-token-lookup.js';
import { tokenHash } from './token-values.js';

export interface TokenVerdict {
  active: boolean;
  expiresIn?: number;
}

/**
 * The gateway's check: live token, live session, and every required scope granted. One indexed
 * query per call (shared with the calls that arrive alongside) and no cache, so a revoked or
 * rotated token is inactive on the very next call.
 */
export async function verifyAccessToken(lookup: AccessTokenLookup, token: string, requiredScopes: string[] = []): Promise<TokenVerdict> {
  const live = await lookup.find(tokenHash(token));
  if (!live) return { active: false };
  const granted = live.scopes ?? [];
  if (!requiredScopes.every((s) => granted.includes(s))) return { active: false };
  return { active: true, expiresIn: Math.max(0, live.expires_in) };
}

/** The customer behind a bearer access token. Throws CIAM_E04_00_006 (none) or _007 (not live). */
export async function authenticateAccessToken(lookup: AccessTokenLookup, token: string | undefined): Promise<LiveAccessToken> {
  if (!token) throw new CiamError('CIAM_E04_00_006');
  const live = await lookup.find(tokenHash(token));
  if (!live) throw new CiamError('CIAM_E04_00_007');
  return live;
}
