import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Directory } from '../../src/providers/directory/port.js';
import { ProviderUnavailableError } from '../../src/providers/errors.js';
import { CUPIDS, expectError, expectTokens, PASSWORD, sha256Hex, USER_AGENT, useJourneyApp } from '../support/journey-client.js';
import { type TestApp } from '../support/test-app.js';

/** Every error of the login journey's endpoints, and what each leaves (or does not leave) behind. */

const { t, j } = useJourneyApp();

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** Swaps one collaborator of the journey for the length of `body`. The routes read them per request. */
async function withJourneyPart<K extends 'directory' | 'risk' | 'codeSender' | 'pushSender' | 'agreements'>(
  key: K,
  replacement: TestApp['services']['journey'][K],
  body: () => Promise<void>,
) {
  const original = t.services.journey[key];
  t.services.journey[key] = replacement;
  try {
    await body();
  } finally {
    t.services.journey[key] = original;
  }
}

const down = (provider: string) => async (): Promise<never> => {
  throw new ProviderUnavailableError(provider, 'down');
};

describe('login: credentials', () => {
  it('a wrong password and an unknown user get the same 401 CIAM_E01_01_001, without a context_id', async () => {
    const journeysBefore = await j.count('auth_contexts WHERE cupid = $1', [CUPIDS.mfauser]);
    const wrong = await j.login('mfauser', { password: 'NotThePassword1!' });
    const unknown = await j.login('nosuchcustomer', { password: PASSWORD });
    expectError(wrong, 401, 'CIAM_E01_01_001');
    expectError(unknown, 401, 'CIAM_E01_01_001');
    expect(wrong.body).toEqual({ error_code: 'CIAM_E01_01_001' });
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.headers['content-type']).toBe(wrong.headers['content-type']);
    expect(await j.count('auth_contexts WHERE cupid = $1', [CUPIDS.mfauser]), 'a failed password is no journey').toBe(journeysBefore);

    for (const [res, username] of [
      [wrong, 'mfauser'],
      [unknown, 'nosuchcustomer'],
    ] as const) {
      const audit = await j.auditByCorrelation(res.correlationId);
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        event_type: 'LOGIN_FAILED',
        severity: 'WARN',
        cupid: null,
        context_id: null,
        ip_address: '127.0.0.1',
        user_agent: USER_AGENT,
      });
      expect(audit[0].event_data).toMatchObject({ reason: 'INVALID_CREDENTIALS', username_hash: sha256Hex(username) });
      expect(JSON.stringify(audit[0]), 'no username in clear').not.toContain(username);
      expect(JSON.stringify(audit[0]), 'no password in clear').not.toContain('NotThePassword1!');
    }
  });

  it('a wrong password of a blocked account says nothing about the account: 401 CIAM_E01_01_001', async () => {
    expectError(await j.login('deceaseduser', { password: 'NotThePassword1!' }), 401, 'CIAM_E01_01_001');
  });

  it('a masked username: 401 CIAM_E01_01_016, audited without the name', async () => {
    const res = await j.login('mfa***er');
    expectError(res, 401, 'CIAM_E01_01_016');
    expect(res.body).toEqual({ error_code: 'CIAM_E01_01_016' });
    const [row] = await j.auditByCorrelation(res.correlationId);
    expect(row).toMatchObject({ event_type: 'LOGIN_FAILED', event_data: expect.objectContaining({ reason: 'MASKED_USERNAME' }) });
    expect(JSON.stringify(row)).not.toContain('mfa***er');
  });

  it.each([
    ['lockeduser', 'CUPID_LOCKED_001', 'CIAM_E01_01_002'],
    ['disableduser', 'CUPID_DISABLED_001', 'CIAM_E01_01_003'],
    ['blockeduser', 'CUPID_BLOCKED_001', 'CIAM_E01_01_004'],
    ['mfalockeduser', 'CUPID_MFALOCKED_001', 'CIAM_E01_01_005'],
    ['deceaseduser', 'CUPID_DECEASED_001', 'CIAM_E01_01_006'],
    ['restricteduser', 'CUPID_RESTRICTED_001', 'CIAM_E01_01_008'],
  ])('%s: 423 %s … with LOGIN_BLOCKED and no journey', async (username, cupid, code) => {
    const res = await j.login(username);
    expectError(res, 423, code);
    expect(res.body).toEqual({ error_code: code });
    expect(await j.count('auth_contexts WHERE cupid = $1', [cupid])).toBe(0);
    const audit = await j.auditByCorrelation(res.correlationId);
    expect(audit.map((r) => r.event_type)).toEqual(['LOGIN_BLOCKED']);
    expect(audit[0].cupid).toBe(cupid);
  });
});

