import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agreements } from '../../src/providers/agreements/port.js';
import { ProviderUnavailableError } from '../../src/providers/errors.js';
import { CUPIDS, expectError, expectTokens, journeyClient, JOURNEY_TEST_ENV, otherCode, type JourneyClient } from '../support/journey-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The second factor is checked before the agreement service is asked: a wrong code is answered and
 * counted while that service is down, and a right one waits for it without being used up.
 */

let t: TestApp;
let j: JourneyClient;
let asked = 0;
beforeAll(async () => {
  t = await startTestApp(JOURNEY_TEST_ENV);
  j = journeyClient(t);
});
afterAll(async () => {
  await t?.close();
});

/** Runs `body` with the agreement service failing every pending-document question (and counting them). */
async function withAgreementsDown(body: () => Promise<void>) {
  const original = t.services.journey.agreements;
  const failing: Agreements = {
    pendingMandatoryDocument: async () => {
      asked += 1;
      throw new ProviderUnavailableError('agreements', 'down');
    },
    getDocument: (id) => original.getDocument(id),
    recordAcceptance: (a) => original.recordAcceptance(a),
  };
  t.services.journey.agreements = failing;
  try {
    await body();
  } finally {
    t.services.journey.agreements = original;
  }
}

async function wrongCodes(cupid: string): Promise<number> {
  const { rows } = await t.db.query<{ wrong_codes: number }>('SELECT wrong_codes FROM mfa_counters WHERE cupid = $1', [cupid]);
  return rows[0]?.wrong_codes ?? 0;
}

describe('one-time code with the agreement service down', () => {
  it('a wrong code answers 400 CIAM_E01_01_017 with a retry step, and is counted', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    const before = await wrongCodes(CUPIDS.mfauser);
    asked = 0;
    await withAgreementsDown(async () => {
      const res = await j.verify(mfa.context_id, sent.transactionId, otherCode(sent.code));
      expectError(res, 400, 'CIAM_E01_01_017');
      expect(res.body.transaction_id).toEqual(expect.any(String));
      const audit = await j.auditByCorrelation(res.correlationId);
      expect(audit.map((r) => r.event_type)).toEqual(['MFA_VERIFY_FAILED']);
    });
    expect(asked, 'a wrong code needs no agreement service').toBe(0);
    expect(await wrongCodes(CUPIDS.mfauser)).toBe(before + 1);
    const steps = await j.steps(mfa.context_id);
    expect(steps.map((s) => [s.transaction_type, s.transaction_status, s.verification_result])).toEqual([
      ['MFA_INITIATE', 'CONSUMED', null],
      ['MFA_VERIFY', 'CONSUMED', 'INCORRECT'],
      ['MFA_INITIATE', 'PENDING', null],
    ]);

    // The retry step works as usual once the code is right (and clears the count).
    const retry = await j.sendCode(CUPIDS.mfauser, mfa.context_id, steps[2].transaction_id);
    expectTokens(await j.verify(mfa.context_id, retry.transactionId, retry.code), 201, mfa.context_id);
    expect(await wrongCodes(CUPIDS.mfauser)).toBe(0);
  });

  it('a right code answers 503 and stays usable: the same code goes through once the service is back', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    asked = 0;
    await withAgreementsDown(async () => {
      const res = await j.verify(mfa.context_id, sent.transactionId, sent.code);
      expectError(res, 503, 'CIAM_E05_00_002');
      expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
    });
    expect(asked).toBe(1);
    expect((await j.step(sent.transactionId)).transaction_status).toBe('PENDING');
    expectTokens(await j.verify(mfa.context_id, sent.transactionId, sent.code), 201, mfa.context_id);
  });

  it('a push not yet approved is polled without the agreement service', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const push = await j.sendPush(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    asked = 0;
    await withAgreementsDown(async () => {
      const res = await j.poll(mfa.context_id, push.transactionId);
      expect(res.status).toBe(200);
      expect(res.body.response_type_code).toBe('MFA_PENDING');
    });
    expect(asked).toBe(0);
  });
});
