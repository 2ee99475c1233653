import { createHash } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { DEMO_PASSWORD } from '../../src/providers/directory/demo-directory.js';
import type { DirectoryUser } from '../../src/providers/directory/port.js';
import { TWILIO_TEST_NUMBERS } from '../support/fake-twilio.js';
import { CUPIDS, expectError, expectTokens, journeyClient, otherCode, type JourneyClient } from '../support/journey-client.js';
import { customerEntry, CUSTOMERS_DN, ldifEntry } from '../support/slapd-seed.js';
import { PEERS_START_MS, useProductionPeers } from '../support/production-peers.js';
import { useTestApp } from '../support/test-app.js';

/**
 * The production adapters facing answers about ONE customer — an action token Transmit does not
 * know, a phone Twilio refuses, a directory entry without a CUPID — and lost answers. The peers
 * follow the vendors' documentation (Twilio's magic test numbers and error bodies, no idempotency
 * key at Twilio). What must hold: that customer gets the right answer, the breaker stays closed for
 * everyone else, a step yields at most one SMS, and Transmit hears how every assessed login ended.
 */

const BREAKER_THRESHOLD = 3;
const mfa: DirectoryUser = { cupid: '', state: 'ACTIVE', mfaRequired: true, phones: [], mobileApproveStatus: 'NOT_REGISTERED' };
const GOOD_PHONE = '+447700900111';

const extraLdif = [
  // Option 1 replied STOP to the bank's SMS; option 2 works.
  customerEntry(
    'stopuser',
    { ...mfa, cupid: 'CUPID_STOP_001', phones: [{ optionId: 1, number: TWILIO_TEST_NUMBERS.optedOut }, { optionId: 2, number: GOOD_PHONE }] },
    DEMO_PASSWORD,
  ),
  // Option 1 is not a phone number at all; option 2 works.
  customerEntry(
    'typouser',
    { ...mfa, cupid: 'CUPID_TYPO_001', phones: [{ optionId: 1, number: TWILIO_TEST_NUMBERS.invalid }, { optionId: 2, number: GOOD_PHONE }] },
    DEMO_PASSWORD,
  ),
  // The only phone is a landline, and no push: nothing left once Twilio refuses it.
  customerEntry('landlineuser', { ...mfa, cupid: 'CUPID_LANDLINE_001', phones: [{ optionId: 1, number: TWILIO_TEST_NUMBERS.notMobile }] }, DEMO_PASSWORD),
  ldifEntry(`uid=nocupiduser,${CUSTOMERS_DN}`, {
    objectClass: 'inetOrgPerson', uid: 'nocupiduser', cn: 'x', sn: 'x', userPassword: DEMO_PASSWORD,
  }),
].join('\n');

const peers = useProductionPeers({ slapd: { extraLdif } });
const t = useTestApp(
  () => ({
    ...peers.env(),
    CIAM_DRS_EXEMPT_CLIENTS: 'mobile-app',
    CIAM_BREAKER_THRESHOLD: String(BREAKER_THRESHOLD),
    CIAM_BREAKER_HALF_OPEN_SECONDS: '600',
    CIAM_DELIVERY_TIMEOUT_MS: '1500',
    CIAM_TRANSMIT_TIMEOUT_MS: '3000',
  }),
  { timeoutMs: PEERS_START_MS },
);
const j = journeyClient(t);

/** The code in the one SMS Twilio received since `before`. */
function smsCodeSince(before: number): string {
  const sent = peers.twilio.requests.slice(before);
  expect(sent, 'exactly one Twilio request').toHaveLength(1);
  const code = /code is (\d{6})\b/.exec((sent[0]!.body as Record<string, string>).Body ?? '')?.[1];
  expect(code).toBeDefined();
  return code!;
}