describe('login: malformed requests answer 400 CIAM_E01_05_001 before any work', () => {
  const valid = { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid' };
  const cases: [string, Record<string, unknown>][] = [
    ['no username', { password: PASSWORD, transmit_aid: 'aid' }],
    ['no password', { username: 'simpleuser', transmit_aid: 'aid' }],
    ['no transmit_aid', { username: 'simpleuser', password: PASSWORD }],
    ['an empty username', { ...valid, username: '' }],
    ['a numeric username', { ...valid, username: 12345 }],
    ['a password that is not a string', { ...valid, password: true }],
    ['a drs_action_token that is not a string', { ...valid, drs_action_token: 42 }],
    ['a context_id that is an object', { ...valid, context_id: { id: 1 } }],
  ];

  it.each(cases)('%s', async (_name, payload) => {
    const res = await j.send({ method: 'POST', url: '/auth/login', payload });
    expectError(res, 400, 'CIAM_E01_05_001');
    expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
  });

  it('malformed JSON', async () => {
    const res = await j.send({
      method: 'POST',
      url: '/auth/login',
      payload: '{"username": "simpleuser", "password": ',
      headers: { 'content-type': 'application/json' },
    });
    expectError(res, 400, 'CIAM_E01_05_001');
  });

  it('an empty body', async () => {
    const res = await j.send({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' } });
    expectError(res, 400, 'CIAM_E01_05_001');
  });

  it('a body over 64 KiB', async () => {
    const res = await j.send({ method: 'POST', url: '/auth/login', payload: { ...valid, transmit_aid: 'x'.repeat(70_000) } });
    expectError(res, 400, 'CIAM_E01_05_001');
    expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
  });

  it('malformed step requests', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const ctx = mfa.context_id;
    const tx = mfa.transaction_id;
    const bad: [string, Record<string, unknown>][] = [
      ['/auth/mfa/initiate', { context_id: ctx, transaction_id: tx }],
      ['/auth/mfa/initiate', { context_id: ctx, method: 'sms', mfa_option_id: 1 }],
      ['/auth/mfa/initiate', { context_id: ctx, transaction_id: tx, method: 'sms', mfa_option_id: '1' }],
      ['/auth/mfa/otp/verify', { context_id: ctx, transaction_id: tx }],
      ['/auth/mfa/otp/verify', { context_id: ctx, transaction_id: tx, code: 123456 }],
      [`/auth/mfa/transactions/${tx}`, {}],
      [`/auth/mfa/transactions/${tx}/approve`, { context_id: ctx, selected_number: '7', approval_secret: 's' }],
      [`/auth/mfa/transactions/${tx}/approve`, { context_id: ctx, selected_number: 7 }],
      ['/auth/esign/accept', { context_id: ctx, transaction_id: tx }],
      ['/auth/device/bind', { context_id: ctx, transaction_id: tx, bind_device: 'yes' }],
      ['/auth/device/bind', { context_id: ctx, transaction_id: tx }],
    ];
    for (const [url, payload] of bad) {
      const res = await j.send({ method: 'POST', url, payload });
      expect(res.status, `${url} ${JSON.stringify(payload)}`).toBe(400);
      expect(res.body.error_code).toBe('CIAM_E01_05_001');
    }
    expect(await j.steps(ctx)).toHaveLength(1);
    expect(await j.step(tx)).toMatchObject({ transaction_status: 'PENDING' });
  });
});

describe('login: the calling client', () => {
  it('an unknown x-client-id: 401, no journey, no audit', async () => {
    const res = await j.login('simpleuser', { headers: { 'x-client-id': 'someone-else' } });
    expectError(res, 401, 'CIAM_E00_00_001');
    expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
  });

  it('no x-client-id at all: 401', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error_code: 'CIAM_E00_00_001' });
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('every answer carries a correlation id, generated when the caller sends none', async () => {
    const res = await t.call({ method: 'POST', url: '/auth/login', payload: { username: 'x', password: 'y', transmit_aid: 'z' } });
    expect(res.statusCode).toBe(401);
    expect(res.headers['x-correlation-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const audit = await j.auditByCorrelation(res.headers['x-correlation-id'] as string);
    expect(audit.map((r) => r.event_type)).toEqual(['LOGIN_FAILED']);
  });
});

describe('login: resuming a journey', () => {
  it('the same customer with the context_id of an open MFA journey: same journey, old step EXPIRED, a new MFA_INITIATE step', async () => {
    const first = await j.loginToMfa('mfauser');
    const again = await j.login('mfauser', { contextId: first.context_id });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ response_type_code: 'MFA_REQUIRED', context_id: first.context_id });
    expect(again.body.transaction_id).not.toBe(first.transaction_id);
    const steps = await j.steps(first.context_id);
    expect(steps.map((s) => [s.sequence_number, s.transaction_type, s.transaction_status])).toEqual([
      [1, 'MFA_INITIATE', 'EXPIRED'],
      [2, 'MFA_INITIATE', 'PENDING'],
    ]);
    expect(steps[0].consumed_at).toBeInstanceOf(Date);
    expect(steps[1].transaction_id).toBe(again.body.transaction_id);
    expect(await j.count('auth_contexts WHERE context_id = $1', [first.context_id])).toBe(1);
    const resumed = (await j.auditByCorrelation(again.correlationId)).find((r) => r.event_type === 'LOGIN_MFA_REQUIRED');
    expect(resumed).toMatchObject({ context_id: first.context_id, event_data: expect.objectContaining({ resumed: true }) });
    // The superseded step is gone; the new one works.
    expectError(await j.initiate(first.context_id, first.transaction_id, 'sms', 1), 410, 'CIAM_E01_03_002');
    const sent = await j.sendCode(CUPIDS.mfauser, first.context_id, again.body.transaction_id);
    expectTokens(await j.verify(first.context_id, sent.transactionId, sent.code), 201, first.context_id);
  });

  it('a context_id brought from another device starts a new journey there; the first one is untouched', async () => {
    const first = await j.loginToMfa('mfauser', { drsActionToken: 'sim:allow:device-one' });
    const before = await j.steps(first.context_id);
    const elsewhere = await j.login('mfauser', { contextId: first.context_id, drsActionToken: 'sim:allow:device-two' });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.context_id).not.toBe(first.context_id);
    expect((await j.journey(elsewhere.body.context_id)).device_fingerprint).toBe(j.deviceHash('device-two'));
    expect(await j.steps(first.context_id)).toEqual(before);
    expect((await j.journey(first.context_id)).device_fingerprint).toBe(j.deviceHash('device-one'));
    // From the device it began on, the journey resumes.
    const again = await j.login('mfauser', { contextId: first.context_id, drsActionToken: 'sim:allow:device-one' });
    expect(again.body.context_id).toBe(first.context_id);
  });

  it("another customer's context_id starts a new journey and leaves the other one untouched", async () => {
    const theirs = await j.loginToMfa('mfauser');
    const before = await j.steps(theirs.context_id);
    const mine = await j.loginToMfa('nopushuser', { contextId: theirs.context_id });
    expect(mine.context_id).not.toBe(theirs.context_id);
    expect((await j.journey(mine.context_id)).cupid).toBe(CUPIDS.nopushuser);
    expect(await j.steps(theirs.context_id)).toEqual(before);
    expect(await j.journey(theirs.context_id)).toMatchObject({ cupid: CUPIDS.mfauser, auth_outcome: null });
  });

  it('a finished journey or a context_id that is no uuid starts a new journey', async () => {
    const done = await j.login('simpleuser');
    expectTokens(done, 201);
    const next = await j.login('simpleuser', { contextId: done.body.context_id });
    expectTokens(next, 201);
    expect(next.body.context_id).not.toBe(done.body.context_id);
    const odd = await j.login('simpleuser', { contextId: 'ctx_abc123' });
    expectTokens(odd, 201);
  });
});

