import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

/** A stand-in for the workforce identity provider: a JWKS on a local port and a token minter. */
export interface WorkforceIdp {
  jwksUrl: string;
  issuer: string;
  audience: string;
  sign(claims: JWTPayload, options?: { key?: 'trusted' | 'stranger'; expiresAt?: string | number }): Promise<string>;
  close(): Promise<void>;
}

export async function startWorkforceIdp(): Promise<WorkforceIdp> {
  const trusted = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(trusted.publicKey)), kid: 'workforce-1', alg: 'RS256', use: 'sig' };
  const server: Server = createServer((req, res) => {
    if (req.url === '/jwks') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/`;
  const audience = 'ciam-agent-api';
  return {
    jwksUrl: `http://127.0.0.1:${port}/jwks`,
    issuer,
    audience,
    async sign(claims, options = {}) {
      const key: CryptoKey = (options.key === 'stranger' ? stranger : trusted).privateKey;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: 'workforce-1' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setIssuedAt()
        .setExpirationTime(options.expiresAt ?? '5m')
        .sign(key);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
