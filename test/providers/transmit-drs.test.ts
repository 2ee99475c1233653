import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSettings } from '../../src/config/settings.js';
import { ProviderRefusedError, ProviderUnavailableError } from '../../src/providers/errors.js';
import { withFailurePolicy } from '../../src/providers/risk/degrading-risk.js';
import type { RiskRequest } from '../../src/providers/risk/port.js';
import { TransmitDrs, type TransmitDrsOptions } from '../../src/providers/risk/transmit-drs.js';
import type { TransmitSettings } from '../../src/config/transmit.js';
import { createProviders } from '../../src/services.js';
import type { Database } from '../../src/store/database.js';
import { startFakeTransmit, type FakeTransmit, type Misbehaviour } from '../support/fake-transmit.js';
import { describeRiskContract } from './contracts/risk-contract.js';

let fake: FakeTransmit;

beforeAll(async () => {
  fake = await startFakeTransmit();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

function settings(overrides: Partial<TransmitSettings> = {}): TransmitSettings {
  return {
    baseUrl: fake.baseUrl,
    tokenUrl: `${fake.baseUrl}/oidc/token`,
    clientId: fake.clientId,
    clientSecret: fake.clientSecret,
    timeoutMs: 2_000,
    failurePolicy: 'challenge',
    ...overrides,
  };
}

function drs(overrides: Partial<TransmitSettings> = {}, options: TransmitDrsOptions = {}) {
  return new TransmitDrs(settings(overrides), options);
}

function login(actionToken: string): RiskRequest {
  return { actionToken, cupid: 'CUPID_MFA_001', ipAddress: '203.0.113.7', correlationId: '6f1c2d1e-0b7a-4a63-9a43-3f1f0f2b9b11' };
}

async function unavailable(promise: Promise<unknown>): Promise<ProviderUnavailableError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderUnavailableError);
  return error as ProviderUnavailableError;
}

describeRiskContract('Transmit DRS', () => ({ risk: drs(), actionToken: (recommendation, deviceId) => `tx:${recommendation.toLowerCase()}:${deviceId}` }));

describe('client-credentials token', () => {
  it('asks once with the client credentials and the risk resource, then reuses the token', async () => {
    const risk = drs();
    await risk.evaluate(login('tx:allow:d1'));
    await risk.evaluate(login('tx:challenge:d1'));
    await risk.evaluate(login('tx:trust:d1'));

    expect(fake.count('token')).toBe(1);
    const [tokenCall] = fake.requests.filter((r) => r.endpoint === 'token');
    expect(tokenCall!.body).toEqual({
      grant_type: 'client_credentials',
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      resource: 'https://risk.identity.security',
    });
    const bearers = new Set(fake.requests.filter((r) => r.endpoint === 'recommendation').map((r) => r.authorization));
    expect(bearers.size).toBe(1);
    expect([...bearers][0]).toMatch(/^Bearer .+/);
  });

  it('fetches a new token shortly before the old one expires', async () => {
    let clock = 1_000_000;
    const risk = drs({}, { now: () => clock });
    fake.tokenLifetimeSeconds = 3600;
    await risk.evaluate(login('tx:allow:d1'));

    clock += 3_500_000; // 100 s left: still good
    await risk.evaluate(login('tx:allow:d1'));
    expect(fake.count('token')).toBe(1);

    clock += 80_000; // 20 s left: inside the renewal margin
    await risk.evaluate(login('tx:allow:d1'));
    expect(fake.count('token')).toBe(2);

    const bearers = fake.requests.filter((r) => r.endpoint === 'recommendation').map((r) => r.authorization);
    expect(bearers[0]).toBe(bearers[1]);
    expect(bearers[2]).not.toBe(bearers[1]);
  });

  it('shares one token request among concurrent logins', async () => {
    fake.tokenDelayMs = 100;
    const risk = drs();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => risk.evaluate(login(`tx:allow:d${i}`))));

    expect(results.map((r) => r.recommendation)).toEqual(Array(12).fill('ALLOW'));
    expect(fake.count('token')).toBe(1);
    expect(fake.count('recommendation')).toBe(12);
  });

  it('tries again after a failed token request instead of caching the failure', async () => {
    const risk = drs();
    fake.misbehave('token', { status: 503 }, 1);
    await unavailable(risk.evaluate(login('tx:allow:d1')));

    await expect(risk.evaluate(login('tx:allow:d1'))).resolves.toMatchObject({ recommendation: 'ALLOW' });
    expect(fake.count('token')).toBe(2);
  });

  it('reports wrong client credentials as unavailable, without the secret in the message', async () => {
    const error = await unavailable(drs({ clientSecret: 'not-the-secret-at-all' }).evaluate(login('tx:allow:d1')));
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('not-the-secret-at-all');
    expect(fake.count('recommendation')).toBe(0);
  });
});

