import { z } from 'zod';
import { DEFAULT_BACKOFF, type RetryPolicy } from '../providers/delivery/http-delivery.js';
import { httpsUrl, optionalText, positiveInt, readEnv, requiredText, SettingsError, type Env } from './fields.js';

/**
 * Settings of the SMS and voice adapter (CIAM_OTP_SENDER=http), any service speaking Twilio's
 * 2010-04-01 REST API.
 *
 * - CIAM_TWILIO_BASE_URL — default https://api.twilio.com (a local peer in tests).
 * - CIAM_TWILIO_ACCOUNT_SID, CIAM_TWILIO_AUTH_TOKEN — required; HTTP Basic credentials.
 * - CIAM_TWILIO_MESSAGING_SERVICE_SID or CIAM_TWILIO_FROM — one is required; SMS is sent through
 *   the messaging service when both are set (it picks the sender per destination country).
 * - CIAM_TWILIO_VOICE_FROM — caller id of voice calls; defaults to CIAM_TWILIO_FROM. A messaging
 *   service cannot place calls, so one of the two is required.
 * - CIAM_DELIVERY_TIMEOUT_MS (3000) — bound on each HTTP attempt.
 * - CIAM_DELIVERY_MAX_ATTEMPTS (3) — attempts in all, the first included.
 */
export interface TwilioSettings {
  baseUrl: string;
  accountSid: string;
  authToken: string;
  messagingServiceSid?: string;
  from?: string;
  voiceFrom: string;
  retry: RetryPolicy;
}

const TwilioEnv = z.object({
  CIAM_TWILIO_BASE_URL: httpsUrl('https://api.twilio.com'),
  CIAM_TWILIO_ACCOUNT_SID: requiredText(),
  CIAM_TWILIO_AUTH_TOKEN: requiredText(),
  CIAM_TWILIO_MESSAGING_SERVICE_SID: optionalText(),
  CIAM_TWILIO_FROM: optionalText(),
  CIAM_TWILIO_VOICE_FROM: optionalText(),
  CIAM_DELIVERY_TIMEOUT_MS: positiveInt(3_000),
  CIAM_DELIVERY_MAX_ATTEMPTS: positiveInt(3),
});

export function readTwilioSettings(env: Env): TwilioSettings {
  const e = readEnv(TwilioEnv, env);
  const from = e.CIAM_TWILIO_FROM;
  const messagingServiceSid = e.CIAM_TWILIO_MESSAGING_SERVICE_SID;
  if (!from && !messagingServiceSid) {
    throw new SettingsError('CIAM_TWILIO_FROM or CIAM_TWILIO_MESSAGING_SERVICE_SID is required.');
  }
  const voiceFrom = e.CIAM_TWILIO_VOICE_FROM ?? from;
  if (!voiceFrom) {
    throw new SettingsError('CIAM_TWILIO_VOICE_FROM (or CIAM_TWILIO_FROM) is required: a messaging service cannot place voice calls.');
  }
  return {
    baseUrl: e.CIAM_TWILIO_BASE_URL,
    accountSid: e.CIAM_TWILIO_ACCOUNT_SID,
    authToken: e.CIAM_TWILIO_AUTH_TOKEN,
    messagingServiceSid,
    from,
    voiceFrom,
    retry: { ...DEFAULT_BACKOFF, timeoutMs: e.CIAM_DELIVERY_TIMEOUT_MS, maxAttempts: e.CIAM_DELIVERY_MAX_ATTEMPTS },
  };
}
