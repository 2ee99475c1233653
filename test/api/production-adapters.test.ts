import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AgreementDocument } from '../../src/providers/agreements/port.js';
import { TWILIO_ACCOUNT_SID } from '../support/fake-twilio.js';
import { CUPIDS, expectError, expectSessionFor, expectTokens, journeyClient, otherCode } from '../support/journey-client.js';
import type { ReceivedRequest } from '../support/recording-peer.js';
import { PEERS_START_MS, useProductionPeers } from '../support/production-peers.js';
import { useTestApp } from '../support/test-app.js';

/**
 * The walkthroughs of SPEC §6 with every embedded default replaced by its production adapter:
 * the LDAP directory (a real slapd), Transmit DRS, Twilio SMS / voice, the signed push webhook and
 * the agreements service (local peers). No dev outbox exists, so codes, push numbers and approval
 * secrets are read from what the peers received — as a customer's phone would.
 */

const DOCUMENT_ID = 'terms-v1-2025';
const TERMS: AgreementDocument = {
  document_id: DOCUMENT_ID,
  title: 'Online Banking Terms and Conditions',
  content: 'These terms govern your use of online and mobile banking. '.repeat(4),
  version: '1.0',
  mandatory: true,
};

const peers = useProductionPeers({ agreements: true });
beforeAll(() => {
  peers.agreements.documents.set(DOCUMENT_ID, TERMS);
  peers.agreements.pending.set(CUPIDS.esignuser, [{ document_id: DOCUMENT_ID, mandatory: true }]);
});
const t = useTestApp(() => peers.env(), { timeoutMs: PEERS_START_MS });
const j = journeyClient(t);

// ---- What the peers received. Twilio has no idempotency key, so its requests are found by order:
// exactly one new request since `before` (the count taken just before the initiate call).

function twilioRequestSince(before: number): ReceivedRequest {
  const found = peers.twilio.requests.slice(before);
  expect(found, 'exactly one Twilio request for the step').toHaveLength(1);
  return found[0]!;
}

/** The code of an SMS, read from the message body Twilio received. */
function smsCode(before: number): string {
  const request = twilioRequestSince(before);
  expect(request.path).toBe(`/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Messages.json`);
  const body = (request.body as Record<string, string>).Body;
  const code = /code is (\d{6})\b/.exec(body ?? '')?.[1];
  expect(code, `a six-digit code in "${body}"`).toBeDefined();
  return code!;
}

/** A new SMS for the retry step, and its code as the phone received it: the verify reply. */
async function smsAgainAndVerify(contextId: string, retryTx: string) {
  const before = peers.twilio.requests.length;
  const resent = await j.initiate(contextId, retryTx, 'sms', 1);
  expect(resent.status, JSON.stringify(resent.body)).toBe(200);
  return j.verify(contextId, resent.body.transaction_id as string, smsCode(before));
}

/** The code of a voice call, read from the TwiML Twilio received ("1, 2, 3, 4, 5, 6"). */
function voiceCode(before: number): string {
  const request = twilioRequestSince(before);
  expect(request.path).toBe(`/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Calls.json`);
  const twiml = (request.body as Record<string, string>).Twiml ?? '';
  const said = /<Say>([^<]*)<\/Say>/.exec(twiml)?.[1] ?? '';
  const code = said.replace(/\D/g, '');
  expect(code, `a six-digit code in ${twiml}`).toMatch(/^\d{6}$/);
  return code;
}

function pushFor(transactionId: string) {
  const found = peers.gateway.requests.filter((r) => r.headers['idempotency-key'] === transactionId);
  expect(found, `one push for step ${transactionId}`).toHaveLength(1);
  return found[0]!.body as Record<string, unknown>;
}

/** Login → MFA → SMS option 1 → the code from Twilio. */
async function smsSent(username: 'mfauser' | 'esignuser', drsActionToken?: string) {
  const mfa = await j.loginToMfa(username, drsActionToken ? { drsActionToken } : {});
  const before = peers.twilio.requests.length;
  const initiated = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1);
  expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
  expect(initiated.body.response_type_code).toBe('OTP_VERIFY_REQUIRED');
  const transactionId = initiated.body.transaction_id as string;
  return { mfa, contextId: mfa.context_id, transactionId, request: twilioRequestSince(before), code: smsCode(before) };
}