/** A verified code: the login offers to bind the Transmit device id, which the customer declines → tokens. */
async function finishedAfterMfa(contextId: string, verified: Awaited<ReturnType<JourneyClient['verify']>>) {
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  expect(verified.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
  expectTokens(await j.bind(contextId, verified.body.transaction_id, false), 200, contextId);
}

/** The action results Transmit received for this action token (they leave after the answer: waited for). */
async function resultsFor(actionToken: string, expected: number) {
  const found = () => peers.transmit.requests.filter((r) => r.endpoint === 'result' && r.body.action_token === actionToken);
  await vi.waitFor(() => expect(found()).toHaveLength(expected), { timeout: 5_000, interval: 50 });
  return found().map((r) => r.body);
}

describe('one customer never opens a breaker for everyone', () => {
  it('bogus action tokens: each such login is challenged (MFA), the breaker stays closed, a login Transmit denies is still 403', async () => {
    for (let i = 0; i < BREAKER_THRESHOLD + 2; i++) {
      const res = await j.login('simpleuser', { drsActionToken: `forged-${i}` });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.response_type_code).toBe('MFA_REQUIRED');
      expect(await j.auditTypes(res.body.context_id)).toContain('DRS_TOKEN_UNVERIFIED');
      const [row] = await j.drs(res.body.context_id);
      expect(row).toMatchObject({ recommendation: 'CHALLENGE', action_token_sealed: null });
    }
    expectError(await j.login('simpleuser', { drsActionToken: 'tx:deny:d-attacker' }), 403, 'CIAM_E01_01_010');
  });

  it('after bogus action tokens Transmit is still asked: an ALLOW login ends at the password', async () => {
    for (let i = 0; i < BREAKER_THRESHOLD + 2; i++) await j.login('simpleuser', { drsActionToken: `forged-again-${i}` });
    const trusted = await j.login('simpleuser', { drsActionToken: 'tx:allow:d-healthy' });
    expectTokens(trusted, 201);
    expect((await j.drs(trusted.body.context_id))[0]).toMatchObject({ recommendation: 'ALLOW' });
  });

  it('a customer whose number replied STOP (Twilio 21610) asking again and again leaves SMS working for everyone', async () => {
    for (let i = 0; i < BREAKER_THRESHOLD + 2; i++) {
      const login = await j.loginToMfa('stopuser', { drsActionToken: 'tx:allow:d-stop' });
      const refused = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
      expectError(refused, 400, 'CIAM_E01_01_019');
    }
    const sent = await j.loginToMfa('mfauser', { drsActionToken: 'tx:allow:d-other' });
    const before = peers.twilio.requests.length;
    const initiated = await j.initiate(sent.context_id, sent.transaction_id, 'sms', 1);
    expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
    await finishedAfterMfa(sent.context_id, await j.verify(sent.context_id, initiated.body.transaction_id, smsCodeSince(before)));
  });

  it('a directory entry without a CUPID answers that customer 503, and every other login still works', async () => {
    for (let i = 0; i < BREAKER_THRESHOLD + 2; i++) {
      expectError(await j.login('nocupiduser', { drsActionToken: 'tx:allow:d-nocupid' }), 503, 'CIAM_E05_00_002');
    }
    expectTokens(await j.login('simpleuser', { drsActionToken: 'tx:allow:d-simple' }), 201);
  });
});

describe('Twilio errors: permanent ones close that phone, the customer picks another', () => {
  it('21211 (not a phone number): 400 CIAM_E01_01_019 with a fresh step offering only the other phone, nothing sent again', async () => {
    const login = await j.loginToMfa('typouser', { drsActionToken: 'tx:allow:d-typo' });
    const before = peers.twilio.requests.length;
    const refused = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
    expectError(refused, 400, 'CIAM_E01_01_019');
    expect(peers.twilio.requests.length - before).toBe(1);
    expect(refused.body.otp_methods).toEqual([{ value: '0111', mfa_option_id: 2 }]);
    const retryTx = refused.body.transaction_id as string;
    expect(retryTx).toMatch(/^[0-9a-f-]{36}$/);

    // The refused phone is no longer on offer in this journey, by SMS or by voice.
    expectError(await j.initiate(login.context_id, retryTx, 'voice', 1), 400, 'CIAM_E01_05_001');
    const sentBefore = peers.twilio.requests.length;
    const other = await j.initiate(login.context_id, retryTx, 'sms', 2);
    expect(other.status, JSON.stringify(other.body)).toBe(200);
    await finishedAfterMfa(login.context_id, await j.verify(login.context_id, other.body.transaction_id, smsCodeSince(sentBefore)));
    expect(await j.auditTypes(login.context_id)).toContain('MFA_CHANNEL_REFUSED');
  });

  it('the only phone refused (21614, a landline) and no push: 400 CIAM_E01_01_019 and the journey ends FAILED', async () => {
    const login = await j.loginToMfa('landlineuser', { drsActionToken: 'tx:allow:d-landline' });
    const refused = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
    expectError(refused, 400, 'CIAM_E01_01_019');
    expect(refused.body.transaction_id).toBeUndefined();
    expect(await j.journey(login.context_id)).toMatchObject({ auth_outcome: 'FAILED' });
    expect(await j.auditTypes(login.context_id)).toEqual(expect.arrayContaining(['MFA_CHANNEL_REFUSED', 'JOURNEY_FAILED']));
  });

  it('20429 (too many requests) is transient: retried, and the customer gets the code', async () => {
    const login = await j.loginToMfa('mfauser', { drsActionToken: 'tx:allow:d-429' });
    peers.twilio.failNext({ status: 429, code: 20429 });
    const before = peers.twilio.requests.length;
    const initiated = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
    expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
    expect(peers.twilio.requests.length - before).toBe(2);
    expect(peers.twilio.messagesTo('+15550101234').length).toBeGreaterThan(0);
  });
});

describe('one step, at most one SMS', () => {
  it('an answer lost after Twilio created the message: one SMS, the step stays, and its code logs the customer in', async () => {
    const login = await j.loginToMfa('mfauser', { drsActionToken: 'tx:allow:d-late' });
    peers.twilio.answerLate(4_000);
    const before = peers.twilio.requests.length;
    const initiated = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
    expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
    expect(initiated.body.response_type_code).toBe('OTP_VERIFY_REQUIRED');
    const code = smsCodeSince(before); // exactly one request: never sent again
    expect(await j.auditTypes(login.context_id)).toContain('MFA_DELIVERY_UNCONFIRMED');

    await finishedAfterMfa(login.context_id, await j.verify(login.context_id, initiated.body.transaction_id, code));
  });
});

