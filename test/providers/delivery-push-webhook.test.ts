import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsError, type Env } from '../../src/config/settings.js';
import { ProviderRefusedError, ProviderUnavailableError } from '../../src/providers/errors.js';
import type { PushMessage } from '../../src/providers/delivery/port.js';
import { WebhookPushSender } from '../../src/providers/delivery/webhook-push-sender.js';
import { readWebhookPushSettings } from '../../src/config/push-webhook.js';
import { FakePushGateway, verifyPushSignature } from '../support/fake-push-gateway.js';
import { describePushSenderContract } from './contracts/delivery-contract.js';

const SECRET = 'push-gateway-shared-secret-0123456789abcdef';
const APPROVAL_SECRET = 'approval-secret-Zq8vN3xK1mT5';

let gateway: FakePushGateway;
beforeEach(async () => {
  gateway = await FakePushGateway.start(SECRET);
});
afterEach(async () => {
  await gateway.close();
});

function sender(env: Env = {}, now?: () => Date) {
  const settings = readWebhookPushSettings({
    CIAM_PUSH_WEBHOOK_URL: gateway.url,
    CIAM_PUSH_WEBHOOK_SECRET: SECRET,
    CIAM_PUSH_TIMEOUT_MS: '1000',
    ...env,
  });
  return new WebhookPushSender({ ...settings, retry: { ...settings.retry, baseDelayMs: 5, maxDelayMs: 20 } }, now);
}

const push: PushMessage = {
  cupid: 'CUPID_MFA_001',
  contextId: '0b6f3f0e-2f4f-4d7e-8a0c-1f2e3d4c5b6a',
  transactionId: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f',
  numberChoices: [17, 42, 86],
  displayNumber: 42,
  approvalSecret: APPROVAL_SECRET,
  expiresAt: new Date('2025-06-01T12:02:00.000Z'),
};

