import { z } from 'zod';
import { DEFAULT_BACKOFF, type RetryPolicy } from '../providers/delivery/http-delivery.js';
import { httpsUrl, optionalWholeNumber, positiveInt, readEnv, requiredText, type Env } from './fields.js';

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

const WebhookPushEnv = z.object({
  CIAM_PUSH_WEBHOOK_URL: httpsUrl(),
  CIAM_PUSH_WEBHOOK_SECRET: requiredText({ minLength: MIN_PUSH_SECRET_LENGTH }),
  CIAM_DELIVERY_TIMEOUT_MS: positiveInt(3_000),
  CIAM_DELIVERY_MAX_ATTEMPTS: positiveInt(3),
  CIAM_PUSH_TIMEOUT_MS: optionalWholeNumber(),
  CIAM_PUSH_MAX_ATTEMPTS: optionalWholeNumber(),
});

export function readWebhookPushSettings(env: Env): WebhookPushSettings {
  const e = readEnv(WebhookPushEnv, env);
  return {
    url: e.CIAM_PUSH_WEBHOOK_URL,
    secret: e.CIAM_PUSH_WEBHOOK_SECRET,
    retry: {
      ...DEFAULT_BACKOFF,
      timeoutMs: e.CIAM_PUSH_TIMEOUT_MS ?? e.CIAM_DELIVERY_TIMEOUT_MS,
      maxAttempts: e.CIAM_PUSH_MAX_ATTEMPTS ?? e.CIAM_DELIVERY_MAX_ATTEMPTS,
    },
  };
}
