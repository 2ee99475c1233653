import { afterEach, describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';
import { TwilioCodeSender } from '../../src/providers/delivery/twilio-code-sender.js';
import { ProviderRefusedError, ProviderUnavailableError } from '../../src/providers/errors.js';
import { resilient, type ResilientProvider } from '../../src/providers/resilience.js';
import { readBreakerSettings } from '../../src/config/breaker.js';
import { registry } from '../../src/observability/metrics.js';
import { createProviders } from '../../src/services.js';
import type { Database } from '../../src/store/database.js';

type Answer = { ok: boolean } | Error;

/** A port whose next answers are scripted; counts the calls that reached it. */
class ScriptedPort {
  calls = 0;
  closed = false;
  constructor(private readonly answers: Answer[] = []) {}
  script(...answers: Answer[]) {
    this.answers.push(...answers);
  }
  async check(): Promise<{ ok: boolean }> {
    this.calls++;
    const next = this.answers.shift() ?? { ok: true };
    if (next instanceof Error) throw next;
    return next;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const down = () => new ProviderUnavailableError('peer', 'connection refused');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function metricValue(name: string, labels: Record<string, string>, suffix?: string): Promise<number> {
  const metric = await registry.getSingleMetric(name)!.get();
  const match = metric.values.find(
    (v) => (suffix === undefined || (v as { metricName?: string }).metricName === `${name}${suffix}`) && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
  );
  return match?.value ?? 0;
}

const calls = (provider: ResilientProvider, outcome: string) =>
  metricValue('ciam_provider_calls_total', { provider, method: 'check', outcome });
const circuitState = (provider: ResilientProvider) => metricValue('ciam_provider_circuit_state', { provider });

describe('resilient', () => {
  const breaker = { threshold: 3, halfOpenAfterMs: 50 };

  it('never counts a refusal about one customer: it passes through, and like any answer it resets the count', async () => {
    const refused = () => new ProviderRefusedError('peer', 'RECIPIENT_OPTED_OUT', true, 'Twilio error 21610');
    const port = new ScriptedPort([down(), down(), refused(), refused(), refused(), refused(), down(), down()]);
    const wrapped = resilient('sms_voice', port, { breaker });
    const refusedBefore = await calls('sms_voice', 'refused');

    for (const expected of [ProviderUnavailableError, ProviderUnavailableError, ...Array(4).fill(ProviderRefusedError), ProviderUnavailableError, ProviderUnavailableError]) {
      const error = await wrapped.check().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(expected);
      expect(error).not.toHaveProperty('message', 'sms_voice: circuit open');
    }
    expect(port.calls).toBe(8);
    expect(await circuitState('sms_voice')).toBe(0);
    expect(await calls('sms_voice', 'refused')).toBe(refusedBefore + 4);
  });

  it('opens after the threshold of unavailable answers and then fails fast without calling the port', async () => {
    const port = new ScriptedPort([down(), down(), down()]);
    const wrapped = resilient('directory', port, { breaker });
    const openBefore = await calls('directory', 'circuit_open');

    for (let i = 0; i < 3; i++) await expect(wrapped.check()).rejects.toThrow('peer: connection refused');
    expect(await circuitState('directory')).toBe(2);

    const refused = await wrapped.check().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderUnavailableError);
    expect((refused as ProviderUnavailableError).provider).toBe('directory');
    expect((refused as Error).message).toBe('directory: circuit open');
    expect(port.calls).toBe(3);
    expect(await calls('directory', 'circuit_open')).toBe(openBefore + 1);
  });

  it('lets one trial call through after the half-open delay and closes on its success', async () => {
    const port = new ScriptedPort([down(), down(), down()]);
    const wrapped = resilient('agreements', port, { breaker });
    for (let i = 0; i < 3; i++) await expect(wrapped.check()).rejects.toThrow(ProviderUnavailableError);
    await expect(wrapped.check()).rejects.toThrow('agreements: circuit open');

    await sleep(breaker.halfOpenAfterMs + 20);
    await expect(wrapped.check()).resolves.toEqual({ ok: true });
    expect(port.calls).toBe(4);
    expect(await circuitState('agreements')).toBe(0);
    await expect(wrapped.check()).resolves.toEqual({ ok: true });
    expect(port.calls).toBe(5);
  });

  it('opens again when the trial call fails', async () => {
    const port = new ScriptedPort([down(), down(), down(), down()]);
    const wrapped = resilient('push', port, { breaker });
    for (let i = 0; i < 3; i++) await expect(wrapped.check()).rejects.toThrow(ProviderUnavailableError);

    await sleep(breaker.halfOpenAfterMs + 20);
    await expect(wrapped.check()).rejects.toThrow('peer: connection refused');
    expect(await circuitState('push')).toBe(2);
    await expect(wrapped.check()).rejects.toThrow('push: circuit open');
    expect(port.calls).toBe(4);
  });

  it('does not count `{ ok: false }` answers or errors that are not ProviderUnavailableError', async () => {
    const port = new ScriptedPort();
    const wrapped = resilient('sms_voice', port, { breaker });
    const errorsBefore = await calls('sms_voice', 'error');

    // A negative answer proves the peer is up: the consecutive count starts again.
    for (let i = 0; i < 4; i++) port.script(down(), down(), { ok: false });
    for (let i = 0; i < 12; i++) await wrapped.check().catch(() => undefined);
    for (let i = 0; i < 5; i++) port.script(new TypeError('a bug'));
    for (let i = 0; i < 5; i++) await expect(wrapped.check()).rejects.toThrow(TypeError);

    expect(port.calls).toBe(17);
    expect(await circuitState('sms_voice')).toBe(0);
    expect(await calls('sms_voice', 'error')).toBe(errorsBefore + 5);
  });

  it('records outcomes and durations of the calls that reached the port', async () => {
    const port = new ScriptedPort([{ ok: false }, down()]);
    const wrapped = resilient('risk', port, { breaker });
    const before = {
      ok: await calls('risk', 'ok'),
      unavailable: await calls('risk', 'unavailable'),
      timed: await metricValue('ciam_provider_call_duration_seconds', { provider: 'risk', method: 'check' }, '_count'),
    };

    await wrapped.check();
    await wrapped.check().catch(() => undefined);

    expect(await calls('risk', 'ok')).toBe(before.ok + 1);
    expect(await calls('risk', 'unavailable')).toBe(before.unavailable + 1);
    expect(await metricValue('ciam_provider_call_duration_seconds', { provider: 'risk', method: 'check' }, '_count')).toBe(
      before.timed + 2,
    );
  });

  it('passes bypassed methods straight through, even while open, and keeps the adapter class', async () => {
    const port = new ScriptedPort([down()]);
    const wrapped = resilient('directory', port, { breaker: { threshold: 1, halfOpenAfterMs: 60_000 }, bypass: ['close'] });
    await expect(wrapped.check()).rejects.toThrow(ProviderUnavailableError);
    await expect(wrapped.check()).rejects.toThrow('directory: circuit open');

    await wrapped.close();
    expect(port.closed).toBe(true);
    expect(wrapped).toBeInstanceOf(ScriptedPort);
  });
});

describe('breaker settings', () => {
  it('defaults to 5 failures and 10 seconds', () => {
    expect(readBreakerSettings({})).toEqual({ threshold: 5, halfOpenAfterMs: 10_000 });
    expect(readBreakerSettings({ CIAM_BREAKER_THRESHOLD: '2', CIAM_BREAKER_HALF_OPEN_SECONDS: '30' })).toEqual({
      threshold: 2,
      halfOpenAfterMs: 30_000,
    });
  });

  it('refuses values that are not positive whole numbers', () => {
    expect(() => readBreakerSettings({ CIAM_BREAKER_THRESHOLD: '0' })).toThrow(SettingsError);
    expect(() => readBreakerSettings({ CIAM_BREAKER_HALF_OPEN_SECONDS: '1.5' })).toThrow(SettingsError);
  });
});

describe('createProviders', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  it('puts the production adapters behind the breaker', async () => {
    const providers = await createProviders(
      loadSettings({
        NODE_ENV: 'test',
        CIAM_OTP_SENDER: 'http',
        // Nothing listens on port 1: every attempt is refused at once.
        CIAM_TWILIO_BASE_URL: 'http://127.0.0.1:1',
        CIAM_TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
        CIAM_TWILIO_AUTH_TOKEN: 'test-twilio-auth-token-0001',
        CIAM_TWILIO_FROM: '+15005550006',
        CIAM_DELIVERY_MAX_ATTEMPTS: '1',
        CIAM_BREAKER_THRESHOLD: '1',
      }),
      {} as Database,
    );
    expect(providers.codeSender).toBeInstanceOf(TwilioCodeSender);
    const message = { channel: 'sms', cupid: 'CUPID_1', transactionId: 't-1', phoneNumber: '+15550101234', code: '123456' } as const;
    await expect(providers.codeSender.sendCode(message)).rejects.toThrow('twilio: POST Messages.json failed (could not connect).');
    await expect(providers.codeSender.sendCode(message)).rejects.toThrow('sms_voice: circuit open');
  });
});
