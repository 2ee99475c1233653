import { describe, expect, it } from 'vitest';
import { CUPIDS, expectError, expectTokens, useJourneyApp } from '../support/journey-client.js';

/** A push step rejects itself after three wrong approval secrets: someone without the phone is guessing. */

const { j } = useJourneyApp();

const WRONG = 'not-the-secret-the-phone-received';

describe('wrong approval secrets', () => {
  it('the third rejects the step: the poll answers 410, the real phone can no longer approve', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const push = await j.sendPush(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    expectError(await j.approve(mfa.context_id, push.transactionId, push.displayNumber, WRONG), 404, 'CIAM_E01_03_001');
    expectError(await j.deny(mfa.context_id, push.transactionId, WRONG), 404, 'CIAM_E01_03_001');
    expect((await j.poll(mfa.context_id, push.transactionId)).body.response_type_code).toBe('MFA_PENDING');
    expectError(await j.approve(mfa.context_id, push.transactionId, push.displayNumber, WRONG), 404, 'CIAM_E01_03_001');

    expectError(await j.poll(mfa.context_id, push.transactionId), 410, 'CIAM_E01_03_002');
    expectError(await j.approve(mfa.context_id, push.transactionId, push.displayNumber, push.approvalSecret), 400, 'CIAM_E01_03_003');
    expect(await j.step(push.transactionId)).toMatchObject({ transaction_status: 'REJECTED', verification_result: 'REJECTED' });
    const audit = await j.audit(mfa.context_id);
    expect(audit.filter((r) => r.event_type === 'MFA_PUSH_APPROVAL_REFUSED')).toHaveLength(3);
    const rejected = audit.find((r) => r.event_type === 'MFA_PUSH_REJECTED');
    expect(rejected.event_data).toMatchObject({ reason: 'TOO_MANY_WRONG_SECRETS' });
    // Any further guesses are refused without new audit rows of their own.
    expectError(await j.approve(mfa.context_id, push.transactionId, push.displayNumber, WRONG), 400, 'CIAM_E01_03_003');
    expect((await j.audit(mfa.context_id)).filter((r) => r.event_type === 'MFA_PUSH_APPROVAL_REFUSED')).toHaveLength(3);
  });

  it('two wrong secrets leave the step usable for the phone that has the right one', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const push = await j.sendPush(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    for (let i = 0; i < 2; i++) {
      expectError(await j.approve(mfa.context_id, push.transactionId, push.displayNumber, WRONG), 404, 'CIAM_E01_03_001');
    }
    expect((await j.approve(mfa.context_id, push.transactionId, push.displayNumber, push.approvalSecret)).status).toBe(200);
    expectTokens(await j.poll(mfa.context_id, push.transactionId), 201, mfa.context_id);
  });
});
