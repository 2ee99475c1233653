import { describe, expect, it } from 'vitest';
import { CUPIDS, expectError, expectSessionFor, expectTokens, sha256Hex, useJourneyApp } from '../support/journey-client.js';

/** Walkthrough 4: MFA by push with number matching, and the ways a push or a method choice goes wrong. */

const { t, j } = useJourneyApp();

const cupid = CUPIDS.mfauser;

/** Login of mfauser and a push sent. */
async function pushSent(options: { drsActionToken?: string } = {}) {
  const mfa = await j.loginToMfa('mfauser', options);
  const push = await j.sendPush(cupid, mfa.context_id, mfa.transaction_id);
  return { contextId: mfa.context_id, initiateTx: mfa.transaction_id, ...push };
}

/** A number from 1 to 99 that is not `n`. */
const otherNumber = (n: number) => (n % 99) + 1;

describe('walkthrough 4: MFA by push', () => {
  it('initiate push → poll pending → phone approves with the number and the secret → poll → 201', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const contextId = mfa.context_id;
    const initiate = await j.initiate(contextId, mfa.transaction_id, 'push');
    expect(initiate.status).toBe(200);
    expect(initiate.body).toEqual({
      response_type_code: 'PUSH_VERIFY_REQUIRED',
      transaction_id: expect.any(String),
      expires_at: expect.any(String),
      display_number: expect.any(Number),
    });
    const pushTx = initiate.body.transaction_id;
    const displayNumber = initiate.body.display_number;
    expect(Number.isInteger(displayNumber)).toBe(true);
    expect(displayNumber).toBeGreaterThanOrEqual(1);
    expect(displayNumber).toBeLessThanOrEqual(99);
    const lifetime = (Date.parse(initiate.body.expires_at) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(100);
    expect(lifetime).toBeLessThanOrEqual(121);

    const message = await j.messageFor(cupid, pushTx);
    expect(message).toMatchObject({ channel: 'push', display_number: displayNumber });
    expect(message.approval_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(message.code).toBeUndefined();

    const step = await j.step(pushTx);
    expect(step).toMatchObject({
      transaction_type: 'MFA_PUSH_VERIFY',
      transaction_status: 'PENDING',
      sequence_number: 2,
      parent_transaction_id: mfa.transaction_id,
      mfa_method: 'push',
      display_number: displayNumber,
      approval_secret_hash: sha256Hex(message.approval_secret!),
      verification_result: null,
      otp_code_hash: null,
    });

    const pending = await j.poll(contextId, pushTx);
    expect(pending.status).toBe(200);
    expect(pending.body).toEqual({
      response_type_code: 'MFA_PENDING',
      transaction_id: pushTx,
      expires_at: initiate.body.expires_at,
      retry_after: 1000,
    });

    const approve = await j.approve(contextId, pushTx, displayNumber, message.approval_secret!);
    expect(approve.status).toBe(200);
    expect(approve.body).toEqual({ success: true, transaction_id: pushTx });
    expect(approve.setCookie, 'the phone never receives tokens').toBeUndefined();
    expect(approve.body).not.toHaveProperty('access_token');
    // Approved but not yet collected: the step stays open for the browser.
    expect(await j.step(pushTx)).toMatchObject({ transaction_status: 'PENDING', verification_result: 'APPROVED', selected_number: displayNumber });

    const done = await j.poll(contextId, pushTx);
    expectTokens(done, 201, contextId);
    expect(done.body.transaction_id).toBe(pushTx);

    const steps = await j.steps(contextId);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status, s.verification_result])).toEqual([
      ['MFA_INITIATE', 'CONSUMED', null],
      ['MFA_PUSH_VERIFY', 'CONSUMED', 'APPROVED'],
    ]);
    expect(steps[0]).toMatchObject({ mfa_method: 'push' });
    expect(JSON.stringify(steps)).not.toContain(message.approval_secret!);
    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: 'SUCCESS' });
    await expectSessionFor(j, contextId, done);

    const audit = await j.audit(contextId);
    expect(audit.map((r) => r.event_type).sort()).toEqual([
      'LOGIN_MFA_REQUIRED',
      'LOGIN_SUCCESS',
      'MFA_PUSH_APPROVED',
      'MFA_PUSH_SENT',
    ]);
    const byType = Object.fromEntries(audit.map((r) => [r.event_type, r]));
    expect(byType.MFA_PUSH_SENT).toMatchObject({ transaction_id: pushTx, correlation_id: initiate.correlationId });
    expect(byType.MFA_PUSH_APPROVED).toMatchObject({ transaction_id: pushTx, correlation_id: approve.correlationId });
    expect(byType.LOGIN_SUCCESS).toMatchObject({ correlation_id: done.correlationId });

    // Collected once: later polls and approvals see a processed step.
    expectError(await j.poll(contextId, pushTx), 400, 'CIAM_E01_03_003');
    expectError(await j.approve(contextId, pushTx, displayNumber, message.approval_secret!), 400, 'CIAM_E01_03_003');
  });

  it('offers device binding after the push when the login carried an untrusted device id', async () => {
    const p = await pushSent({ drsActionToken: 'sim:allow:push-device-1' });
    expect((await j.approve(p.contextId, p.transactionId, p.displayNumber, p.approvalSecret)).body.success).toBe(true);
    const next = await j.poll(p.contextId, p.transactionId);
    expect(next.status).toBe(200);
    expect(next.body).toEqual({ response_type_code: 'DEVICE_BIND_REQUIRED', context_id: p.contextId, transaction_id: expect.any(String) });
    expect((await j.step(next.body.transaction_id)).parent_transaction_id).toBe(p.transactionId);
  });

  it('approving twice: the second answer is 400 CIAM_E01_03_003', async () => {
    const p = await pushSent();
    expect((await j.approve(p.contextId, p.transactionId, p.displayNumber, p.approvalSecret)).status).toBe(200);
    expectError(await j.approve(p.contextId, p.transactionId, p.displayNumber, p.approvalSecret), 400, 'CIAM_E01_03_003');
    expectTokens(await j.poll(p.contextId, p.transactionId), 201, p.contextId);
  });

  it('a wrong number rejects the step: {success: false}, REJECTED, and the next poll answers 410', async () => {
    const p = await pushSent();
    const wrong = otherNumber(p.displayNumber);
    const res = await j.approve(p.contextId, p.transactionId, wrong, p.approvalSecret);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: false, transaction_id: p.transactionId });
    expect(await j.step(p.transactionId)).toMatchObject({
      transaction_status: 'REJECTED',
      verification_result: 'REJECTED',
      selected_number: wrong,
    });
    expectError(await j.poll(p.contextId, p.transactionId), 410, 'CIAM_E01_03_002');
    // The right number afterwards changes nothing.
    expectError(await j.approve(p.contextId, p.transactionId, p.displayNumber, p.approvalSecret), 400, 'CIAM_E01_03_003');
    const rejected = (await j.audit(p.contextId)).find((r) => r.event_type === 'MFA_PUSH_REJECTED');
    expect(rejected).toMatchObject({ severity: 'WARN', event_data: expect.objectContaining({ reason: 'NUMBER_MISMATCH' }) });
    expect(await j.sessions(p.contextId)).toHaveLength(0);
  });

  it('a denial on the phone rejects the step and the next poll answers 410', async () => {
    const p = await pushSent();
    const res = await j.deny(p.contextId, p.transactionId, p.approvalSecret);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ success: true, transaction_id: p.transactionId });
    expect(await j.step(p.transactionId)).toMatchObject({ transaction_status: 'REJECTED', verification_result: 'REJECTED' });
    expectError(await j.poll(p.contextId, p.transactionId), 410, 'CIAM_E01_03_002');
    const rejected = (await j.audit(p.contextId)).find((r) => r.event_type === 'MFA_PUSH_REJECTED');
    expect(rejected.event_data).toMatchObject({ reason: 'DENIED_ON_PHONE' });
  });

  it('the browser, knowing the context id and the number but not the secret, cannot approve (404) and changes nothing', async () => {
    const p = await pushSent();
    const forged = await j.approve(p.contextId, p.transactionId, p.displayNumber, 'guessed-secret');
    expectError(forged, 404, 'CIAM_E01_03_001');
    expect(await j.step(p.transactionId)).toMatchObject({ transaction_status: 'PENDING', verification_result: null });
    const refused = await j.auditByCorrelation(forged.correlationId);
    expect(refused.map((r) => r.event_type)).toEqual(['MFA_PUSH_APPROVAL_REFUSED']);
    expectError(await j.deny(p.contextId, p.transactionId, 'guessed-secret'), 404, 'CIAM_E01_03_001');
    expect((await j.poll(p.contextId, p.transactionId)).body.response_type_code).toBe('MFA_PENDING');
    // The phone still can.
    expect((await j.approve(p.contextId, p.transactionId, p.displayNumber, p.approvalSecret)).body.success).toBe(true);
  });

  it('a push step past its expiry answers 410 to the poll and to the phone', async () => {
    const p = await pushSent();
    await t.db.query(`UPDATE auth_transactions SET expires_at = now() - interval '1 second' WHERE transaction_id = $1`, [p.transactionId]);
    expectError(await j.poll(p.contextId, p.transactionId), 410, 'CIAM_E01_03_002');
    expectError(await j.approve(p.contextId, p.transactionId, p.displayNumber, p.approvalSecret), 410, 'CIAM_E01_03_002');
    expect(await j.step(p.transactionId)).toMatchObject({ transaction_status: 'PENDING', verification_result: null });
  });

  it('the OTP verify endpoint refuses a push step with 400 CIAM_E01_01_018', async () => {
    const p = await pushSent();
    expectError(await j.verify(p.contextId, p.transactionId, '123456'), 400, 'CIAM_E01_01_018');
    expect(await j.step(p.transactionId)).toMatchObject({ transaction_status: 'PENDING', verification_result: null });
  });

  it('polling an unknown or a non-push step answers 404', async () => {
    const mfa = await j.loginToMfa('mfauser');
    expectError(await j.poll(mfa.context_id, '00000000-0000-4000-8000-000000000000'), 404, 'CIAM_E01_03_001');
    expectError(await j.poll(mfa.context_id, mfa.transaction_id), 404, 'CIAM_E01_03_001');
    expectError(await j.approve(mfa.context_id, '00000000-0000-4000-8000-000000000000', 1, 'x'), 404, 'CIAM_E01_03_001');
  });
});