describe('recommendation mapping', () => {
  it('maps ALLOW with its device id, attributes and the raw answer', async () => {
    const assessment = await drs().evaluate(login('tx:allow:device-123'));

    expect(assessment).toMatchObject({ recommendation: 'ALLOW', riskScore: 19, deviceId: 'device-123', signals: [] });
    expect(assessment.degraded).toBeUndefined();
    expect(assessment.deviceAttributes).toMatchObject({
      device_fingerprint: expect.any(String),
      device_platform: 'desktop',
      os_name: 'macOS',
      browser_name: 'Chrome',
      ip: '203.0.113.7',
      ip_country: 'GB',
      user_agent: expect.stringContaining('Mozilla'),
    });
    expect(assessment.deviceAttributes).not.toHaveProperty('tenant_id');
    expect(assessment.deviceAttributes).not.toHaveProperty('device_id');
    expect(assessment.raw).toMatchObject({
      id: expect.any(String),
      issued_at: expect.any(Number),
      recommendation: { type: 'ALLOW' },
      risk_score: 18.5,
      context: { device_id: 'device-123', action_type: 'login' },
    });
  });

  it('maps CHALLENGE with its reasons and raised risk signals', async () => {
    const assessment = await drs().evaluate(login('tx:challenge:device-9'));

    expect(assessment.recommendation).toBe('CHALLENGE');
    expect(assessment.riskScore).toBe(73);
    expect(assessment.signals).toEqual(
      expect.arrayContaining([
        { type: 'NEW_DEVICE', severity: 'MEDIUM', description: 'Reason: new device' },
        { type: 'IMPOSSIBLE_TRAVEL', severity: 'MEDIUM', description: 'Reason: impossible travel' },
        { type: 'NETWORK_VPN', severity: 'MEDIUM', description: 'Risk signal: network vpn' },
        { type: 'DEVICE_TZ_MISMATCH', severity: 'MEDIUM', description: 'Risk signal: device tz mismatch' },
      ]),
    );
    expect(assessment.signals).toHaveLength(4);
  });

  it('maps DENY with high-severity signals; counters are not signals', async () => {
    const assessment = await drs().evaluate(login('tx:deny:device-666'));

    expect(assessment).toMatchObject({ recommendation: 'DENY', riskScore: 96, deviceId: 'device-666' });
    const types = assessment.signals.map((s) => s.type);
    expect(types).toEqual(
      expect.arrayContaining(['BOT_BY_DEVICE_DATA', 'HOSTING_ASN', 'NETWORK_TOR', 'DEVICE_EMULATED', 'BEHAVIOR_NO_USER_INTERACTION']),
    );
    expect(types).not.toContain('HISTORY_IP_ACTION_RATE_60_SEC');
    expect(assessment.signals.find((s) => s.type === 'NETWORK_TOR')?.severity).toBe('HIGH');
    expect(assessment.signals.find((s) => s.type === 'BOT_BY_DEVICE_DATA')?.severity).toBe('HIGH');
  });

  it('maps TRUST', async () => {
    await expect(drs().evaluate(login('tx:trust:device-1'))).resolves.toMatchObject({
      recommendation: 'TRUST',
      riskScore: 3,
      deviceId: 'device-1',
    });
  });

  it('clamps the risk score to 0–100', async () => {
    await expect(drs().evaluate(login('tx:challenge:d:142.7'))).resolves.toMatchObject({ riskScore: 100 });
    await expect(drs().evaluate(login('tx:allow:d:-3'))).resolves.toMatchObject({ riskScore: 0 });
  });

  it('keeps a long device id as a stable hash that fits drs_evaluations.device_id', async () => {
    const longId = `eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.${'x'.repeat(120)}.sig`;
    const risk = drs();
    const first = await risk.evaluate(login(`tx:allow:${longId}`));
    const second = await risk.evaluate(login(`tx:trust:${longId}`));

    expect(first.deviceId).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(first.deviceId!.length).toBeLessThanOrEqual(100);
    expect(second.deviceId).toBe(first.deviceId);
    expect((first.raw.context as Record<string, unknown>).device_id).toBe(longId);
  });

  it('sends the action token, and nothing about the customer, on the recommendation call', async () => {
    await drs().evaluate(login('tx:allow:d1'));
    const [call] = fake.requests.filter((r) => r.endpoint === 'recommendation');
    expect(call!.query).toEqual({ action_token: 'tx:allow:d1' });
  });
});

