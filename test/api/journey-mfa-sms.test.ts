import { describe, expect, it } from 'vitest';
import { CUPIDS, USER_AGENT, expectError, expectSessionFor, expectTokens, otherCode, sha256Hex, useJourneyApp } from '../support/journey-client.js';

/** Walkthroughs 2 and 3: MFA by one-time code (SMS, voice), right first time or after a wrong code. */

const { t, j } = useJourneyApp();

const cupid = CUPIDS.mfauser;

describe('walkthrough 2: MFA by SMS, right code first', () => {
  it('login → MFA_REQUIRED → initiate sms → verify → 201, with two CONSUMED steps, a session and the audit trail', async () => {
    const login = await j.login('mfauser');
    expect(login.status).toBe(200);
    expect(login.body).toEqual({
      response_type_code: 'MFA_REQUIRED',
      otp_methods: [
        { value: '1234', mfa_option_id: 1 },
        { value: '5678', mfa_option_id: 2 },
      ],
      mobile_approve_status: 'ENABLED',
      context_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(login.setCookie).toBeUndefined();
    const contextId = login.body.context_id;

    const [step1] = await j.steps(contextId);
    expect(step1).toMatchObject({
      transaction_id: login.body.transaction_id,
      transaction_type: 'MFA_INITIATE',
      transaction_status: 'PENDING',
      sequence_number: 1,
      phase: 'MFA',
      parent_transaction_id: null,
      attempt_number: 1,
      mobile_approve_status: 'ENABLED',
      mfa_options: login.body.otp_methods,
      consumed_at: null,
    });
    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: null, completed_at: null, requires_additional_steps: true });

    const initiate = await j.initiate(contextId, login.body.transaction_id, 'sms', 1);
    expect(initiate.status).toBe(200);
    expect(initiate.body).toEqual({
      response_type_code: 'OTP_VERIFY_REQUIRED',
      transaction_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      expires_at: expect.any(String),
    });
    const verifyTx = initiate.body.transaction_id;
    expect(verifyTx).not.toBe(login.body.transaction_id);
    const lifetime = (Date.parse(initiate.body.expires_at) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(240);
    expect(lifetime).toBeLessThanOrEqual(301);

    const message = await j.messageFor(cupid, verifyTx);
    expect(message).toMatchObject({ channel: 'sms', cupid });
    expect(message.code).toMatch(/^\d{6}$/);

    const [, step2] = await j.steps(contextId);
    expect(step2).toMatchObject({
      transaction_id: verifyTx,
      transaction_type: 'MFA_VERIFY',
      transaction_status: 'PENDING',
      sequence_number: 2,
      parent_transaction_id: login.body.transaction_id,
      mfa_method: 'sms',
      mfa_option_id: 1,
      attempt_number: 1,
    });
    expect(step2.otp_code_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(step2.otp_code_hash).not.toContain(message.code);
    expect(step2.otp_code_hash).not.toBe(sha256Hex(message.code!));
    expect(JSON.stringify(step2)).not.toContain(`"${message.code}"`);

    const verify = await j.verify(contextId, verifyTx, message.code!);
    expectTokens(verify, 201, contextId);
    expect(verify.body.transaction_id).toBe(verifyTx);

    const steps = await j.steps(contextId);
    expect(steps.map((s) => [s.sequence_number, s.transaction_type, s.transaction_status])).toEqual([
      [1, 'MFA_INITIATE', 'CONSUMED'],
      [2, 'MFA_VERIFY', 'CONSUMED'],
    ]);
    expect(steps[0]).toMatchObject({ mfa_method: 'sms', mfa_option_id: 1 });
    expect(steps[1].verification_result).toBe('CORRECT');
    for (const s of steps) expect(s.consumed_at).toBeInstanceOf(Date);

    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: 'SUCCESS', correlation_id: login.correlationId });
    await expectSessionFor(j, contextId, verify);

    const audit = await j.audit(contextId);
    expect(audit.map((r) => r.event_type).sort()).toEqual([
      'LOGIN_MFA_REQUIRED',
      'LOGIN_SUCCESS',
      'MFA_CHALLENGE_SENT',
      'MFA_VERIFY_SUCCESS',
    ]);
    const byType = Object.fromEntries(audit.map((r) => [r.event_type, r]));
    // Each row carries the correlation id of the request that caused it.
    expect(byType.LOGIN_MFA_REQUIRED).toMatchObject({ correlation_id: login.correlationId, transaction_id: login.body.transaction_id });
    expect(byType.MFA_CHALLENGE_SENT).toMatchObject({ correlation_id: initiate.correlationId, transaction_id: verifyTx, event_category: 'MFA' });
    expect(byType.MFA_VERIFY_SUCCESS).toEqual({
      event_type: 'MFA_VERIFY_SUCCESS',
      event_category: 'MFA',
      severity: 'INFO',
      cupid,
      context_id: contextId,
      transaction_id: verifyTx,
      session_id: null,
      correlation_id: verify.correlationId,
      ip_address: '127.0.0.1',
      user_agent: USER_AGENT,
      event_data: { client_id: 'web-banking', method: 'sms', attempt_number: 1 },
    });
    expect(byType.LOGIN_SUCCESS).toMatchObject({ correlation_id: verify.correlationId });
    expect(JSON.stringify(audit), 'the code is never audited').not.toContain(message.code);
  });

  it('sends the code by voice the same way, to the phone chosen', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const sent = await j.sendCode(cupid, mfa.context_id, mfa.transaction_id, 'voice', 2);
    const message = await j.messageFor(cupid, sent.transactionId);
    expect(message.channel).toBe('voice');
    expect((await j.step(sent.transactionId)).mfa_method).toBe('voice');
    expect((await j.step(sent.transactionId)).mfa_option_id).toBe(2);
    const verify = await j.verify(mfa.context_id, sent.transactionId, sent.code);
    expectTokens(verify, 201, mfa.context_id);
    expect(await j.auditTypes(mfa.context_id)).toContain('MFA_CHALLENGE_SENT');
  });

  it('offers device binding instead of tokens when the login carried a device id that is not yet trusted', async () => {
    const mfa = await j.loginToMfa('mfauser', { drsActionToken: 'sim:allow:sms-untrusted-device' });
    const sent = await j.sendCode(cupid, mfa.context_id, mfa.transaction_id);
    const verify = await j.verify(mfa.context_id, sent.transactionId, sent.code);
    expect(verify.status).toBe(200);
    expect(verify.body).toEqual({ response_type_code: 'DEVICE_BIND_REQUIRED', context_id: mfa.context_id, transaction_id: expect.any(String) });
    expect(verify.setCookie).toBeUndefined();
    const steps = await j.steps(mfa.context_id);
    expect(steps[2]).toMatchObject({
      transaction_id: verify.body.transaction_id,
      transaction_type: 'DEVICE_BIND',
      phase: 'DEVICE_BIND',
      transaction_status: 'PENDING',
      sequence_number: 3,
      parent_transaction_id: sent.transactionId,
      device_bind_decision: 'OFFERED',
    });
    expect(await j.sessions(mfa.context_id)).toHaveLength(0);
    expect(await j.auditTypes(mfa.context_id)).toContain('DEVICE_BIND_OFFERED');
  });

  it('never issues the same code twice in a row for two challenges', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const first = await j.sendCode(cupid, mfa.context_id, mfa.transaction_id);
    const resumed = await j.loginToMfa('mfauser', { contextId: mfa.context_id });
    const second = await j.sendCode(cupid, resumed.context_id, resumed.transaction_id);
    // 1 in a million to collide; the codes come from the CSPRNG per step.
    expect(second.code).not.toBe(first.code);
  });
});

