import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';
import { HttpAgreements } from '../../src/providers/agreements/http-agreements.js';
import { TwilioCodeSender } from '../../src/providers/delivery/twilio-code-sender.js';
import { WebhookPushSender } from '../../src/providers/delivery/webhook-push-sender.js';
import { createProviders } from '../../src/services.js';
import type { Database } from '../../src/store/database.js';

const httpEnv = {
  NODE_ENV: 'test',
  CIAM_OTP_SENDER: 'http',
  CIAM_PUSH_SENDER: 'http',
  CIAM_AGREEMENTS: 'http',
  CIAM_TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  CIAM_TWILIO_AUTH_TOKEN: 'test-twilio-auth-token-0001',
  CIAM_TWILIO_FROM: '+15005550006',
  CIAM_PUSH_WEBHOOK_URL: 'https://push.bank.example/v1/push',
  CIAM_PUSH_WEBHOOK_SECRET: 'push-gateway-shared-secret-0123456789abcdef',
  CIAM_AGREEMENTS_BASE_URL: 'https://agreements.bank.example/v1',
  CIAM_AGREEMENTS_API_KEY: 'test-agreements-api-key-0001',
};

// None of these adapters touches the database.
const noDatabase = {} as Database;

describe('http delivery and agreements adapters are chosen by configuration', () => {
  it('builds the Twilio, push webhook and agreements adapters, and no outbox', async () => {
    const providers = await createProviders(loadSettings(httpEnv), noDatabase);
    expect(providers.codeSender).toBeInstanceOf(TwilioCodeSender);
    expect(providers.pushSender).toBeInstanceOf(WebhookPushSender);
    expect(providers.agreements).toBeInstanceOf(HttpAgreements);
    expect(providers.outbox).toBeUndefined();
  });

  it('refuses to start when an adapter setting is missing', () => {
    expect(() => loadSettings({ ...httpEnv, CIAM_PUSH_WEBHOOK_SECRET: undefined })).toThrow(
      new SettingsError('CIAM_PUSH_WEBHOOK_SECRET is required.'),
    );
  });
});