describe('choosing the MFA method', () => {
  it('push for a customer without the app: 400 CIAM_E01_01_009, and the step still works', async () => {
    const mfa = await j.loginToMfa('nopushuser');
    expect(mfa.mobile_approve_status).toBe('NOT_REGISTERED');
    expect(mfa.otp_methods).toEqual([{ value: '4321', mfa_option_id: 1 }]);
    const res = await j.initiate(mfa.context_id, mfa.transaction_id, 'push');
    expectError(res, 400, 'CIAM_E01_01_009');
    expect(res.body.context_id).toBe(mfa.context_id);
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
    await j.sendCode(CUPIDS.nopushuser, mfa.context_id, mfa.transaction_id, 'sms', 1);
  });

  it('an unknown method: 400 CIAM_E01_01_009', async () => {
    const mfa = await j.loginToMfa('mfauser');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'email', 1), 400, 'CIAM_E01_01_009');
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
  });

  it('sms or voice without mfa_option_id, or with an option not offered: 400 CIAM_E01_05_001, and the step still works', async () => {
    const mfa = await j.loginToMfa('nopushuser');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'sms'), 400, 'CIAM_E01_05_001');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'voice'), 400, 'CIAM_E01_05_001');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 2), 400, 'CIAM_E01_05_001');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 7), 400, 'CIAM_E01_05_001');
    expect(await j.steps(mfa.context_id)).toHaveLength(1);
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
    expect((await j.outbox(CUPIDS.nopushuser)).filter((m) => m.transaction_id === mfa.transaction_id)).toHaveLength(0);
    const sent = await j.sendCode(CUPIDS.nopushuser, mfa.context_id, mfa.transaction_id, 'sms', 1);
    expectTokens(await j.verify(mfa.context_id, sent.transactionId, sent.code), 201, mfa.context_id);
  });
});
