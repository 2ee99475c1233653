import { SettingsError, type Env } from '../../config/settings.js';
import { httpsUrl, nonNegativeInt, positiveInt, requiredString } from '../adapter-env.js';
import { DEFAULT_BACKOFF, type RetryPolicy } from '../delivery/http-delivery.js';

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

export function readHttpAgreementsSettings(env: Env): HttpAgreementsSettings {
  const apiKey = requiredString(env, 'CIAM_AGREEMENTS_API_KEY');
  if (apiKey.length < 16) throw new SettingsError('CIAM_AGREEMENTS_API_KEY must be at least 16 characters.');
  return {
    baseUrl: httpsUrl(env, 'CIAM_AGREEMENTS_BASE_URL'),
    apiKey,
    retry: {
      ...DEFAULT_BACKOFF,
      timeoutMs: positiveInt(env, 'CIAM_AGREEMENTS_TIMEOUT_MS', 2_000),
      maxAttempts: positiveInt(env, 'CIAM_AGREEMENTS_MAX_ATTEMPTS', 2),
    },
    documentCacheSeconds: nonNegativeInt(env, 'CIAM_AGREEMENTS_CACHE_SECONDS', 300),
  };
}