describe('the service on its production adapters', () => {
  it('has no dev outbox', async () => {
    expect(t.services.providers.outbox).toBeUndefined();
    const res = await t.call({ method: 'GET', url: `/dev/outbox?cupid=${CUPIDS.mfauser}` });
    expect(res.statusCode).toBe(404);
  });

  it('walkthrough 1: simpleuser, Transmit ALLOW → 201; the DRS row holds Transmit’s answer', async () => {
    const deviceId = `w1-${randomUUID()}`;
    const recommendations = peers.transmit.count('recommendation');
    const res = await j.login('simpleuser', { drsActionToken: `tx:allow:${deviceId}` });
    expectTokens(res, 201);
    const contextId = res.body.context_id;
    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: 'SUCCESS', device_fingerprint: j.deviceHash(deviceId) });
    expect(await j.steps(contextId)).toHaveLength(0);

    expect(peers.transmit.count('recommendation')).toBe(recommendations + 1);
    const asked = peers.transmit.requests.filter((r) => r.endpoint === 'recommendation').at(-1)!;
    expect(asked.query.action_token).toBe(`tx:allow:${deviceId}`);
    const drs = await j.drs(contextId);
    expect(drs).toHaveLength(1);
    expect(drs[0]).toMatchObject({ cupid: CUPIDS.simpleuser, recommendation: 'ALLOW', risk_score: 19, device_id: j.deviceHash(deviceId) });
    // Transmit's answer is kept, but its device id only as the keyed hash.
    expect(drs[0].raw_response).toMatchObject({ recommendation: { type: 'ALLOW' }, risk_score: 18.5, context: { device_id: j.deviceHash(deviceId) } });

    await expectSessionFor(j, contextId, res);
    expect(await j.auditTypes(contextId)).toEqual(expect.arrayContaining(['DRS_EVALUATION', 'LOGIN_SUCCESS']));
  });

  it('walkthrough 2: mfauser by SMS, the code from the message Twilio received → 201', async () => {
    const sent = await smsSent('mfauser');
    expect(sent.mfa.otp_methods).toEqual([
      { value: '1234', mfa_option_id: 1 },
      { value: '5678', mfa_option_id: 2 },
    ]);
    expect((sent.request.body as Record<string, string>).To).toMatch(/1234$/);

    const verified = await j.verify(sent.contextId, sent.transactionId, sent.code);
    expectTokens(verified, 201, sent.contextId);
    const steps = await j.steps(sent.contextId);
    expect(steps.map((s) => s.transaction_status)).toEqual(['CONSUMED', 'CONSUMED']);
    await expectSessionFor(j, sent.contextId, verified);
    expect(await j.auditTypes(sent.contextId)).toEqual(
      expect.arrayContaining(['LOGIN_MFA_REQUIRED', 'MFA_CHALLENGE_SENT', 'MFA_VERIFY_SUCCESS']),
    );
  });

  it('walkthrough 3: a wrong code, then a second SMS and the right code → 201', async () => {
    const first = await smsSent('mfauser');
    const wrong = await j.verify(first.contextId, first.transactionId, otherCode(first.code));
    expectError(wrong, 400, 'CIAM_E01_01_017');
    const retryTx = wrong.body.transaction_id as string;

    const verified = await smsAgainAndVerify(first.contextId, retryTx);
    expectTokens(verified, 201, first.contextId);

    const steps = await j.steps(first.contextId);
    expect(steps.map((s) => s.transaction_status)).toEqual(['CONSUMED', 'CONSUMED', 'CONSUMED', 'CONSUMED']);
    expect(await j.auditTypes(first.contextId)).toEqual(expect.arrayContaining(['MFA_VERIFY_FAILED', 'MFA_CHALLENGE_RESENT']));
  });

  it('voice: the code read out in the TwiML of the call Twilio received → 201', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const before = peers.twilio.requests.length;
    const initiated = await j.initiate(mfa.context_id, mfa.transaction_id, 'voice', 2);
    expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
    const transactionId = initiated.body.transaction_id as string;
    expect((twilioRequestSince(before).body as Record<string, string>).To).toMatch(/5678$/);
    const verified = await j.verify(mfa.context_id, transactionId, voiceCode(before));
    expectTokens(verified, 201, mfa.context_id);
  });

  it('walkthrough 4: push — the gateway gets the choices and the secret, never the number shown; approve → poll → 201', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const initiated = await j.initiate(mfa.context_id, mfa.transaction_id, 'push');
    expect(initiated.status, JSON.stringify(initiated.body)).toBe(200);
    expect(initiated.body.response_type_code).toBe('PUSH_VERIFY_REQUIRED');
    const pushTx = initiated.body.transaction_id as string;
    const displayNumber = initiated.body.display_number as number;

    const push = pushFor(pushTx);
    expect(peers.gateway.checks.at(-1)).toBe('valid');
    expect(push).toMatchObject({ cupid: CUPIDS.mfauser, context_id: mfa.context_id, transaction_id: pushTx });
    expect(push).not.toHaveProperty('display_number');
    expect(push.number_choices).toEqual(expect.arrayContaining([displayNumber]));
    expect((push.number_choices as number[]).length).toBeGreaterThan(1);
    expect(push.approval_secret).toEqual(expect.any(String));

    const pending = await j.poll(mfa.context_id, pushTx);
    expect(pending.body.response_type_code).toBe('MFA_PENDING');
    const approved = await j.approve(mfa.context_id, pushTx, displayNumber, push.approval_secret as string);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    const done = await j.poll(mfa.context_id, pushTx);
    expectTokens(done, 201, mfa.context_id);
    expect(await j.auditTypes(mfa.context_id)).toEqual(expect.arrayContaining(['MFA_PUSH_SENT', 'MFA_PUSH_APPROVED']));
  });

  const esignDevice = `w5-${randomUUID()}`;

  it('walkthrough 5: esignuser — MFA → the agreements service’s pending document → accept → bind → device_bound', async () => {
    const sent = await smsSent('esignuser', `tx:allow:${esignDevice}`);
    const verified = await j.verify(sent.contextId, sent.transactionId, sent.code);
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.body).toMatchObject({ response_type_code: 'ESIGN_REQUIRED', esign_document_id: DOCUMENT_ID });
    const esignTx = verified.body.transaction_id as string;

    const doc = await j.document(DOCUMENT_ID);
    expect(doc.status).toBe(200);
    expect(doc.body).toEqual(TERMS);
    expect(peers.agreements.requests.some((r) => r.method === 'GET' && r.path === `/v1/documents/${DOCUMENT_ID}`)).toBe(true);

    const accepted = await j.accept(sent.contextId, esignTx, DOCUMENT_ID);
    expect(accepted.status, JSON.stringify(accepted.body)).toBe(200);
    expect(accepted.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
    expect(peers.agreements.acceptances).toHaveLength(1);
    expect(peers.agreements.acceptances[0]).toMatchObject({
      cupid: CUPIDS.esignuser,
      body: { document_id: DOCUMENT_ID, version: '1.0', context_id: sent.contextId },
    });

    const bound = await j.bind(sent.contextId, accepted.body.transaction_id, true);
    expectTokens(bound, 200, sent.contextId);
    expect(bound.body.device_bound).toBe(true);
    expect(await j.trustedDevices(CUPIDS.esignuser, esignDevice)).toHaveLength(1);
    expect((await j.steps(sent.contextId)).map((s) => s.transaction_status)).toEqual(['CONSUMED', 'CONSUMED', 'CONSUMED', 'CONSUMED']);
    expect(await j.auditTypes(sent.contextId)).toEqual(expect.arrayContaining(['ESIGN_PRESENTED', 'ESIGN_ACCEPTED', 'DEVICE_BIND_ACCEPTED']));
  });

  it('walkthrough 8: esignuser again with the same Transmit device id → 201 without MFA, LOGIN_TRUSTED_DEVICE', async () => {
    const sms = peers.twilio.requests.length;
    const res = await j.login('esignuser', { drsActionToken: `tx:allow:${esignDevice}` });
    expectTokens(res, 201);
    const contextId = res.body.context_id;
    expect(await j.steps(contextId)).toHaveLength(0);
    expect((await j.drs(contextId))[0]).toMatchObject({ recommendation: 'ALLOW', device_id: j.deviceHash(esignDevice) });
    expect(await j.auditTypes(contextId)).toContain('LOGIN_TRUSTED_DEVICE');
    expect(peers.twilio.requests.length).toBe(sms);
  });
});

