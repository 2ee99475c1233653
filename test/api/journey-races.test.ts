import { describe, expect, it } from 'vitest';
import { deviceKeyHash } from '../../src/devices/device-identity.js';
import { ProviderUnavailableError } from '../../src/providers/errors.js';
import type { PushSender } from '../../src/providers/delivery/port.js';
import { journeyClient } from '../support/journey-client.js';
import { useTestApp } from '../support/test-app.js';
import {
  errorCode,
  expectLoser,
  pendingCount,
  postJson,
  sessionsOf,
  snapshot,
  stepById,
  stepsOf,
  toDeviceBind,
  toEsign,
  toInitiate,
  toPush,
  toVerify,
  together,
} from '../support/journey-positions.js';

/**
 * Concurrent submissions of one journey step, and steps used after their time. Each step is a
 * single-use token: of any number of simultaneous submissions exactly one succeeds and exactly one
 * next step exists. (PGlite runs one query at a time, so these only bite on PostgreSQL.)
 */

const N = 8;

// Many logins of the same demo customers within a minute: the abuse limits are not under test here.
const t = useTestApp({ CIAM_RATE_LIMIT_ENABLED: 'false' });
const j = journeyClient(t);

describe('eight concurrent submissions of one step', () => {
  it('verify with the right code: one 201, one session, the rest already processed', async () => {
    const at = await toVerify(t);
    const answers = await together(N, () =>
      postJson(t, '/auth/mfa/otp/verify', { context_id: at.contextId, transaction_id: at.verifyId, code: at.code }),
    );

    const winners = answers.filter((r) => r.statusCode === 201);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.json()).toMatchObject({ response_type_code: 'SUCCESS', context_id: at.contextId });
    for (const loser of answers.filter((r) => r !== winners[0])) expectLoser(loser);

    expect(await sessionsOf(t, at.contextId)).toBe(1);
    expect(await pendingCount(t, at.contextId)).toBe(0);
    const steps = await stepsOf(t, at.contextId);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status, s.verification_result])).toEqual([
      ['MFA_INITIATE', 'CONSUMED', null],
      ['MFA_VERIFY', 'CONSUMED', 'CORRECT'],
    ]);
    const { rows } = await t.db.query(`SELECT auth_outcome FROM auth_contexts WHERE context_id = $1`, [at.contextId]);
    expect(rows[0]!.auth_outcome).toBe('SUCCESS');
  });

  it('initiate: one 200, one MFA_VERIFY step, one message sent', async () => {
    const at = await toInitiate(t);
    const before = (await j.outbox(at.cupid)).length;
    const answers = await together(N, () =>
      postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'sms', mfa_option_id: 1 }),
    );

    const winners = answers.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.json().response_type_code).toBe('OTP_VERIFY_REQUIRED');
    for (const loser of answers.filter((r) => r !== winners[0])) expectLoser(loser);

    const steps = await stepsOf(t, at.contextId);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status, s.sequence_number])).toEqual([
      ['MFA_INITIATE', 'CONSUMED', 1],
      ['MFA_VERIFY', 'PENDING', 2],
    ]);
    expect(steps[1]!.transaction_id).toBe(winners[0]!.json().transaction_id);
    expect(steps[1]!.parent_transaction_id).toBe(at.initiateId);
    const messages = await j.outbox(at.cupid);
    expect(messages.length - before).toBe(1);
    expect(messages[0]!.transaction_id).toBe(steps[1]!.transaction_id);
  });

  it('verify with a wrong code: one 400 CIAM_E01_01_017 with one retry step, the rest already processed', async () => {
    const at = await toVerify(t);
    const wrong = at.code === '000000' ? '111111' : '000000';
    const answers = await together(N, () =>
      postJson(t, '/auth/mfa/otp/verify', { context_id: at.contextId, transaction_id: at.verifyId, code: wrong }),
    );

    const wrongCode = answers.filter((r) => errorCode(r) === 'CIAM_E01_01_017');
    expect(wrongCode).toHaveLength(1);
    expect(wrongCode[0]!.statusCode).toBe(400);
    for (const other of answers.filter((r) => r !== wrongCode[0])) {
      expect(other.statusCode, other.body).toBe(400);
      expect(errorCode(other)).toBe('CIAM_E01_03_003');
    }

    const steps = await stepsOf(t, at.contextId);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status, s.verification_result])).toEqual([
      ['MFA_INITIATE', 'CONSUMED', null],
      ['MFA_VERIFY', 'CONSUMED', 'INCORRECT'],
      ['MFA_INITIATE', 'PENDING', null],
    ]);
    expect(steps[2]!.transaction_id).toBe(wrongCode[0]!.json().transaction_id);
    expect(steps[2]!.parent_transaction_id).toBe(at.verifyId);
    expect(await pendingCount(t, at.contextId)).toBe(1);
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE context_id = $1 AND event_type = 'MFA_VERIFY_FAILED'`,
      [at.contextId],
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('device bind: one success, one trusted device', async () => {
    const at = await toDeviceBind(t);
    const answers = await together(N, () =>
      postJson(t, '/auth/device/bind', { context_id: at.contextId, transaction_id: at.bindId, bind_device: true }),
    );

    const winners = answers.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.json()).toMatchObject({ response_type_code: 'SUCCESS', device_bound: true });
    for (const loser of answers.filter((r) => r !== winners[0])) expectLoser(loser);

    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM trusted_devices WHERE cupid = $1 AND device_fingerprint = $2`,
      [at.cupid, deviceKeyHash(t.services.secrets.deviceKey, at.deviceId)],
    );
    expect(rows[0]!.n).toBe(1);
    expect(await sessionsOf(t, at.contextId)).toBe(1);
    expect(await pendingCount(t, at.contextId)).toBe(0);
    const bind = await stepById(t, at.bindId);
    expect(bind.transaction_status).toBe('CONSUMED');
  });

  it('eSign accept: one success, one acceptance, one session', async () => {
    const at = await toEsign(t);
    const answers = await together(N, () =>
      postJson(t, '/auth/esign/accept', { context_id: at.contextId, transaction_id: at.esignId, document_id: at.documentId }),
    );

    const winners = answers.filter((r) => r.statusCode === 201);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.json()).toMatchObject({ response_type_code: 'SUCCESS', esign_accepted: true, transaction_id: at.esignId });
    for (const loser of answers.filter((r) => r !== winners[0])) expectLoser(loser);

    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM esign_acceptances WHERE context_id = $1`, [at.contextId]);
    expect(rows[0]!.n).toBe(1);
    expect(await sessionsOf(t, at.contextId)).toBe(1);
    const accepted = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE context_id = $1 AND event_type = 'ESIGN_ACCEPTED'`,
      [at.contextId],
    );
    expect(accepted.rows[0]!.n).toBe(1);
  });
});