describe('action result', () => {
  it('reports a success with the customer and a failure without', async () => {
    const risk = drs();
    await risk.reportOutcome({ actionToken: 'tx:challenge:d1', cupid: 'CUPID_MFA_001', success: true });
    await risk.reportOutcome({ actionToken: 'tx:challenge:d2', cupid: 'CUPID_MFA_001', success: false });

    const bodies = fake.requests.filter((r) => r.endpoint === 'result').map((r) => r.body);
    expect(bodies).toEqual([
      { action_token: 'tx:challenge:d1', result: 'success', user_id: 'CUPID_MFA_001' },
      { action_token: 'tx:challenge:d2', result: 'failure' },
    ]);
    expect(fake.requests.filter((r) => r.endpoint === 'result').every((r) => r.authorization?.startsWith('Bearer '))).toBe(true);
  });

  it.each<[string, Misbehaviour]>([
    ['500', { status: 500 }],
    ['429', { status: 429 }],
    ['a dropped connection', 'reset'],
    ['a hang', 'hang'],
  ])('never throws when Transmit answers %s', async (_, how) => {
    const failures: string[] = [];
    const risk = drs({ timeoutMs: 200 }, { onReportFailure: (reason) => failures.push(reason) });
    fake.misbehave('result', how);

    await expect(risk.reportOutcome({ actionToken: 'tx:allow:d1', cupid: 'CUPID_MFA_001', success: true })).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
    expect(failures[0]).not.toContain('tx:allow:d1');
  });

  it('never throws when no token can be had', async () => {
    fake.misbehave('token', { status: 500 });
    await expect(drs().reportOutcome({ actionToken: 'tx:allow:d1', cupid: 'C', success: false })).resolves.toBeUndefined();
  });
});

describe('401 from the API', () => {
  it('fetches a new token once and succeeds', async () => {
    const risk = drs();
    await risk.evaluate(login('tx:allow:d1'));
    fake.revokeTokens();

    await expect(risk.evaluate(login('tx:challenge:d1'))).resolves.toMatchObject({ recommendation: 'CHALLENGE' });
    expect(fake.count('token')).toBe(2);
    expect(fake.count('recommendation')).toBe(3);
  });

  it('is unavailable when the fresh token is refused too', async () => {
    fake.misbehave('recommendation', { status: 401 });
    const error = await unavailable(drs().evaluate(login('tx:allow:d1')));

    expect(error.message).toContain('401');
    expect(fake.count('token')).toBe(2);
    expect(fake.count('recommendation')).toBe(2);
  });
});

