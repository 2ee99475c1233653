import { SettingsError, type Env } from '../../config/settings.js';
import { httpsUrl, positiveInt, requiredString } from '../adapter-env.js';
import { DEFAULT_BACKOFF, type RetryPolicy } from './http-delivery.js';

/**
 * Settings of the push adapter (CIAM_PUSH_SENDER=http): a signed webhook to the bank's push
 * gateway, which forwards the approval request to the customer's registered app.
 *
 * - CIAM_PUSH_WEBHOOK_URL — required; https (http only to this machine).
 * - CIAM_PUSH_WEBHOOK_SECRET — required, at least 32 characters; the HMAC key shared with the
 *   gateway.
 * - CIAM_PUSH_TIMEOUT_MS (falls back to CIAM_DELIVERY_TIMEOUT_MS, then 3000) — bound on each attempt.
 * - CIAM_PUSH_MAX_ATTEMPTS (falls back to CIAM_DELIVERY_MAX_ATTEMPTS, then 3).
 */
export interface WebhookPushSettings {
  url: string;
  secret: string;
  retry: RetryPolicy;
}

export const MIN_PUSH_SECRET_LENGTH = 32;

export function readWebhookPushSettings(env: Env): WebhookPushSettings {
  const secret = requiredString(env, 'CIAM_PUSH_WEBHOOK_SECRET');
  if (secret.length < MIN_PUSH_SECRET_LENGTH) {
    throw new SettingsError(`CIAM_PUSH_WEBHOOK_SECRET must be at least ${MIN_PUSH_SECRET_LENGTH} characters.`);
  }
  return {
    url: httpsUrl(env, 'CIAM_PUSH_WEBHOOK_URL'),
    secret,
    retry: {
      ...DEFAULT_BACKOFF,
      timeoutMs: positiveInt(env, 'CIAM_PUSH_TIMEOUT_MS', positiveInt(env, 'CIAM_DELIVERY_TIMEOUT_MS', 3_000)),
      maxAttempts: positiveInt(env, 'CIAM_PUSH_MAX_ATTEMPTS', positiveInt(env, 'CIAM_DELIVERY_MAX_ATTEMPTS', 3)),
    },
  };
}
