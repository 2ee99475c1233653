import { z } from 'zod';
import { httpsUrl, oneOf, optionalText, positiveInt, readEnv, requiredText, type Env } from './fields.js';

/** What a login does when Transmit cannot answer. Never a DENY: an outage says nothing about the customer. */
export type DrsFailurePolicy = 'challenge' | 'unavailable';

/** Transmit's published API hosts, one per data region (tokens and risk calls share the host). */
export const TRANSMIT_REGIONS = {
  us: 'https://api.transmitsecurity.io',
  eu: 'https://api.eu.transmitsecurity.io',
  ca: 'https://api.ca.transmitsecurity.io',
  au: 'https://api.au.transmitsecurity.io',
  sandbox: 'https://api.sbx.transmitsecurity.io',
} as const;

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

const TransmitEnv = z.object({
  CIAM_TRANSMIT_REGION: oneOf(Object.keys(TRANSMIT_REGIONS) as (keyof typeof TRANSMIT_REGIONS)[], 'us'),
  CIAM_TRANSMIT_BASE_URL: optionalText(),
  CIAM_TRANSMIT_TOKEN_URL: optionalText(),
  CIAM_TRANSMIT_CLIENT_ID: requiredText(),
  CIAM_TRANSMIT_CLIENT_SECRET: requiredText(),
  CIAM_TRANSMIT_TIMEOUT_MS: positiveInt(2_000),
  CIAM_DRS_FAILURE_POLICY: oneOf(['challenge', 'unavailable'], 'challenge'),
});

export function readTransmitSettings(env: Env): TransmitSettings {
  const e = readEnv(TransmitEnv, env);
  // The base URL's default depends on the region, and the token URL's on the base URL.
  const baseUrl = readEnv(z.object({ CIAM_TRANSMIT_BASE_URL: httpsUrl(TRANSMIT_REGIONS[e.CIAM_TRANSMIT_REGION]) }), env).CIAM_TRANSMIT_BASE_URL;
  const tokenUrl = readEnv(z.object({ CIAM_TRANSMIT_TOKEN_URL: httpsUrl(`${baseUrl}/oidc/token`) }), env).CIAM_TRANSMIT_TOKEN_URL;
  return {
    baseUrl,
    tokenUrl,
    clientId: e.CIAM_TRANSMIT_CLIENT_ID,
    clientSecret: e.CIAM_TRANSMIT_CLIENT_SECRET,
    timeoutMs: e.CIAM_TRANSMIT_TIMEOUT_MS,
    failurePolicy: e.CIAM_DRS_FAILURE_POLICY,
  };
}
