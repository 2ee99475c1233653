import { z } from 'zod';
import { SettingsError, type Env } from './settings.js';

/**
 * Settings of the browser-facing parts: which other origins may call the API with credentials
 * (CORS), and whether the service serves its hosted pages. Read from the same environment as
 * `loadSettings` (pass `settings.env`).
 */
const WebEnv = z.object({
  /**
   * Exact origins (`https://app.bank.example`, comma separated) whose pages may call the API from
   * the browser with credentials. Empty: only the hosted pages, which are same-origin.
   */
  CIAM_CORS_ORIGINS: z.string().default(''),
  /** How long a browser may cache a preflight answer, in seconds. */
  CIAM_CORS_MAX_AGE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Serve the hosted login, account and agent console pages (off when a bank ships its own). */
  CIAM_WEB_PAGES: z.enum(['true', 'false']).default('true'),
  /** The x-client-id the hosted pages send; must be one of CIAM_CLIENT_IDS. */
  CIAM_WEB_CLIENT_ID: z.string().min(1).default('web-banking'),
  /**
   * The agent console's sign-in through the bank's workforce identity provider (OpenID Connect,
   * authorization code with PKCE, the console a public client): the IdP's issuer identifier…
   */
  CIAM_CONSOLE_OIDC_ISSUER: z.string().url().optional(),
  /** …the console's client id registered there (a public client: no secret)… */
  CIAM_CONSOLE_OIDC_CLIENT_ID: z.string().min(1).max(200).optional(),
  /** …the scopes it asks for (space separated)… */
  CIAM_CONSOLE_OIDC_SCOPE: z
    .string()
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/, 'space-separated OAuth scope tokens')
    .default('openid'),
  /** …and, for IdPs that take one, the resource indicator (RFC 8707) naming the agent API. */
  CIAM_CONSOLE_OIDC_RESOURCE: z.string().url().optional(),
  NODE_ENV: z.string().optional(),
  CIAM_AGENT_JWKS_URL: z.string().optional(),
  CIAM_AGENT_ISSUER: z.string().optional(),
  CIAM_AGENT_AUDIENCE: z.string().optional(),
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

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

function consoleOidc(e: z.infer<typeof WebEnv>): ConsoleOidcSettings | undefined {
  const issuer = e.CIAM_CONSOLE_OIDC_ISSUER;
  const clientId = e.CIAM_CONSOLE_OIDC_CLIENT_ID;
  if (!issuer && !clientId) return undefined;
  if (!issuer || !clientId) throw new SettingsError('CIAM_CONSOLE_OIDC_ISSUER and CIAM_CONSOLE_OIDC_CLIENT_ID go together (the console\'s workforce sign-in).');
  const url = new URL(issuer);
  // Plain HTTP only for an IdP on this machine during development; the code and tokens cross this connection.
  const insecureAllowed = e.NODE_ENV !== 'production' && url.protocol === 'http:' && LOOPBACK.has(url.hostname);
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
  const parsed = WebEnv.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`Setting ${issue.path.join('.')} is invalid: ${issue.message}`);
  }
  const e = parsed.data;
  const corsOrigins = [
    ...new Set(
      e.CIAM_CORS_ORIGINS.split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(exactOrigin),
    ),
  ];
  return {
    corsOrigins,
    corsMaxAgeSeconds: e.CIAM_CORS_MAX_AGE_SECONDS,
    pages: e.CIAM_WEB_PAGES === 'true',
    clientId: e.CIAM_WEB_CLIENT_ID,
    consoleOidc: consoleOidc(e),
  };
}
