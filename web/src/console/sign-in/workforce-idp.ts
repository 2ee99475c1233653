import * as oauth from 'oauth4webapi';
import type { ConsoleOidc } from '../../config';

/**
 * The console's sign-in at the bank's workforce identity provider: OpenID Connect authorization
 * code flow with PKCE (S256) and state, the console a public client (no secret in a page). The
 * protocol steps are oauth4webapi's; this module only keeps the PKCE verifier and state across
 * the redirect (sessionStorage: this tab only, gone when it closes) and hands back the access
 * token, which stays in memory. The agent API verifies that token (a JWT) itself.
 */

const PENDING_KEY = 'ciam-console-oidc-pending';

interface Pending {
  state: string;
  codeVerifier: string;
}

/** Where the IdP sends the agent back: this page, on this origin (registered at the IdP). */
export const redirectUri = (): string => `${location.origin}/console`;

// Plain HTTP only reaches here for a loopback IdP in development: the service refuses it otherwise.
const transport = (issuer: URL) => (issuer.protocol === 'http:' ? { [oauth.allowInsecureRequests]: true } : {});

async function discover(config: ConsoleOidc): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(config.issuer);
  const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...transport(issuer) });
  return oauth.processDiscoveryResponse(issuer, response);
}

/** Sends the browser to the IdP's authorization endpoint. */
export async function beginSignIn(config: ConsoleOidc): Promise<void> {
  const as = await discover(config);
  if (!as.authorization_endpoint) throw new Error('the identity provider publishes no authorization endpoint');
  const pending: Pending = { state: oauth.generateRandomState(), codeVerifier: oauth.generateRandomCodeVerifier() };
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('redirect_uri', redirectUri());
  url.searchParams.set('scope', config.scope);
  url.searchParams.set('state', pending.state);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.codeVerifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (config.resource) url.searchParams.set('resource', config.resource);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
  location.assign(url.href);
}

/** Whether this load is the IdP's answer (a code or an error) to a sign-in this tab started. */
export function isCallback(): boolean {
  const params = new URLSearchParams(location.search);
  return (params.has('code') || params.has('error')) && sessionStorage.getItem(PENDING_KEY) !== null;
}

/** Thrown when the IdP refused the sign-in (the agent cancelled, no consent…), with its error code. */
export class SignInRefused extends Error {}

/**
 * Completes the sign-in from the IdP's answer in the URL: checks the state, exchanges the code
 * with the PKCE verifier, and returns the access token. The verifier is single-use and the code
 * leaves the address bar (and history) before anything else happens.
 */
export async function completeSignIn(config: ConsoleOidc): Promise<string> {
  const answer = new URL(location.href);
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as Pending | null;
  sessionStorage.removeItem(PENDING_KEY);
  history.replaceState(null, '', '/console');
  if (!pending) throw new Error('no sign-in was started in this tab');

  const as = await discover(config);
  const client: oauth.Client = { client_id: config.clientId };
  let params: URLSearchParams;
  try {
    params = oauth.validateAuthResponse(as, client, answer, pending.state);
  } catch (err) {
    if (err instanceof oauth.AuthorizationResponseError) throw new SignInRefused(err.error, { cause: err });
    throw err;
  }
  const response = await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), params, redirectUri(), pending.codeVerifier, {
    ...(config.resource ? { additionalParameters: { resource: config.resource } } : {}),
    ...transport(new URL(config.issuer)),
  });
  const tokens = await oauth.processAuthorizationCodeResponse(as, client, response);
  return tokens.access_token;
}