describe('push: the phone and the browser at the same time', () => {
  it('approve racing several polls: exactly one poll collects the tokens, once', async () => {
    for (let round = 0; round < 4; round++) {
      const at = await toPush(t);
      const poll = () => postJson(t, `/auth/mfa/transactions/${at.pushId}`, { context_id: at.contextId });
      const approve = () =>
        postJson(t, `/auth/mfa/transactions/${at.pushId}/approve`, {
          context_id: at.contextId,
          selected_number: at.displayNumber,
          approval_secret: at.secret,
        });

      const [approved, ...firstPolls] = await Promise.all([approve(), poll(), poll(), poll(), poll(), poll(), poll()]);
      expect(approved!.statusCode, approved!.body).toBe(200);
      expect(approved!.json()).toEqual({ success: true, transaction_id: at.pushId });
      // The approval is committed now: these polls must collect it, once.
      const laterPolls = await together(4, poll);

      const polls = [...firstPolls, ...laterPolls];
      const collected = polls.filter((r) => r.statusCode === 201);
      expect(collected, `round ${round}`).toHaveLength(1);
      expect(collected[0]!.json()).toMatchObject({ response_type_code: 'SUCCESS', transaction_id: at.pushId });
      for (const other of polls.filter((r) => r !== collected[0])) {
        const pending = other.statusCode === 200 && other.json().response_type_code === 'MFA_PENDING';
        const processed = other.statusCode === 400 && errorCode(other) === 'CIAM_E01_03_003';
        expect(pending || processed, other.body).toBe(true);
      }
      // Polls after the collecting one never see MFA_PENDING again.
      expect(laterPolls.filter((r) => r.statusCode === 200)).toHaveLength(0);

      expect(await sessionsOf(t, at.contextId)).toBe(1);
      const step = await stepById(t, at.pushId);
      expect([step.transaction_status, step.verification_result, step.selected_number]).toEqual(['CONSUMED', 'APPROVED', at.displayNumber]);
      expect(await pendingCount(t, at.contextId)).toBe(0);
    }
  });

  it('eight concurrent approvals: one success, the rest already processed', async () => {
    const at = await toPush(t);
    const answers = await together(N, () =>
      postJson(t, `/auth/mfa/transactions/${at.pushId}/approve`, {
        context_id: at.contextId,
        selected_number: at.displayNumber,
        approval_secret: at.secret,
      }),
    );
    const winners = answers.filter((r) => r.statusCode === 200);
    expect(winners).toHaveLength(1);
    expect(winners[0]!.json()).toEqual({ success: true, transaction_id: at.pushId });
    for (const other of answers.filter((r) => r !== winners[0])) {
      expect(other.statusCode, other.body).toBe(400);
      expect(errorCode(other)).toBe('CIAM_E01_03_003');
    }
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM audit_logs WHERE context_id = $1 AND event_type = 'MFA_PUSH_APPROVED'`,
      [at.contextId],
    );
    expect(rows[0]!.n).toBe(1);
    const step = await stepById(t, at.pushId);
    expect([step.transaction_status, step.verification_result]).toEqual(['PENDING', 'APPROVED']);
  });
});

/** Makes a step (or a whole journey) past its expiry by moving its clock back, not by waiting. */
async function backdateStep(transactionId: string) {
  await t.db.query(`UPDATE auth_transactions SET expires_at = now() - interval '1 second' WHERE transaction_id = $1`, [transactionId]);
}
async function backdateJourney(contextId: string) {
  await t.db.query(`UPDATE auth_contexts SET expires_at = now() - interval '1 second' WHERE context_id = $1`, [contextId]);
}

describe('a step used after its expiry', () => {
  it('initiate → 410, nothing changes, no message sent', async () => {
    const at = await toInitiate(t);
    await backdateStep(at.initiateId);
    const before = await snapshot(t, [at.contextId]);
    const sent = (await j.outbox(at.cupid)).length;
    const res = await postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'sms', mfa_option_id: 1 });
    expect(res.statusCode, res.body).toBe(410);
    expect(res.json()).toEqual({ error_code: 'CIAM_E01_03_002', context_id: at.contextId });
    expect(await snapshot(t, [at.contextId])).toEqual(before);
    expect((await j.outbox(at.cupid)).length).toBe(sent);
  });

  it('verify with the right code → 410, nothing changes', async () => {
    const at = await toVerify(t);
    await backdateStep(at.verifyId);
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/mfa/otp/verify', { context_id: at.contextId, transaction_id: at.verifyId, code: at.code });
    expect(res.statusCode, res.body).toBe(410);
    expect(errorCode(res)).toBe('CIAM_E01_03_002');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
    expect((await stepById(t, at.verifyId)).transaction_status).toBe('PENDING');
  });

  it('push approve and poll → 410, nothing changes', async () => {
    const at = await toPush(t);
    await backdateStep(at.pushId);
    const before = await snapshot(t, [at.contextId]);
    const approve = await postJson(t, `/auth/mfa/transactions/${at.pushId}/approve`, {
      context_id: at.contextId,
      selected_number: at.displayNumber,
      approval_secret: at.secret,
    });
    expect(approve.statusCode, approve.body).toBe(410);
    expect(errorCode(approve)).toBe('CIAM_E01_03_002');
    const poll = await postJson(t, `/auth/mfa/transactions/${at.pushId}`, { context_id: at.contextId });
    expect(poll.statusCode, poll.body).toBe(410);
    expect(errorCode(poll)).toBe('CIAM_E01_03_002');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });

  it('an approved push collected after its expiry → 410, no session', async () => {
    const at = await toPush(t);
    const approve = await postJson(t, `/auth/mfa/transactions/${at.pushId}/approve`, {
      context_id: at.contextId,
      selected_number: at.displayNumber,
      approval_secret: at.secret,
    });
    expect(approve.statusCode).toBe(200);
    await backdateStep(at.pushId);
    const before = await snapshot(t, [at.contextId]);
    const poll = await postJson(t, `/auth/mfa/transactions/${at.pushId}`, { context_id: at.contextId });
    expect(poll.statusCode, poll.body).toBe(410);
    expect(await snapshot(t, [at.contextId])).toEqual(before);
    expect(await sessionsOf(t, at.contextId)).toBe(0);
  });

  it('eSign accept → 410, nothing changes', async () => {
    const at = await toEsign(t);
    await backdateStep(at.esignId);
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/esign/accept', { context_id: at.contextId, transaction_id: at.esignId, document_id: at.documentId });
    expect(res.statusCode, res.body).toBe(410);
    expect(errorCode(res)).toBe('CIAM_E01_03_002');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });

  it('device bind → 410, nothing changes', async () => {
    const at = await toDeviceBind(t);
    await backdateStep(at.bindId);
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/device/bind', { context_id: at.contextId, transaction_id: at.bindId, bind_device: true });
    expect(res.statusCode, res.body).toBe(410);
    expect(errorCode(res)).toBe('CIAM_E01_03_002');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });

  it('a whole journey past its expiry: its open step answers 410, nothing changes', async () => {
    const verify = await toVerify(t);
    const push = await toPush(t);
    const bind = await toDeviceBind(t);
    for (const contextId of [verify.contextId, push.contextId, bind.contextId]) await backdateJourney(contextId);
    const contexts = [verify.contextId, push.contextId, bind.contextId];
    const before = await snapshot(t, contexts);

    const answers = [
      await postJson(t, '/auth/mfa/otp/verify', { context_id: verify.contextId, transaction_id: verify.verifyId, code: verify.code }),
      await postJson(t, `/auth/mfa/transactions/${push.pushId}/approve`, {
        context_id: push.contextId,
        selected_number: push.displayNumber,
        approval_secret: push.secret,
      }),
      await postJson(t, `/auth/mfa/transactions/${push.pushId}`, { context_id: push.contextId }),
      await postJson(t, '/auth/device/bind', { context_id: bind.contextId, transaction_id: bind.bindId, bind_device: true }),
    ];
    for (const res of answers) {
      expect(res.statusCode, res.body).toBe(410);
      expect(errorCode(res)).toBe('CIAM_E01_03_002');
    }
    expect(await snapshot(t, contexts)).toEqual(before);
  });

  it('a journey past its expiry: its open MFA_INITIATE step answers 410', async () => {
    const at = await toInitiate(t);
    await backdateJourney(at.contextId);
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'push' });
    expect(res.statusCode, res.body).toBe(410);
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });
});

describe('a challenge that cannot be delivered', () => {
  /** Runs `work` with the push sender replaced by one that first calls `before`, then fails. */
  async function withFailingPush<T>(before: () => Promise<void>, work: () => Promise<T>): Promise<T> {
    const deps = t.services.journey;
    const original: PushSender = deps.pushSender;
    deps.pushSender = {
      async sendPush() {
        await before();
        throw new ProviderUnavailableError('push', 'gateway down (test)');
      },
    };
    try {
      return await work();
    } finally {
      deps.pushSender = original;
    }
  }

  it('is withdrawn, and a fresh MFA_INITIATE step is offered with the 503', async () => {
    const at = await toInitiate(t);
    const res = await withFailingPush(
      async () => {},
      () => postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'push' }),
    );
    expect(res.statusCode, res.body).toBe(503);
    const body = res.json();
    expect(body.error_code).toBe('CIAM_E05_00_002');

    const steps = await stepsOf(t, at.contextId);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status, s.sequence_number])).toEqual([
      ['MFA_INITIATE', 'CONSUMED', 1],
      ['MFA_PUSH_VERIFY', 'EXPIRED', 2],
      ['MFA_INITIATE', 'PENDING', 3],
    ]);
    expect(body.transaction_id).toBe(steps[2]!.transaction_id);
    expect(steps[2]!.parent_transaction_id).toBe(steps[1]!.transaction_id);
    const { rows } = await t.db.query(
      `SELECT transaction_id, event_data FROM audit_logs WHERE context_id = $1 AND event_type = 'MFA_DELIVERY_FAILED'`,
      [at.contextId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ transaction_id: steps[1]!.transaction_id, event_data: { retry_transaction_id: steps[2]!.transaction_id } });

    // The fresh step works: the customer can ask again.
    const again = await postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: body.transaction_id, method: 'sms', mfa_option_id: 1 });
    expect(again.statusCode, again.body).toBe(200);
  });

  it('when the journey ends while the message is in flight: withdrawn without a retry step, and still audited', async () => {
    const at = await toInitiate(t);
    const res = await withFailingPush(
      () => backdateJourney(at.contextId),
      () => postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'push' }),
    );
    expect(res.statusCode, res.body).toBe(503);
    expect(res.json()).toEqual({ error_code: 'CIAM_E05_00_002', context_id: at.contextId });

    const steps = await stepsOf(t, at.contextId);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status])).toEqual([
      ['MFA_INITIATE', 'CONSUMED'],
      ['MFA_PUSH_VERIFY', 'EXPIRED'],
    ]);
    // No change without its audit row: the withdrawal is recorded even though nothing follows it.
    const { rows } = await t.db.query(
      `SELECT transaction_id, event_data FROM audit_logs WHERE context_id = $1 AND event_type = 'MFA_DELIVERY_FAILED'`,
      [at.contextId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ transaction_id: steps[1]!.transaction_id, event_data: { retry_transaction_id: null } });
  });
});