describe('Transmit hears how every assessed login ended', () => {
  it('a CHALLENGE passed by SMS: success with the user id, once, and the sealed token is cleared', async () => {
    const token = 'tx:challenge:d-report-sms';
    const login = await j.loginToMfa('simpleuser', { drsActionToken: token });
    const [row] = await j.drs(login.context_id);
    expect(row.action_token_sealed).toEqual(expect.any(String));
    expect(row.action_token_sealed).not.toContain(token);
    expect(JSON.stringify(row)).not.toContain(token);
    // Nothing is reported while the journey goes on.
    await new Promise((r) => setTimeout(r, 200));
    expect(peers.transmit.requests.filter((r) => r.endpoint === 'result' && r.body.action_token === token)).toHaveLength(0);

    const before = peers.twilio.requests.length;
    const initiated = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
    await finishedAfterMfa(login.context_id, await j.verify(login.context_id, initiated.body.transaction_id, smsCodeSince(before)));

    expect(await resultsFor(token, 1)).toEqual([{ action_token: token, result: 'success', user_id: CUPIDS.simpleuser }]);
    expect((await j.drs(login.context_id))[0].action_token_sealed).toBeNull();
  });

  it('a CHALLENGE that ends in an MFA lock: failure, without a user id', async () => {
    const token = 'tx:challenge:d-report-lock';
    const login = await j.loginToMfa('nopushuser', { drsActionToken: token });
    let step = login.transaction_id;
    for (let attempt = 1; ; attempt++) {
      const before = peers.twilio.requests.length;
      const initiated = await j.initiate(login.context_id, step, 'sms', 1);
      expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
      const wrong = await j.verify(login.context_id, initiated.body.transaction_id, otherCode(smsCodeSince(before)));
      if (wrong.status === 423) break;
      expectError(wrong, 400, 'CIAM_E01_01_017');
      step = wrong.body.transaction_id;
      expect(attempt).toBeLessThan(10);
    }
    expect(await resultsFor(token, 1)).toEqual([{ action_token: token, result: 'failure' }]);
  });

  it('a journey that ends by declining the mandatory eSign document: failure', async () => {
    const token = 'tx:challenge:d-report-esign';
    const login = await j.loginToMfa('esignuser', { drsActionToken: token });
    const before = peers.twilio.requests.length;
    const initiated = await j.initiate(login.context_id, login.transaction_id, 'sms', 1);
    const verified = await j.verify(login.context_id, initiated.body.transaction_id, smsCodeSince(before));
    expect(verified.body.response_type_code).toBe('ESIGN_REQUIRED');
    const declined = await j.decline(login.context_id, verified.body.transaction_id, verified.body.esign_document_id);
    expectError(declined, 403, 'CIAM_E01_04_003');
    expect(await resultsFor(token, 1)).toEqual([{ action_token: token, result: 'failure' }]);
  });

  it('a login Transmit denies: failure', async () => {
    const token = 'tx:deny:d-report-deny';
    expectError(await j.login('simpleuser', { drsActionToken: token }), 403, 'CIAM_E01_01_010');
    expect(await resultsFor(token, 1)).toEqual([{ action_token: token, result: 'failure' }]);
  });

  it('a login that ends at the password is reported too', async () => {
    const token = 'tx:allow:d-report-password';
    expectTokens(await j.login('simpleuser', { drsActionToken: token }), 201);
    expect(await resultsFor(token, 1)).toEqual([{ action_token: token, result: 'success', user_id: CUPIDS.simpleuser }]);
  });
});

describe('no action token under Transmit', () => {
  it('counts as CHALLENGE: MFA even for a customer the directory lets through, audited, no DRS row', async () => {
    const res = await j.login('simpleuser');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.response_type_code).toBe('MFA_REQUIRED');
    const audit = await j.audit(res.body.context_id);
    expect(audit.find((a) => a.event_type === 'DRS_TOKEN_UNVERIFIED')?.event_data).toMatchObject({ reason: 'ACTION_TOKEN_MISSING' });
    expect(await j.drs(res.body.context_id)).toHaveLength(0);
  });

  it('an exempt client (CIAM_DRS_EXEMPT_CLIENTS) logs in as before, with no DRS call', async () => {
    const calls = peers.transmit.count('recommendation');
    const res = await j.login('simpleuser', { headers: { 'x-client-id': 'mobile-app' } });
    expectTokens(res, 201);
    expect(peers.transmit.count('recommendation')).toBe(calls);
  });
});

// The sealed token must not be the token's plain SHA-256 either (that is action_token_hash).
it('the sealed action token is neither the token nor its hash', async () => {
  const token = 'tx:challenge:d-sealed';
  const login = await j.loginToMfa('simpleuser', { drsActionToken: token });
  const [row] = await j.drs(login.context_id);
  expect(row.action_token_hash).toBe(createHash('sha256').update(token).digest('hex'));
  expect(row.action_token_sealed).not.toContain(row.action_token_hash);
});
