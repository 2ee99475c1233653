import { describe, expect, it } from 'vitest';
import { CUPIDS, expectError, otherCode, type JourneyClient, useJourneyApp } from '../support/journey-client.js';

/**
 * Wrong one-time codes are counted per customer, not per journey: starting a new login gives no
 * fresh guesses, whatever the channel. Codes sent per customer per hour are capped.
 */

async function wrongCodeIn(j: JourneyClient, cupid: string, username: string, method: 'sms' | 'voice' = 'sms') {
  const mfa = await j.loginToMfa(username);
  const sent = await j.sendCode(cupid, mfa.context_id, mfa.transaction_id, method);
  return { contextId: mfa.context_id, reply: await j.verify(mfa.context_id, sent.transactionId, otherCode(sent.code)) };
}

describe('consecutive wrong codes across journeys (CIAM_MFA_MAX_ATTEMPTS=5)', () => {
  const { t, j } = useJourneyApp();

  it('locks MFA at the fifth wrong code even when every code is tried in a new login, by SMS or voice', async () => {
    const cupid = CUPIDS.mfauser;
    for (let i = 1; i <= 4; i++) {
      const wrong = await wrongCodeIn(j, cupid, 'mfauser', i % 2 === 0 ? 'voice' : 'sms');
      expectError(wrong.reply, 400, 'CIAM_E01_01_017');
    }
    const fifth = await wrongCodeIn(j, cupid, 'mfauser', 'voice');
    expectError(fifth.reply, 423, 'CIAM_E01_01_005');
    const locked = (await j.audit(fifth.contextId)).find((r) => r.event_type === 'MFA_LOCKED');
    expect(locked).toMatchObject({ event_category: 'SECURITY', cupid });
    expect(locked.event_data).toMatchObject({ attempts: 5, journey_attempts: 1, lock_seconds: 1800 });
    expect(await j.count('mfa_lockouts WHERE cupid = $1 AND locked_until > now()', [cupid])).toBe(1);
    expectError(await j.login('mfauser'), 423, 'CIAM_E01_01_005');
  });

  it('a journey opened before the lock can neither send nor check a code once MFA is locked', async () => {
    const cupid = CUPIDS.esignuser;
    const early = await j.loginToMfa('esignuser');
    const earlyCode = await j.sendCode(cupid, early.context_id, early.transaction_id);
    const waiting = await j.loginToMfa('esignuser');
    for (let i = 1; i <= 5; i++) await wrongCodeIn(j, cupid, 'esignuser');
    const right = await j.verify(early.context_id, earlyCode.transactionId, earlyCode.code);
    expectError(right, 423, 'CIAM_E01_01_005');
    expect((await j.step(earlyCode.transactionId)).transaction_status).toBe('PENDING');
    expect(await j.sessions(early.context_id)).toHaveLength(0);
    expectError(await j.initiate(waiting.context_id, waiting.transaction_id, 'sms', 1), 423, 'CIAM_E01_01_005');
  });

  it('the count survives a lock that has run out: the next wrong code locks again', async () => {
    const cupid = CUPIDS.esignuser;
    await t.db.query(`UPDATE mfa_lockouts SET locked_until = now() - interval '1 second' WHERE cupid = $1`, [cupid]);
    const wrong = await wrongCodeIn(j, cupid, 'esignuser');
    expectError(wrong.reply, 423, 'CIAM_E01_01_005');
  });

  it('only a correct code resets the count', async () => {
    const cupid = CUPIDS.nopushuser;
    for (let i = 1; i <= 4; i++) expectError((await wrongCodeIn(j, cupid, 'nopushuser')).reply, 400, 'CIAM_E01_01_017');
    const { verified } = await j.passMfaBySms('nopushuser');
    expect(verified.status, JSON.stringify(verified.body)).toBeLessThan(300);
    for (let i = 1; i <= 4; i++) expectError((await wrongCodeIn(j, cupid, 'nopushuser')).reply, 400, 'CIAM_E01_01_017');
    expect(await j.count('mfa_lockouts WHERE cupid = $1', [cupid])).toBe(0);
  });

  it('concurrent wrong codes in separate journeys are all counted', async () => {
    await t.db.query(`DELETE FROM mfa_counters; DELETE FROM mfa_lockouts`);
    const cupid = CUPIDS.mfauser;
    const prepared = [];
    for (let i = 0; i < 6; i++) {
      const mfa = await j.loginToMfa('mfauser');
      const sent = await j.sendCode(cupid, mfa.context_id, mfa.transaction_id);
      prepared.push({ contextId: mfa.context_id, ...sent });
    }
    const replies = await Promise.all(prepared.map((p) => j.verify(p.contextId, p.transactionId, otherCode(p.code))));
    const statuses = replies.map((r) => r.status).sort();
    // Five are counted before the lock (four 400s, one 423); the sixth finds MFA locked.
    expect(statuses.filter((s) => s === 400)).toHaveLength(4);
    expect(statuses.filter((s) => s === 423)).toHaveLength(2);
  });
});

describe('codes sent per customer per hour (CIAM_MFA_CODES_PER_HOUR=3)', () => {
  const { t, j } = useJourneyApp({ CIAM_MFA_CODES_PER_HOUR: '3' });

  it('answers 429 CIAM_E00_00_005 with Retry-After for the fourth code, audited, nothing sent', async () => {
    const cupid = CUPIDS.mfauser;
    for (let i = 1; i <= 3; i++) {
      const mfa = await j.loginToMfa('mfauser');
      await j.sendCode(cupid, mfa.context_id, mfa.transaction_id, i === 2 ? 'voice' : 'sms');
    }
    const sentBefore = (await j.outbox(cupid)).length;
    const mfa = await j.loginToMfa('mfauser');
    const refused = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1);
    expectError(refused, 429, 'CIAM_E00_00_005');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(3000);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect((await j.outbox(cupid)).length).toBe(sentBefore);
    const audit = await j.auditByCorrelation(refused.correlationId);
    expect(audit.map((r) => r.event_type)).toEqual(['MFA_CODE_CAP_REACHED']);
    expect(audit[0]).toMatchObject({ cupid, context_id: mfa.context_id });
    // The step is still there: push, which costs no SMS, remains possible.
    const push = await j.initiate(mfa.context_id, mfa.transaction_id, 'push');
    expect(push.status, JSON.stringify(push.body)).toBe(200);
    // Another customer is not capped.
    const other = await j.loginToMfa('nopushuser');
    await j.sendCode(CUPIDS.nopushuser, other.context_id, other.transaction_id);
  });
});
