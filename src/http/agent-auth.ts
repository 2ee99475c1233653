import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import type { Settings } from '../config/settings.js';
import { CiamError } from '../errors/catalogue.js';
import { secretMatcher } from './secret-match.js';

export interface AgentIdentity {
  agentId: string;
  /** How the agent proved who they are. */
  method: 'workforce-jwt' | 'dev-key';
}

// Agents' tokens are signed by the workforce IdP with an asymmetric key; never HS* or none.
const AGENT_JWT_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

/** A claim by name, or by dotted path for IdPs that nest roles (`realm_access.roles`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  if (path in payload) return payload[path];
  return path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), payload);
}

function hasRole(claim: unknown, role: string): boolean {
  if (Array.isArray(claim)) return claim.includes(role);
  if (typeof claim === 'string') return claim.split(/[\s,]+/).includes(role);
  return false;
}

/**
 * Who is calling the agent API. Production: a bearer JWT from the workforce identity provider,
 * verified against its JWKS, issuer and audience, and carrying the agent role. Development: a
 * CIAM_AGENT_KEYS secret as the bearer credential, compared in constant time.
 * Throws CIAM_E00_00_002 (no or bad credential) or CIAM_E00_00_003 (authenticated, role missing).
 */
export class AgentAuthenticator {
  private readonly idp?: Settings['agentIdentityProvider'] & { jwks: ReturnType<typeof createRemoteJWKSet> };
  private readonly devKey: (presented: unknown) => string | undefined;

  constructor(settings: Pick<Settings, 'agentIdentityProvider' | 'agentKeys'>) {
    const idp = settings.agentIdentityProvider;
    if (idp) this.idp = { ...idp, jwks: createRemoteJWKSet(new URL(idp.jwksUrl), { timeoutDuration: 5_000 }) };
    this.devKey = secretMatcher(settings.agentKeys);
  }

  async authenticate(credential: string | undefined): Promise<AgentIdentity> {
    if (!credential) throw new CiamError('CIAM_E00_00_002');
    if (this.idp && credential.split('.').length === 3) return this.fromJwt(credential);
    const agentId = this.devKey(credential);
    if (agentId) return { agentId, method: 'dev-key' };
    throw new CiamError('CIAM_E00_00_002');
  }

  private async fromJwt(jwt: string): Promise<AgentIdentity> {
    const idp = this.idp!;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(jwt, idp.jwks, { issuer: idp.issuer, audience: idp.audience, algorithms: AGENT_JWT_ALGS }));
    } catch (err) {
      throw new CiamError('CIAM_E00_00_002', { cause: err });
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 100) {
      throw new CiamError('CIAM_E00_00_002');
    }
    if (!hasRole(claimAt(payload, idp.roleClaim), idp.role)) throw new CiamError('CIAM_E00_00_003');
    return { agentId: payload.sub, method: 'workforce-jwt' };
  }
}
