import { SettingsError, type Env } from '../../config/settings.js';
import { httpsUrl, optionalString, positiveInt, requiredString } from '../adapter-env.js';

/** What a login does when Transmit cannot answer. Never a DENY: an outage says nothing about the customer. */
export type DrsFailurePolicy = 'challenge' | 'unavailable';

/** Transmit's published API hosts, one per data region (tokens and risk calls share the host). */
export const TRANSMIT_REGIONS: Record<string, string> = {
  us: 'https://api.transmitsecurity.io',
  eu: 'https://api.eu.transmitsecurity.io',
  ca: 'https://api.ca.transmitsecurity.io',
  au: 'https://api.au.transmitsecurity.io',
  sandbox: 'https://api.sbx.transmitsecurity.io',
};

/**
 * The audience Transmit issues Detection and Response tokens for. A token asked for without it
 * targets Transmit's identity APIs and the risk API refuses it.
 */
export const TRANSMIT_RISK_RESOURCE = 'https://risk.identity.security';

/**
 * Settings of the device-risk adapter (CIAM_DRS=transmit).
 *
 * - CIAM_TRANSMIT_REGION (us) — us, eu, ca, au or sandbox: picks the API host of the tenant's
 *   data region. Ignored when CIAM_TRANSMIT_BASE_URL is set.
 * - CIAM_TRANSMIT_BASE_URL (the region's host, https://api.transmitsecurity.io for us) — the API
 *   host; the risk calls live under /risk/v1 below it. Set it for a proxy or a local peer.
 * - CIAM_TRANSMIT_TOKEN_URL (base URL + /oidc/token) — the OAuth 2.0 token endpoint. Separate
 *   because some deployments reach the token service through a different egress.
 * - CIAM_TRANSMIT_CLIENT_ID, CIAM_TRANSMIT_CLIENT_SECRET — required; the client credentials of
 *   the Transmit application. The secret is only ever sent to the token endpoint.
 * - CIAM_TRANSMIT_TIMEOUT_MS (2000) — the most one login waits on Transmit, token included. A
 *   customer is looking at a spinner; past this the failure policy decides.
 * - CIAM_DRS_FAILURE_POLICY (challenge) — `challenge`: when Transmit cannot answer, treat the
 *   login as CHALLENGE (MFA) and mark the evaluation degraded; `unavailable`: answer 503.
 */
export interface TransmitSettings {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs: number;
  failurePolicy: DrsFailurePolicy;
}

export function readTransmitSettings(env: Env): TransmitSettings {
  const region = optionalString(env, 'CIAM_TRANSMIT_REGION')?.toLowerCase() ?? 'us';
  const regionHost = TRANSMIT_REGIONS[region];
  if (!regionHost) {
    throw new SettingsError(`CIAM_TRANSMIT_REGION must be one of ${Object.keys(TRANSMIT_REGIONS).join(', ')}.`);
  }
  const baseUrl = httpsUrl(env, 'CIAM_TRANSMIT_BASE_URL', regionHost);
  return {
    baseUrl,
    tokenUrl: httpsUrl(env, 'CIAM_TRANSMIT_TOKEN_URL', `${baseUrl}/oidc/token`),
    clientId: requiredString(env, 'CIAM_TRANSMIT_CLIENT_ID'),
    clientSecret: requiredString(env, 'CIAM_TRANSMIT_CLIENT_SECRET'),
    timeoutMs: positiveInt(env, 'CIAM_TRANSMIT_TIMEOUT_MS', 2_000),
    failurePolicy: readDrsFailurePolicy(env),
  };
}

/** CIAM_DRS_FAILURE_POLICY on its own: it belongs to the login, whichever risk service is behind it. */
export function readDrsFailurePolicy(env: Env): DrsFailurePolicy {
  const value = optionalString(env, 'CIAM_DRS_FAILURE_POLICY')?.toLowerCase() ?? 'challenge';
  if (value !== 'challenge' && value !== 'unavailable') {
    throw new SettingsError('CIAM_DRS_FAILURE_POLICY must be `challenge` or `unavailable`.');
  }
  return value;
}