async function failure(promise: Promise<unknown>): Promise<ProviderUnavailableError> {
  const error = await promise.then(
    () => expect.unreachable('the push should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderUnavailableError);
  const shown = `${String(error)} ${(error as Error).stack ?? ''}`;
  for (const secret of [SECRET, APPROVAL_SECRET]) expect(shown).not.toContain(secret);
  return error as ProviderUnavailableError;
}

describePushSenderContract('Push webhook', () => ({
  sender: sender(),
  pushesFor: (m) => gateway.delivered.filter((key) => key === m.transactionId).length,
}));

describe('Webhook push sender', () => {
  it('posts the signed JSON push with the step as Idempotency-Key', async () => {
    await sender().sendPush(push);

    expect(gateway.requests).toHaveLength(1);
    const [request] = gateway.requests;
    expect(request!.method).toBe('POST');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['idempotency-key']).toBe(push.transactionId);
    expect(request!.body).toEqual({
      cupid: push.cupid,
      context_id: push.contextId,
      transaction_id: push.transactionId,
      number_choices: [17, 42, 86],
      approval_secret: APPROVAL_SECRET,
      expires_at: '2025-06-01T12:02:00.000Z',
    });
    expect(request!.headers['x-ciam-signature']).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(gateway.checks).toEqual(['valid']);
    expect(gateway.delivered).toEqual([push.transactionId]);
  });

  it('signs so that the shared secret verifies and any other secret does not', async () => {
    await sender().sendPush(push);
    const [request] = gateway.requests;

    expect(verifyPushSignature(SECRET, request!.headers, request!.rawBody)).toBe('valid');
    expect(verifyPushSignature('another-secret-of-the-same-length-000000000', request!.headers, request!.rawBody)).toBe('mismatch');
    expect(verifyPushSignature(SECRET, request!.headers, request!.rawBody.replace('17', '18'))).toBe('mismatch');
  });

  it('never tells the phone which number the browser shows', async () => {
    await sender().sendPush(push);

    expect(gateway.requests[0]!.rawBody).not.toMatch(/display/i);
    expect(Object.keys(gateway.requests[0]!.body as object).sort()).toEqual(
      ['approval_secret', 'context_id', 'cupid', 'expires_at', 'number_choices', 'transaction_id'],
    );
  });

  it('is refused, without retrying, by a gateway holding another secret', async () => {
    const error = await failure(sender({ CIAM_PUSH_WEBHOOK_SECRET: 'a-different-secret-that-is-long-enough-0000' }).sendPush(push));
    expect(error.message).toContain('401');
    expect(gateway.checks).toEqual(['mismatch']);
    expect(gateway.requests).toHaveLength(1);
  });

  it('is refused when its timestamp is older than the gateway tolerates', async () => {
    const tenMinutesAgo = () => new Date(Date.now() - 10 * 60_000);
    await failure(sender({}, tenMinutesAgo).sendPush(push));
    expect(gateway.checks).toEqual(['stale']);
  });

  it('retries 500, 503 and 429 with the same key and body, each attempt freshly signed', async () => {
    gateway.peer.failNext(500, 503, { status: 429, headers: { 'retry-after': '0' } });
    await sender({ CIAM_PUSH_MAX_ATTEMPTS: '4' }).sendPush(push);

    expect(gateway.requests).toHaveLength(4);
    expect(new Set(gateway.requests.map((r) => r.headers['idempotency-key']))).toEqual(new Set([push.transactionId]));
    expect(new Set(gateway.requests.map((r) => r.rawBody)).size).toBe(1);
    for (const r of gateway.requests) expect(verifyPushSignature(SECRET, r.headers, r.rawBody)).toBe('valid');
    expect(gateway.delivered).toEqual([push.transactionId]);
  });

  it('does not retry a 400, and reports it as a refusal of this request, which no breaker counts', async () => {
    gateway.peer.failNext(400);
    const error = await sender().sendPush(push).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRefusedError);
    expect(error).toMatchObject({ reason: 'REQUEST_REFUSED', permanent: false });
    expect(String(error)).not.toContain(APPROVAL_SECRET);
    expect(gateway.requests).toHaveLength(1);
  });

  it('a 401 or 404 (our secret, our address) is an outage', async () => {
    gateway.peer.failNext(401, 404);
    await failure(sender().sendPush(push));
    await failure(sender().sendPush(push));
  });

  it('gives up after the configured attempts', async () => {
    gateway.peer.failNext(502, 502, 502);
    const error = await failure(sender({ CIAM_PUSH_MAX_ATTEMPTS: '3' }).sendPush(push));
    expect(gateway.requests).toHaveLength(3);
    expect(error.provider).toBe('push-gateway');
  });

  it('gives up on a gateway that never answers within the attempts × timeout budget', async () => {
    gateway.peer.hangNext(3);
    const started = Date.now();
    const error = await failure(sender({ CIAM_PUSH_TIMEOUT_MS: '150', CIAM_PUSH_MAX_ATTEMPTS: '3' }).sendPush(push));
    const elapsed = Date.now() - started;

    expect(error.message).toContain('timed out');
    expect(elapsed).toBeGreaterThanOrEqual(440);
    expect(elapsed).toBeLessThan(3 * 150 + 40 + 500);
  });
});

describe('Webhook push settings', () => {
  const complete: Env = { CIAM_PUSH_WEBHOOK_URL: 'https://push.bank.example/v1/push', CIAM_PUSH_WEBHOOK_SECRET: SECRET };

  it('falls back to the shared delivery timeout and attempts', () => {
    expect(readWebhookPushSettings(complete).retry).toMatchObject({ timeoutMs: 3000, maxAttempts: 3 });
    expect(
      readWebhookPushSettings({ ...complete, CIAM_DELIVERY_TIMEOUT_MS: '900', CIAM_DELIVERY_MAX_ATTEMPTS: '2' }).retry,
    ).toMatchObject({ timeoutMs: 900, maxAttempts: 2 });
  });

  it('refuses a missing URL, a short secret and plain HTTP to another machine', () => {
    expect(() => readWebhookPushSettings({ ...complete, CIAM_PUSH_WEBHOOK_URL: undefined })).toThrow(
      new SettingsError('CIAM_PUSH_WEBHOOK_URL is required.'),
    );
    expect(() => readWebhookPushSettings({ ...complete, CIAM_PUSH_WEBHOOK_SECRET: 'x'.repeat(31) })).toThrow(/at least 32/);
    expect(() => readWebhookPushSettings({ ...complete, CIAM_PUSH_WEBHOOK_URL: 'http://push.bank.example/' })).toThrow(/https/);
  });
});
