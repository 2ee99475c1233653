import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { errors, type Configuration } from 'oidc-provider';

/**
 * A real OpenID provider (the `oidc-provider` package) standing in for the bank's workforce IdP:
 * the agent console registered as a public client (PKCE, no secret), JWT access tokens for the
 * agent API's resource indicator carrying the account's roles, and oidc-provider's own
 * development login and consent screens (any password; the login name is the account id).
 */
export interface WorkforceOpenIdProvider {
  issuer: string;
  jwksUrl: string;
  /** The agent API's resource indicator, also the `aud` of the access tokens. */
  audience: string;
  clientId: string;
  /** Scope the console asks for: OpenID plus the agent API's scope. */
  scope: string;
  /** Registers the console's redirect URI (known once the service listens) and starts answering. */
  registerConsole(redirectUri: string): Promise<void>;
  close(): Promise<void>;
}

/** Accounts and their workforce roles; any other login name has none. */
export const WORKFORCE_ACCOUNTS: Record<string, string[]> = {
  'agent-ada': ['ciam-agent', 'staff'],
  'teller-tom': ['staff'],
};

export async function startWorkforceOpenIdProvider(): Promise<WorkforceOpenIdProvider> {
  let handle: RequestListener | undefined;
  const server: Server = createServer((req, res) => (handle ? handle(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/`;
  const audience = 'https://ciam.bank.example/agent-api';
  const clientId = 'ciam-agent-console';
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const signingKey = { ...(await exportJWK(privateKey)), kid: 'workforce-oidc-1', alg: 'RS256', use: 'sig' };

  return {
    issuer,
    jwksUrl: `${issuer}jwks`,
    audience,
    clientId,
    scope: 'openid agent',
    async registerConsole(redirectUri) {
      const configuration: Configuration = {
        clients: [
          {
            client_id: clientId,
            token_endpoint_auth_method: 'none',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        pkce: { required: () => true },
        ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 600, AuthorizationCode: 60 },
        jwks: { keys: [signingKey] },
        cookies: { keys: ['workforce-test-cookie-key-0123456789'] },
        findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
        extraTokenClaims: (_ctx, token) => ('accountId' in token && token.accountId ? { roles: WORKFORCE_ACCOUNTS[token.accountId] ?? [] } : undefined),
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            getResourceServerInfo: (_ctx, resource) => {
              if (resource !== audience) throw new errors.InvalidTarget();
              return { scope: 'agent', audience, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: 'RS256' } } };
            },
          },
        },
        // The console calls discovery and the token endpoint from the browser.
        clientBasedCORS: () => true,
      };
      const provider = new Provider(issuer, configuration);
      handle = provider.callback() as RequestListener;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
