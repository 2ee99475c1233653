import { describe, expect, it } from 'vitest';
import { CUPIDS, expectError, otherCode, type JourneyClient, useJourneyApp } from '../support/journey-client.js';

/** Walkthrough 3's limit: too many wrong codes in one journey fail it and lock MFA for the customer. */

/** Sends a code and answers it wrongly; returns the verify reply. */
async function oneWrongCode(j: JourneyClient, cupid: string, contextId: string, initiateTx: string) {
  const sent = await j.sendCode(cupid, contextId, initiateTx);
  return j.verify(contextId, sent.transactionId, otherCode(sent.code));
}

/** Four wrong codes in a row, each answered 400 CIAM_E01_01_017; returns the step the fifth try starts from. */
async function fourWrongCodes(j: JourneyClient, cupid: string, contextId: string, initiateTx: string, afterEach?: (attempt: number, tx: string) => Promise<void>) {
  for (let attempt = 1; attempt <= 4; attempt++) {
    const wrong = await oneWrongCode(j, cupid, contextId, initiateTx);
    expectError(wrong, 400, 'CIAM_E01_01_017');
    initiateTx = wrong.body.transaction_id;
    await afterEach?.(attempt, initiateTx);
  }
  return initiateTx;
}

describe('with the default limit of 5 wrong codes', () => {
  const { t, j } = useJourneyApp();

  it('answers 400 CIAM_E01_01_017 four times, then 423 CIAM_E01_01_005: journey FAILED, lockout row, MFA_LOCKED', async () => {
    const cupid = CUPIDS.mfauser;
    const mfa = await j.loginToMfa('mfauser');
    const contextId = mfa.context_id;
    const initiateTx = await fourWrongCodes(j, cupid, contextId, mfa.transaction_id, async (attempt, tx) => {
      expect((await j.step(tx)).attempt_number).toBe(attempt + 1);
    });
    const fifth = await oneWrongCode(j, cupid, contextId, initiateTx);
    expectError(fifth, 423, 'CIAM_E01_01_005');
    expect(fifth.body).toEqual({ error_code: 'CIAM_E01_01_005', context_id: contextId });

    const journey = await j.journey(contextId);
    expect(journey.auth_outcome).toBe('FAILED');
    expect(journey.completed_at).toBeInstanceOf(Date);
    const steps = await j.steps(contextId);
    expect(steps).toHaveLength(10);
    expect(steps.filter((s) => s.verification_result === 'INCORRECT')).toHaveLength(5);
    expect(steps.every((s) => s.transaction_status === 'CONSUMED')).toBe(true);
    expect(await j.sessions(contextId)).toHaveLength(0);

    const { rows: lockouts } = await t.db.query(
      `SELECT cupid, context_id, reason, extract(epoch FROM locked_until - locked_at)::int AS seconds FROM mfa_lockouts WHERE cupid = $1`,
      [cupid],
    );
    expect(lockouts).toEqual([{ cupid, context_id: contextId, reason: 'TOO_MANY_WRONG_CODES', seconds: 1800 }]);

    const audit = await j.audit(contextId);
    expect(audit.filter((r) => r.event_type === 'MFA_VERIFY_FAILED')).toHaveLength(5);
    expect(audit.filter((r) => r.event_type === 'MFA_CHALLENGE_RESENT')).toHaveLength(4);
    const locked = audit.find((r) => r.event_type === 'MFA_LOCKED');
    expect(locked).toMatchObject({ event_category: 'SECURITY', severity: 'ERROR', correlation_id: fifth.correlationId });
    expect(locked.event_data).toMatchObject({ attempts: 5, lock_seconds: 1800 });
    expect(audit.map((r) => r.event_type)).toContain('JOURNEY_FAILED');

    // The journey is over: its last step cannot be used.
    expectError(await j.initiate(contextId, initiateTx, 'sms', 1), 400, 'CIAM_E01_03_003');

    // A new login of the locked customer is refused before any journey starts.
    const journeysBefore = await j.count('auth_contexts WHERE cupid = $1', [cupid]);
    const again = await j.login('mfauser');
    expectError(again, 423, 'CIAM_E01_01_005');
    expect(again.body).toEqual({ error_code: 'CIAM_E01_01_005' });
    expect(await j.count('auth_contexts WHERE cupid = $1', [cupid])).toBe(journeysBefore);
    const blocked = await j.auditByCorrelation(again.correlationId);
    expect(blocked.map((r) => r.event_type)).toEqual(['LOGIN_BLOCKED']);
    expect(blocked[0].event_data).toMatchObject({ state: 'MFA_LOCKED' });
  });

  it('counts the wrong codes of the whole journey, also across a resumed login', async () => {
    const cupid = CUPIDS.esignuser;
    const mfa = await j.loginToMfa('esignuser');
    const contextId = mfa.context_id;
    await fourWrongCodes(j, cupid, contextId, mfa.transaction_id);
    // Starting over within the same journey does not give the customer five fresh guesses.
    const resumed = await j.loginToMfa('esignuser', { contextId });
    expect(resumed.context_id).toBe(contextId);
    expect((await j.step(resumed.transaction_id)).attempt_number).toBe(5);
    const fifth = await oneWrongCode(j, cupid, contextId, resumed.transaction_id);
    expectError(fifth, 423, 'CIAM_E01_01_005');
    expect((await j.journey(contextId)).auth_outcome).toBe('FAILED');
  });

  it('a lock that has run out no longer blocks the login', async () => {
    const cupid = CUPIDS.mfauser;
    await t.db.query(`UPDATE mfa_lockouts SET locked_until = now() - interval '1 second' WHERE cupid = $1`, [cupid]);
    const mfa = await j.loginToMfa('mfauser');
    expect((await j.step(mfa.transaction_id)).attempt_number).toBe(1);
  });
});

describe('with CIAM_MFA_MAX_ATTEMPTS=2 and CIAM_MFA_LOCK_SECONDS=60', () => {
  const { t, j } = useJourneyApp({ CIAM_MFA_MAX_ATTEMPTS: '2', CIAM_MFA_LOCK_SECONDS: '60' });

  it('locks after the second wrong code, for the configured time', async () => {
    const cupid = CUPIDS.nopushuser;
    const mfa = await j.loginToMfa('nopushuser');
    const first = await oneWrongCode(j, cupid, mfa.context_id, mfa.transaction_id);
    expectError(first, 400, 'CIAM_E01_01_017');
    const second = await oneWrongCode(j, cupid, mfa.context_id, first.body.transaction_id);
    expectError(second, 423, 'CIAM_E01_01_005');
    const { rows } = await t.db.query(
      `SELECT extract(epoch FROM locked_until - locked_at)::int AS seconds FROM mfa_lockouts WHERE cupid = $1`,
      [cupid],
    );
    expect(rows).toEqual([{ seconds: 60 }]);
    expectError(await j.login('nopushuser'), 423, 'CIAM_E01_01_005');
    // Another customer is not affected.
    await j.loginToMfa('mfauser');
  });
});