describe('outages', () => {
  it.each<[string, Misbehaviour]>([
    ['429', { status: 429 }],
    ['463', { status: 463 }],
    ['500', { status: 500 }],
    ['503', { status: 503 }],
    ['garbage', 'garbage'],
    ['a dropped connection', 'reset'],
  ])('recommendation answering %s → ProviderUnavailableError', async (_, how) => {
    fake.misbehave('recommendation', how);
    const error = await unavailable(drs().evaluate(login('tx:deny:d1')));
    expect(error.provider).toBe('transmit-drs');
    expect(error.message).not.toContain('tx:deny:d1');
  });

  it.each<[string, Misbehaviour]>([
    ['500', { status: 500 }],
    ['garbage', 'garbage'],
    ['a dropped connection', 'reset'],
  ])('token endpoint answering %s → ProviderUnavailableError', async (_, how) => {
    fake.misbehave('token', how);
    await unavailable(drs().evaluate(login('tx:allow:d1')));
  });

  it('an action token Transmit rejects (400) is a refusal about that login, not an outage', async () => {
    const error = await drs().evaluate(login('forged-token')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRefusedError);
    expect(error).not.toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ reason: 'ACTION_TOKEN_REJECTED' });
    expect(String(error)).not.toContain('forged-token');
  });

  it.each([404, 422])('a %i about the token is a refusal too; a 403 (our application lacks the permission) is an outage', async (status) => {
    fake.misbehave('recommendation', { status }, 1);
    await expect(drs().evaluate(login('tx:allow:d1'))).rejects.toBeInstanceOf(ProviderRefusedError);
    fake.misbehave('recommendation', { status: 403 }, 1);
    await unavailable(drs().evaluate(login('tx:allow:d1')));
  });

  it.each<[string, unknown]>([
    ['an undocumented recommendation type', { recommendation: { type: 'BLOCK' }, risk_score: 99, context: {} }],
    ['no recommendation', { risk_score: 10, context: {} }],
    ['no risk score', { recommendation: { type: 'ALLOW' }, context: {} }],
    ['a risk score that is not a number', { recommendation: { type: 'ALLOW' }, risk_score: 'low', context: {} }],
    ['a JSON array', [{ recommendation: { type: 'ALLOW' } }]],
  ])('a body with %s is malformed, not guessed', async (_, body) => {
    fake.misbehave('recommendation', { json: body });
    const error = await unavailable(drs().evaluate(login('tx:allow:d1')));
    expect(error.message).toMatch(/recommendation/);
  });

  it('a closed port → ProviderUnavailableError', async () => {
    const gone = await startFakeTransmit();
    await gone.close();
    const error = await unavailable(drs({ baseUrl: gone.baseUrl, tokenUrl: `${gone.baseUrl}/oidc/token` }).evaluate(login('tx:allow:d1')));
    expect(error.message).toContain('could not be reached');
  });

  it.each(['recommendation', 'token'] as const)('a hanging %s endpoint fails within the timeout', async (endpoint) => {
    fake.misbehave(endpoint, 'hang');
    const risk = drs({ timeoutMs: 300 });
    const started = performance.now();
    const error = await unavailable(risk.evaluate(login('tx:allow:d1')));
    const elapsed = performance.now() - started;

    expect(error.message).toContain('in time');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(300 + 250);
  });

  it('the timeout bounds the whole evaluation, token included', async () => {
    fake.tokenDelayMs = 200;
    fake.misbehave('recommendation', 'hang');
    const started = performance.now();
    await unavailable(drs({ timeoutMs: 300 }).evaluate(login('tx:allow:d1')));
    expect(performance.now() - started).toBeLessThan(300 + 250);
  });
});

describe('failure policy', () => {
  const outages: [string, Misbehaviour][] = [
    ['500', { status: 500 }],
    ['429', { status: 429 }],
    ['463', { status: 463 }],
    ['garbage', 'garbage'],
    ['hang', 'hang'],
  ];

  it.each(outages)('challenge: an outage (%s) becomes a degraded CHALLENGE', async (_, how) => {
    fake.misbehave('recommendation', how);
    const risk = withFailurePolicy(drs({ timeoutMs: 300 }), 'challenge');
    const assessment = await risk.evaluate(login('tx:deny:d1'));

    expect(assessment.recommendation).toBe('CHALLENGE');
    expect(assessment.riskScore).toBe(50);
    expect(assessment.deviceId).toBeUndefined();
    expect(assessment.degraded?.reason).toMatch(/^transmit-drs: /);
    expect(assessment.raw).toEqual({ degraded: true, reason: assessment.degraded!.reason });
  });

  it.each(outages)('unavailable: an outage (%s) is rethrown', async (_, how) => {
    fake.misbehave('recommendation', how);
    const risk = withFailurePolicy(drs({ timeoutMs: 300 }), 'unavailable');
    await unavailable(risk.evaluate(login('tx:deny:d1')));
  });

  it('an outage never yields DENY, even for a login Transmit would deny', async () => {
    const modes: Misbehaviour[] = [
      { status: 401 },
      { status: 429 },
      { status: 463 },
      { status: 500 },
      { json: { recommendation: { type: 'BLOCK' }, risk_score: 100 } },
      'garbage',
      'reset',
      'hang',
    ];
    for (const how of modes) {
      fake.reset();
      fake.misbehave('recommendation', how);
      const assessment = await withFailurePolicy(drs({ timeoutMs: 200 }), 'challenge').evaluate(login('tx:deny:d1'));
      expect(assessment.recommendation, JSON.stringify(how)).toBe('CHALLENGE');
    }
  });

  it('passes real answers through untouched, DENY included', async () => {
    const risk = withFailurePolicy(drs(), 'challenge');
    const assessment = await risk.evaluate(login('tx:deny:d1'));
    expect(assessment.recommendation).toBe('DENY');
    expect(assessment.degraded).toBeUndefined();
  });

  it('keeps reporting action results', async () => {
    const risk = withFailurePolicy(drs(), 'challenge');
    await risk.reportOutcome?.({ actionToken: 'tx:allow:d1', cupid: 'CUPID_SIMPLE_001', success: true });
    expect(fake.count('result')).toBe(1);
  });

  it.each(['challenge', 'unavailable'] as const)(
    '%s: a rejected action token becomes an unverified CHALLENGE (MFA, no device trust), never a 503 or a DENY',
    async (policy) => {
      const assessment = await withFailurePolicy(drs(), policy).evaluate(login('forged-token'));
      expect(assessment).toMatchObject({ recommendation: 'CHALLENGE', unverified: { reason: 'ACTION_TOKEN_REJECTED' } });
      expect(assessment.deviceId).toBeUndefined();
      expect(assessment.degraded).toBeUndefined();
    },
  );

  it('does not hide errors that are not outages', async () => {
    const broken = withFailurePolicy({ evaluate: () => Promise.reject(new TypeError('bug')) }, 'challenge');
    await expect(broken.evaluate(login('tx:allow:d1'))).rejects.toThrow(TypeError);
  });
});