describe('outages of the production peers', () => {
  it('the directory down: login 503 CIAM_E05_00_002, and 201 again once it is back', async () => {
    await peers.slapd.stop();
    try {
      expectError(await j.login('simpleuser', { drsActionToken: 'tx:allow:d-outage' }), 503, 'CIAM_E05_00_002');
    } finally {
      await peers.slapd.start();
    }
    expectTokens(await j.login('simpleuser', { drsActionToken: 'tx:allow:d-outage' }), 201);
  });

  it('Twilio failing: initiate 503 CIAM_E05_00_002 with a fresh transaction_id that works once Twilio recovers', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const before = peers.twilio.requests.length;
    peers.twilio.failNext({ status: 503, code: 20503 }, { status: 503, code: 20503 }, { status: 503, code: 20503 });
    const failed = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1);
    expectError(failed, 503, 'CIAM_E05_00_002');
    expect(peers.twilio.requests.length - before).toBe(3);
    const retryTx = failed.body.transaction_id as string;
    expect(retryTx).toMatch(/^[0-9a-f-]{36}$/);
    expect(retryTx).not.toBe(mfa.transaction_id);

    const verified = await smsAgainAndVerify(mfa.context_id, retryTx);
    expectTokens(verified, 201, mfa.context_id);
  });
});
