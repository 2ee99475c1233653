import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsError, type Env } from '../../src/config/settings.js';
import { DeliveryUnconfirmedError, ProviderRefusedError, ProviderUnavailableError } from '../../src/providers/errors.js';
import { TwilioCodeSender } from '../../src/providers/delivery/twilio-code-sender.js';
import { readTwilioSettings } from '../../src/config/twilio.js';
import type { CodeMessage } from '../../src/providers/delivery/port.js';
import { FakeTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_TEST_NUMBERS } from '../support/fake-twilio.js';
import { describeCodeSenderContract } from './contracts/delivery-contract.js';

const FROM = '+15005550006';
const PHONE = '+447700900123';
const CODE = '482913';

let twilio: FakeTwilio;
beforeEach(async () => {
  twilio = await FakeTwilio.start();
});
afterEach(async () => {
  await twilio.close();
});

function sender(env: Env = {}, backoff = { baseDelayMs: 5, maxDelayMs: 20 }) {
  const settings = readTwilioSettings({
    CIAM_TWILIO_BASE_URL: twilio.url,
    CIAM_TWILIO_ACCOUNT_SID: TWILIO_ACCOUNT_SID,
    CIAM_TWILIO_AUTH_TOKEN: TWILIO_AUTH_TOKEN,
    CIAM_TWILIO_FROM: FROM,
    CIAM_DELIVERY_TIMEOUT_MS: '1000',
    ...env,
  });
  return new TwilioCodeSender({ ...settings, retry: { ...settings.retry, ...backoff } });
}

function message(overrides: Partial<CodeMessage> = {}): CodeMessage {
  return { channel: 'sms', cupid: 'CUPID_MFA_001', transactionId: '7d3c1a52-4a8e-4f7e-9a57-0b3c2e1f9d10', phoneNumber: PHONE, code: CODE, ...overrides };
}