describe('walkthrough 3: MFA by SMS, wrong code then right', () => {
  it('wrong code → 400 CIAM_E01_01_017 with a retry step → initiate → right code → 201; four CONSUMED steps', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const contextId = mfa.context_id;
    const first = await j.sendCode(cupid, contextId, mfa.transaction_id);

    const wrong = await j.verify(contextId, first.transactionId, otherCode(first.code));
    expectError(wrong, 400, 'CIAM_E01_01_017');
    expect(wrong.body).toEqual({ error_code: 'CIAM_E01_01_017', context_id: contextId, transaction_id: expect.any(String) });
    const retryTx = wrong.body.transaction_id;

    const step3 = await j.step(retryTx);
    expect(step3).toMatchObject({
      transaction_type: 'MFA_INITIATE',
      transaction_status: 'PENDING',
      sequence_number: 3,
      attempt_number: 2,
      parent_transaction_id: first.transactionId,
      mfa_options: mfa.otp_methods,
      mobile_approve_status: 'ENABLED',
    });
    expect(await j.step(first.transactionId)).toMatchObject({ transaction_status: 'CONSUMED', verification_result: 'INCORRECT' });

    // The consumed wrong step cannot be tried again, even with the right code.
    expectError(await j.verify(contextId, first.transactionId, first.code), 400, 'CIAM_E01_03_003');

    const second = await j.sendCode(cupid, contextId, retryTx);
    const step4 = await j.step(second.transactionId);
    expect(step4).toMatchObject({ transaction_type: 'MFA_VERIFY', sequence_number: 4, attempt_number: 2, parent_transaction_id: retryTx });

    const verify = await j.verify(contextId, second.transactionId, second.code);
    expectTokens(verify, 201, contextId);

    const steps = await j.steps(contextId);
    expect(steps.map((s) => [s.sequence_number, s.transaction_type, s.transaction_status, s.verification_result])).toEqual([
      [1, 'MFA_INITIATE', 'CONSUMED', null],
      [2, 'MFA_VERIFY', 'CONSUMED', 'INCORRECT'],
      [3, 'MFA_INITIATE', 'CONSUMED', null],
      [4, 'MFA_VERIFY', 'CONSUMED', 'CORRECT'],
    ]);
    await expectSessionFor(j, contextId, verify);

    const audit = await j.audit(contextId);
    expect(audit.map((r) => r.event_type).sort()).toEqual([
      'LOGIN_MFA_REQUIRED',
      'LOGIN_SUCCESS',
      'MFA_CHALLENGE_RESENT',
      'MFA_CHALLENGE_SENT',
      'MFA_VERIFY_FAILED',
      'MFA_VERIFY_SUCCESS',
    ]);
    const failed = audit.find((r) => r.event_type === 'MFA_VERIFY_FAILED');
    expect(failed).toMatchObject({
      severity: 'WARN',
      event_category: 'MFA',
      cupid,
      transaction_id: first.transactionId,
      correlation_id: wrong.correlationId,
      ip_address: '127.0.0.1',
      user_agent: USER_AGENT,
      event_data: { client_id: 'web-banking', method: 'sms', attempt_number: 1 },
    });
    expect(audit.find((r) => r.event_type === 'MFA_CHALLENGE_RESENT')).toMatchObject({ transaction_id: second.transactionId });
    expect(await t.db.query('SELECT 1 FROM mfa_lockouts WHERE cupid = $1', [cupid])).toMatchObject({ rows: [] });
  });

  it('binds each code to its step: the first challenge code does not open the second', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const first = await j.sendCode(cupid, mfa.context_id, mfa.transaction_id);
    const wrong = await j.verify(mfa.context_id, first.transactionId, otherCode(first.code));
    expectError(wrong, 400, 'CIAM_E01_01_017');
    const second = await j.sendCode(cupid, mfa.context_id, wrong.body.transaction_id);
    const stale = first.code === second.code ? otherCode(second.code) : first.code;
    const res = await j.verify(mfa.context_id, second.transactionId, stale);
    expectError(res, 400, 'CIAM_E01_01_017');
  });
});
