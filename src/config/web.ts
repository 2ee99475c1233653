import { z } from 'zod';
import { flag, isLoopback, list, optionalText, optionalUrl, readEnv, SettingsError, text, wholeNumber, type Env } from './fields.js';

/**
 * Settings of the browser-facing parts: which other origins may call the API with credentials
 * (CORS), and whether the service serves its hosted pages. Part of the settings `loadSettings`
 * reads (`settings.web`).
 */
const WebEnv = z.object({
  /**
   * Exact origins (`https://app.bank.example`, comma separated) whose pages may call the API from
   * the browser with credentials. Empty: only the hosted pages, which are same-origin.
   */
  CIAM_CORS_ORIGINS: list(),
  /** How long a browser may cache a preflight answer, in seconds. */
  CIAM_CORS_MAX_AGE_SECONDS: wholeNumber(600, { min: 0, max: 86_400 }),
  /** Serve the hosted login, account and agent console pages (off when a bank ships its own). */
  CIAM_WEB_PAGES: flag(true),
  /** The x-client-id the hosted pages send; must be one of CIAM_CLIENT_IDS. */
  CIAM_WEB_CLIENT_ID: text('web-banking'),
  /**
   * The agent console's sign-in through the bank's workforce identity provider (OpenID Connect,
   * authorization code with PKCE, the console a public client): the IdP's issuer identifier…
   */
  CIAM_CONSOLE_OIDC_ISSUER: optionalUrl(),
  /** …the console's client id registered there (a public client: no secret)… */
  CIAM_CONSOLE_OIDC_CLIENT_ID: optionalText({ maxLength: 200 }),
  /** …the scopes it asks for (space separated)… */
  CIAM_CONSOLE_OIDC_SCOPE: text('openid').refine((scope) => /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/.test(scope), {
    message: 'must be space-separated OAuth scope tokens.',
  }),
  /** …and, for IdPs that take one, the resource indicator (RFC 8707) naming the agent API. */
  CIAM_CONSOLE_OIDC_RESOURCE: optionalUrl(),
  NODE_ENV: optionalText(),
  CIAM_AGENT_JWKS_URL: optionalText(),
  CIAM_AGENT_ISSUER: optionalText(),
  CIAM_AGENT_AUDIENCE: optionalText(),
});

/** What the agent console needs to sign agents in at the workforce IdP; the redirect URI is `<origin>/console`. */
export interface ConsoleOidcSettings {
  issuer: string;
  clientId: string;
  scope: string;
  resource?: string;
}

export interface WebSettings {
  corsOrigins: string[];
  corsMaxAgeSeconds: number;
  pages: boolean;
  clientId: string;
  /** Unset: the console signs agents in with development agent keys only. */
  consoleOidc?: ConsoleOidcSettings;
}

/**
 * One origin exactly as a browser sends it in the Origin header: scheme, host and port only.
 * Wildcards and paths are refused: a credentialed CORS allowlist must name each origin.
 */
function exactOrigin(entry: string): string {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new SettingsError(`CIAM_CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port]).`);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== entry || url.hostname.includes('*')) {
    throw new SettingsError(
      `CIAM_CORS_ORIGINS: "${entry}" is not an exact origin — write it as the browser sends it, e.g. "${url.origin}" (no path, no trailing slash, no wildcard).`,
    );
  }
  return url.origin;
}

function consoleOidc(e: z.infer<typeof WebEnv>): ConsoleOidcSettings | undefined {
  const issuer = e.CIAM_CONSOLE_OIDC_ISSUER;
  const clientId = e.CIAM_CONSOLE_OIDC_CLIENT_ID;
  if (!issuer && !clientId) return undefined;
  if (!issuer || !clientId) throw new SettingsError('CIAM_CONSOLE_OIDC_ISSUER and CIAM_CONSOLE_OIDC_CLIENT_ID go together (the console\'s workforce sign-in).');
  const url = new URL(issuer);
  // Plain HTTP only for an IdP on this machine during development; the code and tokens cross this connection.
  const insecureAllowed = e.NODE_ENV !== 'production' && url.protocol === 'http:' && isLoopback(url);
  if (url.protocol !== 'https:' && !insecureAllowed) {
    throw new SettingsError(`CIAM_CONSOLE_OIDC_ISSUER must be an https:// URL (plain http only for a loopback IdP in development): "${issuer}".`);
  }
  if (url.search || url.hash) throw new SettingsError('CIAM_CONSOLE_OIDC_ISSUER is an issuer identifier: no query or fragment.');
  // The console's tokens are only any use if the agent API verifies them.
  if (!e.CIAM_AGENT_JWKS_URL || !e.CIAM_AGENT_ISSUER || !e.CIAM_AGENT_AUDIENCE) {
    throw new SettingsError('CIAM_CONSOLE_OIDC_ISSUER needs the agent API to verify the IdP\'s tokens: set CIAM_AGENT_JWKS_URL, CIAM_AGENT_ISSUER and CIAM_AGENT_AUDIENCE.');
  }
  return { issuer, clientId, scope: e.CIAM_CONSOLE_OIDC_SCOPE, ...(e.CIAM_CONSOLE_OIDC_RESOURCE ? { resource: e.CIAM_CONSOLE_OIDC_RESOURCE } : {}) };
}

export function loadWebSettings(env: Env): WebSettings {
  const e = readEnv(WebEnv, env);
  const corsOrigins = [...new Set(e.CIAM_CORS_ORIGINS.map(exactOrigin))];
  return {
    corsOrigins,
    corsMaxAgeSeconds: e.CIAM_CORS_MAX_AGE_SECONDS,
    pages: e.CIAM_WEB_PAGES,
    clientId: e.CIAM_WEB_CLIENT_ID,
    consoleOidc: consoleOidc(e),
  };
}