describe('steps: unknown, foreign, used, expired', () => {
  it('an unknown transaction_id: 404 CIAM_E01_03_001 on every step endpoint', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const ctx = mfa.context_id;
    expectError(await j.initiate(ctx, UNKNOWN, 'sms', 1), 404, 'CIAM_E01_03_001');
    expectError(await j.verify(ctx, UNKNOWN, '123456'), 404, 'CIAM_E01_03_001');
    expectError(await j.poll(ctx, UNKNOWN), 404, 'CIAM_E01_03_001');
    expectError(await j.approve(ctx, UNKNOWN, 5, 'secret'), 404, 'CIAM_E01_03_001');
    expectError(await j.deny(ctx, UNKNOWN, 'secret'), 404, 'CIAM_E01_03_001');
    expectError(await j.accept(ctx, UNKNOWN, 'terms-v1-2025'), 404, 'CIAM_E01_03_001');
    expectError(await j.bind(ctx, UNKNOWN, true), 404, 'CIAM_E01_03_001');
    // An unknown journey likewise.
    expectError(await j.initiate(UNKNOWN, mfa.transaction_id, 'sms', 1), 404, 'CIAM_E01_03_001');
    expectError(await j.verify(UNKNOWN, mfa.transaction_id, '123456'), 404, 'CIAM_E01_03_001');
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
  });

  it('ids that are not uuids: 404', async () => {
    const mfa = await j.loginToMfa('mfauser');
    expectError(await j.initiate(mfa.context_id, 'tx_123', 'sms', 1), 404, 'CIAM_E01_03_001');
    expectError(await j.initiate('ctx_123', mfa.transaction_id, 'sms', 1), 404, 'CIAM_E01_03_001');
    expectError(await j.verify('ctx_123', 'tx_123', '123456'), 404, 'CIAM_E01_03_001');
    expectError(await j.poll(mfa.context_id, 'tx_123'), 404, 'CIAM_E01_03_001');
    expectError(await j.approve('ctx_123', 'tx_123', 5, 'secret'), 404, 'CIAM_E01_03_001');
    expectError(await j.accept('ctx_123', 'tx_123', 'terms-v1-2025'), 404, 'CIAM_E01_03_001');
    expectError(await j.bind('ctx_123', 'tx_123', true), 404, 'CIAM_E01_03_001');
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
  });

  it("a step of one journey with another journey's context_id: 404, and nothing changes in either", async () => {
    const a = await j.loginToMfa('mfauser');
    const b = await j.loginToMfa('mfauser');
    const sentA = await j.sendCode(CUPIDS.mfauser, a.context_id, a.transaction_id);
    const stepsA = await j.steps(a.context_id);
    const stepsB = await j.steps(b.context_id);

    const calls = [
      await j.verify(b.context_id, sentA.transactionId, sentA.code),
      await j.initiate(a.context_id, b.transaction_id, 'sms', 1),
      await j.poll(b.context_id, sentA.transactionId),
    ];
    for (const res of calls) {
      expectError(res, 404, 'CIAM_E01_03_001');
      expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
    }
    expect(await j.steps(a.context_id)).toEqual(stepsA);
    expect(await j.steps(b.context_id)).toEqual(stepsB);
    expect((await j.outbox(CUPIDS.mfauser)).filter((m) => m.transaction_id === b.transaction_id)).toHaveLength(0);
    // Both still work where they belong.
    expectTokens(await j.verify(a.context_id, sentA.transactionId, sentA.code), 201, a.context_id);
  });

  it('a step of the wrong kind for the endpoint: 404 (verify with an MFA_INITIATE step)', async () => {
    const mfa = await j.loginToMfa('mfauser');
    expectError(await j.verify(mfa.context_id, mfa.transaction_id, '123456'), 404, 'CIAM_E01_03_001');
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
  });

  it('a consumed step used again: 400 CIAM_E01_03_003', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1), 400, 'CIAM_E01_03_003');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'push'), 400, 'CIAM_E01_03_003');
    expectTokens(await j.verify(mfa.context_id, sent.transactionId, sent.code), 201, mfa.context_id);
    const replay = await j.verify(mfa.context_id, sent.transactionId, sent.code);
    expectError(replay, 400, 'CIAM_E01_03_003');
    expect(replay.setCookie).toBeUndefined();
    expect(await j.sessions(mfa.context_id)).toHaveLength(1);
  });

  it('an expired MFA_INITIATE step: 410 CIAM_E01_03_002, nothing sent, nothing changed', async () => {
    const mfa = await j.loginToMfa('mfauser');
    await t.db.query(`UPDATE auth_transactions SET expires_at = now() - interval '1 second' WHERE transaction_id = $1`, [mfa.transaction_id]);
    const before = await j.steps(mfa.context_id);
    const sentBefore = (await j.outbox(CUPIDS.mfauser)).length;
    const res = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1);
    expectError(res, 410, 'CIAM_E01_03_002');
    expect(res.body.context_id).toBe(mfa.context_id);
    expect(await j.steps(mfa.context_id)).toEqual(before);
    expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
    expect((await j.outbox(CUPIDS.mfauser)).length).toBe(sentBefore);
  });

  it('an expired MFA_VERIFY step: 410 even with the right code, and nothing changes', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    await t.db.query(`UPDATE auth_transactions SET expires_at = now() - interval '1 second' WHERE transaction_id = $1`, [sent.transactionId]);
    const before = await j.steps(mfa.context_id);
    const res = await j.verify(mfa.context_id, sent.transactionId, sent.code);
    expectError(res, 410, 'CIAM_E01_03_002');
    expect(res.setCookie).toBeUndefined();
    expect(await j.steps(mfa.context_id)).toEqual(before);
    expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
    expect(await j.journey(mfa.context_id)).toMatchObject({ auth_outcome: null });
    expect(await j.sessions(mfa.context_id)).toHaveLength(0);
  });

  it('a journey past its own expiry: its open step answers 410', async () => {
    const mfa = await j.loginToMfa('mfauser');
    await t.db.query(`UPDATE auth_contexts SET expires_at = now() - interval '1 second' WHERE context_id = $1`, [mfa.context_id]);
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1), 410, 'CIAM_E01_03_002');
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
    // Nor can it be resumed: a new login starts a new journey.
    const again = await j.loginToMfa('mfauser', { contextId: mfa.context_id });
    expect(again.context_id).not.toBe(mfa.context_id);
  });
});