describe('CIAM_DRS=transmit', () => {
  async function transmitProviders(env: Record<string, string>) {
    const settings = loadSettings({
      NODE_ENV: 'test',
      CIAM_DATA_DIR: '/nonexistent',
      CIAM_DRS: 'transmit',
      CIAM_TRANSMIT_BASE_URL: fake.baseUrl,
      CIAM_TRANSMIT_CLIENT_ID: fake.clientId,
      CIAM_TRANSMIT_CLIENT_SECRET: fake.clientSecret,
      CIAM_TRANSMIT_TIMEOUT_MS: '300',
      ...env,
    });
    // Risk needs no database; nothing here queries it.
    return createProviders(settings, {} as Database);
  }

  it('builds the Transmit adapter behind the failure policy', async () => {
    const { risk } = await transmitProviders({});
    await expect(risk.evaluate(login('tx:challenge:d1'))).resolves.toMatchObject({ recommendation: 'CHALLENGE', deviceId: 'd1' });

    fake.misbehave('recommendation', { status: 500 });
    await expect(risk.evaluate(login('tx:deny:d1'))).resolves.toMatchObject({ recommendation: 'CHALLENGE', degraded: expect.any(Object) });
  });

  it('answers unavailable under CIAM_DRS_FAILURE_POLICY=unavailable', async () => {
    const { risk } = await transmitProviders({ CIAM_DRS_FAILURE_POLICY: 'unavailable' });
    fake.misbehave('recommendation', { status: 500 });
    await unavailable(risk.evaluate(login('tx:allow:d1')));
  });

  it('one client sending bogus action tokens never opens the breaker: a login Transmit denies is still denied', async () => {
    const { risk } = await transmitProviders({ CIAM_BREAKER_THRESHOLD: '2', CIAM_BREAKER_HALF_OPEN_SECONDS: '60', CIAM_TRANSMIT_TIMEOUT_MS: '3000' });
    for (let i = 0; i < 5; i++) {
      const assessment = await risk.evaluate(login(`bogus-${i}`));
      expect(assessment, JSON.stringify(assessment.degraded)).toMatchObject({ recommendation: 'CHALLENGE', unverified: expect.any(Object) });
    }
    const denied = await risk.evaluate(login('tx:deny:d9'));
    expect(denied).toMatchObject({ recommendation: 'DENY' });
    expect(denied.degraded).toBeUndefined();
    expect(fake.count('recommendation')).toBe(6);

    // Outages still open it: two in a row, and the next call never reaches Transmit.
    fake.misbehave('recommendation', { status: 503 });
    await risk.evaluate(login('tx:allow:d1'));
    await risk.evaluate(login('tx:allow:d1'));
    const before = fake.count('recommendation');
    await expect(risk.evaluate(login('tx:deny:d1'))).resolves.toMatchObject({ recommendation: 'CHALLENGE', degraded: { reason: 'risk: circuit open' } });
    expect(fake.count('recommendation')).toBe(before);
  });

  it('refuses to start without client credentials', async () => {
    await expect(transmitProviders({ CIAM_TRANSMIT_CLIENT_SECRET: '' })).rejects.toThrow('CIAM_TRANSMIT_CLIENT_SECRET');
  });
});
