import { z } from 'zod';
import { DEFAULT_BACKOFF, type RetryPolicy } from '../providers/delivery/http-delivery.js';
import { httpsUrl, nonNegativeInt, positiveInt, readEnv, requiredText, type Env } from './fields.js';

/**
 * Settings of the agreements adapter (CIAM_AGREEMENTS=http), the bank's agreement-management
 * REST service.
 *
 * - CIAM_AGREEMENTS_BASE_URL — required; https (http only to this machine).
 * - CIAM_AGREEMENTS_API_KEY — required, at least 16 characters; sent as `Authorization: Bearer`.
 * - CIAM_AGREEMENTS_TIMEOUT_MS (2000) — bound on each attempt; the pending-documents question sits
 *   on the login path.
 * - CIAM_AGREEMENTS_MAX_ATTEMPTS (2) — attempts in all, the first included.
 * - CIAM_AGREEMENTS_CACHE_SECONDS (300) — how long a fetched document is kept; 0 turns it off.
 */
export interface HttpAgreementsSettings {
  baseUrl: string;
  apiKey: string;
  retry: RetryPolicy;
  documentCacheSeconds: number;
}

const HttpAgreementsEnv = z.object({
  CIAM_AGREEMENTS_BASE_URL: httpsUrl(),
  CIAM_AGREEMENTS_API_KEY: requiredText({ minLength: 16 }),
  CIAM_AGREEMENTS_TIMEOUT_MS: positiveInt(2_000),
  CIAM_AGREEMENTS_MAX_ATTEMPTS: positiveInt(2),
  CIAM_AGREEMENTS_CACHE_SECONDS: nonNegativeInt(300),
});

export function readHttpAgreementsSettings(env: Env): HttpAgreementsSettings {
  const e = readEnv(HttpAgreementsEnv, env);
  return {
    baseUrl: e.CIAM_AGREEMENTS_BASE_URL,
    apiKey: e.CIAM_AGREEMENTS_API_KEY,
    retry: { ...DEFAULT_BACKOFF, timeoutMs: e.CIAM_AGREEMENTS_TIMEOUT_MS, maxAttempts: e.CIAM_AGREEMENTS_MAX_ATTEMPTS },
    documentCacheSeconds: e.CIAM_AGREEMENTS_CACHE_SECONDS,
  };
}
