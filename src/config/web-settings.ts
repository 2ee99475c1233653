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
});

export interface WebSettings {
  corsOrigins: string[];
  corsMaxAgeSeconds: number;
  pages: boolean;
  clientId: string;
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
  };
}