/** The rejection, checked to be of the given kind (ProviderUnavailableError by default) and to carry nothing secret. */
async function failure<E extends Error = ProviderUnavailableError>(
  promise: Promise<unknown>,
  kind: new (...args: never[]) => E = ProviderUnavailableError as never,
): Promise<E> {
  const error = await promise.then(
    () => expect.unreachable('the send should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(kind);
  const shown = `${String(error)} ${(error as Error).stack ?? ''}`;
  for (const secret of [CODE, TWILIO_AUTH_TOKEN, PHONE, Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')]) {
    expect(shown).not.toContain(secret);
  }
  return error as E;
}

describeCodeSenderContract('Twilio', () => ({
  sender: sender({ CIAM_DELIVERY_TIMEOUT_MS: '5000' }),
  // Twilio has no idempotency key: what a phone received is what was created for its number.
  codesFor: (m) =>
    twilio.created
      .filter((c) => c.kind === (m.channel === 'sms' ? 'message' : 'call') && c.fields.To === m.phoneNumber)
      .map((c) => (m.channel === 'sms' ? /code is (\d{6})\b/.exec(c.fields.Body ?? '')?.[1] : /<Say>([^<]*)<\/Say>/.exec(c.fields.Twiml ?? '')?.[1]?.replace(/\D/g, ''))),
}));

describe('Twilio code sender: SMS', () => {
  it('posts the form to the Messages resource with Basic auth, and no idempotency header (Twilio has none)', async () => {
    await sender().sendCode(message());

    expect(twilio.requests).toHaveLength(1);
    const [request] = twilio.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe(`/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json`);
    expect(request!.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`);
    expect(request!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request!.headers['i-twilio-idempotency-token']).toBeUndefined();
    expect(request!.body).toEqual({ To: PHONE, From: FROM, Body: expect.stringContaining(CODE) });
    expect(twilio.created).toHaveLength(1);
  });

  it('sends through the messaging service instead of a From number when one is configured', async () => {
    await sender({ CIAM_TWILIO_MESSAGING_SERVICE_SID: 'MG00000000000000000000000000000001' }).sendCode(message());

    const body = twilio.requests[0]!.body as Record<string, string>;
    expect(body.MessagingServiceSid).toBe('MG00000000000000000000000000000001');
    expect(body.From).toBeUndefined();
  });
});

describe('Twilio code sender: voice', () => {
  it('places a call whose TwiML reads the code digit by digit', async () => {
    await sender({ CIAM_TWILIO_VOICE_FROM: '+15005550009' }).sendCode(message({ channel: 'voice' }));

    const [request] = twilio.requests;
    expect(request!.path).toBe(`/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Calls.json`);
    const body = request!.body as Record<string, string>;
    expect(body.To).toBe(PHONE);
    expect(body.From).toBe('+15005550009');
    expect(body.Twiml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><Response>.*<Say>[^<]*4, 8, 2, 9, 1, 3[^<]*<\/Say>.*<\/Response>$/);
    expect(body.Twiml).not.toContain(CODE);
    expect(twilio.created.map((c) => c.kind)).toEqual(['call']);
  });
});

describe('Twilio code sender: retries and failures', () => {
  it('retries 503 and 429 (Twilio 20429), which Twilio answers before creating anything: one message in the end', async () => {
    twilio.failNext({ status: 503, code: 20503 }, { status: 429, code: 20429 });
    await sender().sendCode(message());

    expect(twilio.requests).toHaveLength(3);
    expect(new Set(twilio.requests.map((r) => r.rawBody)).size).toBe(1);
    expect(twilio.created).toHaveLength(1);
  });

  it.each([500, 502, 504])('never sends again after %i, which a gateway may answer after Twilio acted', async (status) => {
    twilio.failNext({ status, code: 20500 });
    const error = await failure(sender().sendCode(message()), DeliveryUnconfirmedError);
    expect(error).toBeInstanceOf(ProviderUnavailableError); // the breaker still counts it
    expect(twilio.requests).toHaveLength(1);
  });

  it('never sends again when the answer is lost after Twilio created the message: exactly one SMS', async () => {
    twilio.answerLate(1_000);
    const error = await failure(sender({ CIAM_DELIVERY_TIMEOUT_MS: '200' }).sendCode(message()), DeliveryUnconfirmedError);
    expect(error.message).toContain('timed out');
    expect(twilio.requests).toHaveLength(1);
    expect(twilio.messagesTo(PHONE)).toHaveLength(1);
  });

  it('retries 429 after the Retry-After it was given', async () => {
    twilio.peer.failNext({ status: 429, headers: { 'retry-after': '1' }, body: { code: 20429, status: 429 } });
    const started = Date.now();
    await sender().sendCode(message());

    expect(twilio.requests).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('stops at once when Retry-After asks for longer than it waits', async () => {
    twilio.peer.failNext({ status: 429, headers: { 'retry-after': '60' } });
    await failure(sender().sendCode(message()));
    expect(twilio.requests).toHaveLength(1);
  });

  it.each([
    ['invalid', 'sms', 21211, 'RECIPIENT_INVALID'],
    ['invalid', 'voice', 21211, 'RECIPIENT_INVALID'],
    ['optedOut', 'sms', 21610, 'RECIPIENT_OPTED_OUT'],
    ['notMobile', 'sms', 21614, 'RECIPIENT_UNREACHABLE'],
    ['unroutable', 'sms', 21612, 'RECIPIENT_UNREACHABLE'],
    ['noInternational', 'sms', 21408, 'RECIPIENT_REGION_BLOCKED'],
    ['noInternational', 'voice', 21215, 'RECIPIENT_REGION_BLOCKED'],
  ] as const)('a %s number by %s: Twilio %i is a permanent refusal about the recipient, not retried', async (kind, channel, code, reason) => {
    const number = TWILIO_TEST_NUMBERS[kind];
    const error = await failure(sender().sendCode(message({ channel, phoneNumber: number })), ProviderRefusedError);
    expect(error).toMatchObject({ reason, permanent: true, provider: 'twilio' });
    expect(error.message).toContain(String(code));
    expect(error.message).not.toContain(number);
    expect(twilio.requests).toHaveLength(1);
    expect(twilio.created).toHaveLength(0);
  });

  it('an unknown 4xx is about this request: refused, not permanent, not retried', async () => {
    twilio.failNext({ status: 400, code: 21606 });
    const error = await failure(sender().sendCode(message()), ProviderRefusedError);
    expect(error).toMatchObject({ reason: 'REQUEST_REFUSED', permanent: false });
    expect(twilio.requests).toHaveLength(1);
  });

  it('does not retry refused credentials', async () => {
    const wrong = sender({ CIAM_TWILIO_AUTH_TOKEN: 'not-the-right-token-000' });
    const error = await failure(wrong.sendCode(message()));
    expect(twilio.requests).toHaveLength(1);
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('not-the-right-token-000');
  });

  it('gives up after the configured attempts', async () => {
    twilio.failNext(...Array.from({ length: 4 }, () => ({ status: 503, code: 20503 })));
    const error = await failure(sender({ CIAM_DELIVERY_MAX_ATTEMPTS: '3' }).sendCode(message()));
    expect(twilio.requests).toHaveLength(3);
    expect(error.provider).toBe('twilio');
    expect(twilio.created).toHaveLength(0);
  });

  it('a provider that never answers: one attempt, whose outcome is unknown, never sent again', async () => {
    twilio.peer.hangNext(5);
    const started = Date.now();
    const error = await failure(
      sender({ CIAM_DELIVERY_TIMEOUT_MS: '150', CIAM_DELIVERY_MAX_ATTEMPTS: '3' }).sendCode(message({ channel: 'voice' })),
      DeliveryUnconfirmedError,
    );
    expect(error.message).toContain('timed out');
    expect(twilio.requests).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('retries, then gives up on, a provider that cannot be reached (nothing was sent)', async () => {
    await twilio.close();
    const error = await failure(sender().sendCode(message()));
    expect(error).not.toBeInstanceOf(DeliveryUnconfirmedError);
    expect(error.message).toContain('could not connect');
    twilio = await FakeTwilio.start();
  });
});

describe('Twilio settings', () => {
  const complete: Env = {
    CIAM_TWILIO_ACCOUNT_SID: TWILIO_ACCOUNT_SID,
    CIAM_TWILIO_AUTH_TOKEN: TWILIO_AUTH_TOKEN,
    CIAM_TWILIO_FROM: FROM,
  };

  it('has production defaults', () => {
    const settings = readTwilioSettings(complete);
    expect(settings.baseUrl).toBe('https://api.twilio.com');
    expect(settings.voiceFrom).toBe(FROM);
    expect(settings.retry).toMatchObject({ timeoutMs: 3000, maxAttempts: 3 });
  });

  it.each(['CIAM_TWILIO_ACCOUNT_SID', 'CIAM_TWILIO_AUTH_TOKEN'])('refuses to start without %s', (name) => {
    expect(() => readTwilioSettings({ ...complete, [name]: undefined })).toThrow(new SettingsError(`${name} is required.`));
  });

  it('needs a sender for SMS and a caller id for voice', () => {
    expect(() => readTwilioSettings({ ...complete, CIAM_TWILIO_FROM: undefined })).toThrow(/CIAM_TWILIO_FROM or CIAM_TWILIO_MESSAGING_SERVICE_SID/);
    expect(() =>
      readTwilioSettings({ ...complete, CIAM_TWILIO_FROM: undefined, CIAM_TWILIO_MESSAGING_SERVICE_SID: 'MG1' }),
    ).toThrow(/CIAM_TWILIO_VOICE_FROM/);
  });

  it('refuses plain HTTP except to this machine, and bad numbers', () => {
    expect(() => readTwilioSettings({ ...complete, CIAM_TWILIO_BASE_URL: 'http://twilio.example.com' })).toThrow(/CIAM_TWILIO_BASE_URL/);
    expect(readTwilioSettings({ ...complete, CIAM_TWILIO_BASE_URL: 'http://127.0.0.1:9/' }).baseUrl).toBe('http://127.0.0.1:9');
    expect(() => readTwilioSettings({ ...complete, CIAM_DELIVERY_MAX_ATTEMPTS: '0' })).toThrow(/CIAM_DELIVERY_MAX_ATTEMPTS/);
  });
});