describe('outside systems unavailable: 503 CIAM_E05_00_002', () => {
  it('the directory is down: login answers 503 and no journey starts', async () => {
    const failing: Directory = { authenticate: down('directory'), findByCupid: down('directory') };
    await withJourneyPart('directory', failing, async () => {
      const res = await j.login('simpleuser');
      expectError(res, 503, 'CIAM_E05_00_002');
      expect(res.body).toEqual({ error_code: 'CIAM_E05_00_002' });
      expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
    });
    expectTokens(await j.login('simpleuser'), 201);
  });

  it('the directory is down when the phone number is needed: initiate answers 503 and the step stays open', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const directory = t.services.journey.directory;
    const lookupFails: Directory = { authenticate: (u, p) => directory.authenticate(u, p), findByCupid: down('directory') };
    await withJourneyPart('directory', lookupFails, async () => {
      const res = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1);
      expectError(res, 503, 'CIAM_E05_00_002');
      expect(res.body.context_id).toBe(mfa.context_id);
    });
    expect(await j.steps(mfa.context_id)).toHaveLength(1);
    await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
  });

  it('device risk is down: a login with an action token answers 503 and no journey starts; one without a token goes on', async () => {
    const journeysBefore = await j.count('auth_contexts WHERE cupid = $1', [CUPIDS.simpleuser]);
    await withJourneyPart('risk', { evaluate: down('drs') }, async () => {
      const res = await j.login('simpleuser', { drsActionToken: 'sim:allow:risk-down' });
      expectError(res, 503, 'CIAM_E05_00_002');
      expect(await j.count('auth_contexts WHERE cupid = $1', [CUPIDS.simpleuser])).toBe(journeysBefore);
      expectTokens(await j.login('simpleuser'), 201);
    });
  });

  it('the agreement service is down: a login that would need it answers 503', async () => {
    const agreements = t.services.journey.agreements;
    await withJourneyPart(
      'agreements',
      { pendingMandatoryDocument: down('agreements'), getDocument: (id) => agreements.getDocument(id), recordAcceptance: (a) => agreements.recordAcceptance(a) },
      async () => {
        expectError(await j.login('simpleuser'), 503, 'CIAM_E05_00_002');
      },
    );
  });

  it('the code cannot be sent: 503 with a fresh MFA_INITIATE step that works; the unsent step is EXPIRED', async () => {
    const mfa = await j.loginToMfa('mfauser');
    let retryTx = '';
    let failedCorrelation = '';
    await withJourneyPart('codeSender', { sendCode: down('sms') }, async () => {
      const res = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1);
      expectError(res, 503, 'CIAM_E05_00_002');
      expect(res.body).toEqual({ error_code: 'CIAM_E05_00_002', context_id: mfa.context_id, transaction_id: expect.any(String) });
      retryTx = res.body.transaction_id;
      failedCorrelation = res.correlationId;
    });
    const steps = await j.steps(mfa.context_id);
    expect(steps.map((s) => [s.sequence_number, s.transaction_type, s.transaction_status])).toEqual([
      [1, 'MFA_INITIATE', 'CONSUMED'],
      [2, 'MFA_VERIFY', 'EXPIRED'],
      [3, 'MFA_INITIATE', 'PENDING'],
    ]);
    expect(steps[2]).toMatchObject({
      transaction_id: retryTx,
      parent_transaction_id: steps[1].transaction_id,
      attempt_number: 1,
      mfa_options: mfa.otp_methods,
      mobile_approve_status: 'ENABLED',
    });
    const audit = await j.auditByCorrelation(failedCorrelation);
    const failed = audit.find((r) => r.event_type === 'MFA_DELIVERY_FAILED');
    expect(failed).toMatchObject({ severity: 'ERROR', transaction_id: steps[1].transaction_id });
    expect(failed.event_data).toMatchObject({ method: 'sms', retry_transaction_id: retryTx });

    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, retryTx);
    expectTokens(await j.verify(mfa.context_id, sent.transactionId, sent.code), 201, mfa.context_id);
  });

  it('the push cannot be sent: 503 with a fresh MFA_INITIATE step', async () => {
    const mfa = await j.loginToMfa('mfauser');
    await withJourneyPart('pushSender', { sendPush: down('push') }, async () => {
      const res = await j.initiate(mfa.context_id, mfa.transaction_id, 'push');
      expectError(res, 503, 'CIAM_E05_00_002');
      expect((await j.step(res.body.transaction_id)).transaction_type).toBe('MFA_INITIATE');
    });
    const steps = await j.steps(mfa.context_id);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status])).toEqual([
      ['MFA_INITIATE', 'CONSUMED'],
      ['MFA_PUSH_VERIFY', 'EXPIRED'],
      ['MFA_INITIATE', 'PENDING'],
    ]);
  });
});

describe('audit rows carry the request that caused them', () => {
  it('correlation id, address and user agent of each request', async () => {
    const ua = `journey-test-agent/${randomUUID()}`;
    const mfa = await j.login('mfauser', { userAgent: ua });
    const sent = await j.initiate(mfa.body.context_id, mfa.body.transaction_id, 'sms', 1, { userAgent: ua });
    for (const res of [mfa, sent]) {
      const rows = await j.auditByCorrelation(res.correlationId);
      expect(rows.length).toBeGreaterThan(0);
      for (const row of rows) expect(row).toMatchObject({ correlation_id: res.correlationId, ip_address: '127.0.0.1', user_agent: ua });
    }
    expect((await j.journey(mfa.body.context_id)).correlation_id).toBe(mfa.correlationId);
  });
});
