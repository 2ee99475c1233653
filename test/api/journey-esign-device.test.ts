import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { CUPIDS, expectError, expectSessionFor, expectTokens, USER_AGENT, useJourneyApp } from '../support/journey-client.js';

/** Walkthrough 5: MFA, then a mandatory eSign document, then the offer to trust the device. */

const { t, j } = useJourneyApp();

const cupid = CUPIDS.esignuser;
const DOCUMENT = 'terms-v1-2025';

// Each test starts with the document still to sign (acceptances are the only thing tests share).
beforeEach(async () => {
  await t.db.query('DELETE FROM esign_acceptances WHERE cupid = $1', [cupid]);
});

/** esignuser through MFA by SMS up to the eSign step. */
async function toEsign(options: { drsActionToken?: string } = {}) {
  const { contextId, verified } = await j.passMfaBySms('esignuser', options);
  expect(verified.status, JSON.stringify(verified.body)).toBe(200);
  expect(verified.body.response_type_code).toBe('ESIGN_REQUIRED');
  return { contextId, transactionId: verified.body.transaction_id as string, verified };
}

describe('walkthrough 5: MFA → eSign → device bind', () => {
  it('verify → ESIGN_REQUIRED → read the document → accept → DEVICE_BIND_REQUIRED → bind → tokens and a trusted device', async () => {
    const deviceId = `w5-${randomUUID()}`;
    const mfa = await j.loginToMfa('esignuser', { drsActionToken: `sim:allow:${deviceId}` });
    const contextId = mfa.context_id;
    const sent = await j.sendCode(cupid, contextId, mfa.transaction_id);
    const verified = await j.verify(contextId, sent.transactionId, sent.code);
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({
      response_type_code: 'ESIGN_REQUIRED',
      context_id: contextId,
      transaction_id: expect.any(String),
      esign_document_id: DOCUMENT,
      esign_url: `/auth/esign/documents/${DOCUMENT}`,
    });
    expect(verified.setCookie).toBeUndefined();
    const esignTx = verified.body.transaction_id;
    const step3 = await j.step(esignTx);
    expect(step3).toMatchObject({
      transaction_type: 'ESIGN_PRESENT',
      phase: 'ESIGN',
      transaction_status: 'PENDING',
      sequence_number: 3,
      parent_transaction_id: sent.transactionId,
      esign_document_id: DOCUMENT,
      esign_action: 'PRESENTED',
    });
    const esignLifetime = (step3.expires_at.getTime() - step3.created_at.getTime()) / 1000;
    expect(esignLifetime).toBe(600);

    const doc = await j.document(DOCUMENT);
    expect(doc.status).toBe(200);
    expect(doc.body).toEqual({ document_id: DOCUMENT, title: expect.any(String), content: expect.any(String), version: '1.0', mandatory: true });
    expect(doc.body.content.length).toBeGreaterThan(100);

    const accepted = await j.accept(contextId, esignTx, DOCUMENT, { acceptance_ip: '10.9.8.7', acceptance_timestamp: '2025-01-01T00:00:00Z' });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ response_type_code: 'DEVICE_BIND_REQUIRED', context_id: contextId, transaction_id: expect.any(String) });
    const bindTx = accepted.body.transaction_id;
    expect(await j.step(bindTx)).toMatchObject({
      transaction_type: 'DEVICE_BIND',
      sequence_number: 4,
      parent_transaction_id: esignTx,
      device_bind_decision: 'OFFERED',
      transaction_status: 'PENDING',
    });

    const bound = await j.bind(contextId, bindTx, true);
    expectTokens(bound, 200, contextId);
    expect(bound.body.device_bound).toBe(true);
    expect(bound.body.transaction_id).toBe(bindTx);

    const steps = await j.steps(contextId);
    expect(steps.map((s) => [s.sequence_number, s.transaction_type, s.transaction_status])).toEqual([
      [1, 'MFA_INITIATE', 'CONSUMED'],
      [2, 'MFA_VERIFY', 'CONSUMED'],
      [3, 'ESIGN_PRESENT', 'CONSUMED'],
      [4, 'DEVICE_BIND', 'CONSUMED'],
    ]);
    expect(steps[2].esign_action).toBe('ACCEPTED');
    expect(steps[3].device_bind_decision).toBe('ACCEPTED');

    const devices = await j.trustedDevices(cupid, deviceId);
    expect(devices).toHaveLength(1);
    expect(devices[0]).toMatchObject({
      cupid,
      status: 'ACTIVE',
      device_fingerprint: j.deviceHash(deviceId),
      device_fingerprint_hash: j.deviceHash(deviceId),
      device_name: 'Chrome on Windows 10',
      device_type: 'BROWSER',
      revoked_at: null,
    });
    expect(devices[0].trusted_at).toBeInstanceOf(Date);

    const { rows: acceptances } = await t.db.query(
      `SELECT cupid, document_id, document_version, context_id, transaction_id, host(ip_address) AS ip_address, accepted_at
         FROM esign_acceptances WHERE cupid = $1`,
      [cupid],
    );
    expect(acceptances).toEqual([
      {
        cupid,
        document_id: DOCUMENT,
        document_version: '1.0',
        context_id: contextId,
        transaction_id: esignTx,
        ip_address: '127.0.0.1',
        accepted_at: expect.any(Date),
      },
    ]);

    const session = await expectSessionFor(j, contextId, bound);
    expect(session.device_fingerprint).toBe(j.deviceHash(deviceId));
    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: 'SUCCESS', device_fingerprint: j.deviceHash(deviceId) });

    const audit = await j.audit(contextId);
    expect(audit.map((r) => r.event_type).sort()).toEqual([
      'DEVICE_BIND_ACCEPTED',
      'DEVICE_BIND_OFFERED',
      'DRS_EVALUATION',
      'ESIGN_ACCEPTED',
      'ESIGN_PRESENTED',
      'LOGIN_MFA_REQUIRED',
      'LOGIN_SUCCESS',
      'MFA_CHALLENGE_SENT',
      'MFA_VERIFY_SUCCESS',
    ]);
    const byType = Object.fromEntries(audit.map((r) => [r.event_type, r]));
    expect(byType.ESIGN_PRESENTED).toMatchObject({ transaction_id: esignTx, event_category: 'ESIGN', correlation_id: verified.correlationId });
    // The client's claims are kept for the record; the service's own address is what counts.
    expect(byType.ESIGN_ACCEPTED).toMatchObject({ transaction_id: esignTx, correlation_id: accepted.correlationId, ip_address: '127.0.0.1' });
    expect(byType.ESIGN_ACCEPTED.event_data).toMatchObject({
      document_id: DOCUMENT,
      version: '1.0',
      claimed_acceptance_ip: '10.9.8.7',
      claimed_acceptance_timestamp: '2025-01-01T00:00:00Z',
    });
    expect(byType.DEVICE_BIND_ACCEPTED).toMatchObject({ transaction_id: bindTx, correlation_id: bound.correlationId, user_agent: USER_AGENT });
    expect(byType.DEVICE_BIND_ACCEPTED.event_data).toMatchObject({ device_id: devices[0].device_id, device_type: 'BROWSER' });
  });

  it('accepting without a device identity finishes the login: 201 with esign_accepted; the next login is not asked to sign', async () => {
    const e = await toEsign();
    const accepted = await j.accept(e.contextId, e.transactionId, DOCUMENT);
    expectTokens(accepted, 201, e.contextId);
    expect(accepted.body).toMatchObject({ esign_accepted: true, transaction_id: e.transactionId });
    expect(Math.abs(Date.parse(accepted.body.esign_accepted_at) - Date.now())).toBeLessThan(60_000);
    expect(await j.steps(e.contextId)).toHaveLength(3);

    const again = await j.passMfaBySms('esignuser');
    expectTokens(again.verified, 201, again.contextId);
    expect(await j.auditTypes(again.contextId)).not.toContain('ESIGN_PRESENTED');
    expect(await j.steps(again.contextId)).toHaveLength(2);
  });

  it('declining the mandatory document: 403 CIAM_E01_04_003, journey FAILED, ESIGN_DECLINED, no acceptance', async () => {
    const e = await toEsign();
    const declined = await j.decline(e.contextId, e.transactionId, DOCUMENT);
    expectError(declined, 403, 'CIAM_E01_04_003');
    expect(declined.body).toEqual({ error_code: 'CIAM_E01_04_003', context_id: e.contextId });
    expect(declined.setCookie).toBeUndefined();
    expect(await j.journey(e.contextId)).toMatchObject({ auth_outcome: 'FAILED', completed_at: expect.any(Date) });
    expect(await j.step(e.transactionId)).toMatchObject({ transaction_status: 'CONSUMED', esign_action: 'DECLINED' });
    expect(await j.count('esign_acceptances WHERE cupid = $1', [cupid])).toBe(0);
    expect(await j.sessions(e.contextId)).toHaveLength(0);
    const audit = await j.auditByCorrelation(declined.correlationId);
    expect(audit.map((r) => r.event_type).sort()).toEqual(['ESIGN_DECLINED', 'JOURNEY_FAILED']);
    expect(audit.find((r) => r.event_type === 'ESIGN_DECLINED')).toMatchObject({ severity: 'WARN', transaction_id: e.transactionId });
    // Once declined, the step cannot be accepted after all.
    expectError(await j.accept(e.contextId, e.transactionId, DOCUMENT), 400, 'CIAM_E01_03_003');
    // And the customer is asked again next time.
    const next = await j.passMfaBySms('esignuser');
    expect(next.verified.body.response_type_code).toBe('ESIGN_REQUIRED');
  });

  it('bind false: 200 tokens with device_bound false, no trusted device, DEVICE_BIND_DECLINED', async () => {
    const deviceId = `decline-${randomUUID()}`;
    const e = await toEsign({ drsActionToken: `sim:allow:${deviceId}` });
    const accepted = await j.accept(e.contextId, e.transactionId, DOCUMENT);
    expect(accepted.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
    const bound = await j.bind(e.contextId, accepted.body.transaction_id, false);
    expectTokens(bound, 200, e.contextId);
    expect(bound.body.device_bound).toBe(false);
    expect(await j.trustedDevices(cupid, deviceId)).toHaveLength(0);
    expect(await j.step(accepted.body.transaction_id)).toMatchObject({ transaction_status: 'CONSUMED', device_bind_decision: 'DECLINED' });
    const types = await j.auditTypes(e.contextId);
    expect(types).toContain('DEVICE_BIND_DECLINED');
    expect(types).not.toContain('DEVICE_BIND_ACCEPTED');
    expect(await j.journey(e.contextId)).toMatchObject({ auth_outcome: 'SUCCESS' });
    await expectSessionFor(j, e.contextId, bound);
    // The bind step is single-use.
    expectError(await j.bind(e.contextId, accepted.body.transaction_id, true), 400, 'CIAM_E01_03_003');
    expect(await j.trustedDevices(cupid, deviceId)).toHaveLength(0);
  });

  it('a device bound from the mobile app is recorded as MOBILE_APP', async () => {
    const deviceId = `app-${randomUUID()}`;
    const app = { headers: { 'x-client-id': 'mobile-app' }, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148' };
    // The whole journey from the app: a journey belongs to the client that started it.
    const mfa = await j.loginToMfa('esignuser', { drsActionToken: `sim:allow:${deviceId}`, ...app });
    const initiated = await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1, app);
    const code = (await j.messageFor(cupid, initiated.body.transaction_id)).code!;
    const verified = await j.verify(mfa.context_id, initiated.body.transaction_id, code, app);
    expect(verified.body.response_type_code).toBe('ESIGN_REQUIRED');
    const accepted = await j.accept(mfa.context_id, verified.body.transaction_id, DOCUMENT, {}, app);
    const bound = await j.bind(mfa.context_id, accepted.body.transaction_id, true, app);
    expectTokens(bound, 200, mfa.context_id);
    const [device] = await j.trustedDevices(cupid, deviceId);
    expect(device).toMatchObject({ device_type: 'MOBILE_APP', device_name: expect.stringMatching(/^Mobile app on iOS/) });
  });

  it('from a trusted device the document comes first, and accepting it finishes the login (201)', async () => {
    const deviceId = `trusted-${randomUUID()}`;
    const e = await toEsign({ drsActionToken: `sim:allow:${deviceId}` });
    const accepted = await j.accept(e.contextId, e.transactionId, DOCUMENT);
    expect((await j.bind(e.contextId, accepted.body.transaction_id, true)).body.device_bound).toBe(true);
    await t.db.query('DELETE FROM esign_acceptances WHERE cupid = $1', [cupid]);

    const login = await j.login('esignuser', { drsActionToken: `sim:allow:${deviceId}` });
    expect(login.status).toBe(200);
    expect(login.body).toMatchObject({ response_type_code: 'ESIGN_REQUIRED', esign_document_id: DOCUMENT });
    const [step] = await j.steps(login.body.context_id);
    expect(step).toMatchObject({ transaction_type: 'ESIGN_PRESENT', sequence_number: 1, parent_transaction_id: null });
    const done = await j.accept(login.body.context_id, login.body.transaction_id, DOCUMENT);
    expectTokens(done, 201, login.body.context_id);
    expect(done.body.esign_accepted).toBe(true);
    expect(await j.auditTypes(login.body.context_id)).toEqual(
      expect.arrayContaining(['LOGIN_TRUSTED_DEVICE', 'ESIGN_PRESENTED', 'ESIGN_ACCEPTED', 'LOGIN_SUCCESS']),
    );
  });
});

describe('eSign errors', () => {
  it('GET of an unknown document: 404 CIAM_E01_04_001', async () => {
    expectError(await j.document('no-such-document'), 404, 'CIAM_E01_04_001');
  });

  it('accept with a step that is not an eSign step (an MFA step of the same journey): 400 CIAM_E01_04_002', async () => {
    const mfa = await j.loginToMfa('esignuser');
    const res = await j.accept(mfa.context_id, mfa.transaction_id, DOCUMENT);
    expectError(res, 400, 'CIAM_E01_04_002');
    expect(res.body.context_id).toBe(mfa.context_id);
    expect(await j.step(mfa.transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
    expect(await j.count('esign_acceptances WHERE cupid = $1', [cupid])).toBe(0);
    expectError(await j.decline(mfa.context_id, mfa.transaction_id, DOCUMENT), 400, 'CIAM_E01_04_002');
    expect((await j.journey(mfa.context_id)).auth_outcome).toBeNull();
  });

  it('accept naming another document than the one presented: 400 CIAM_E01_04_002, the step stays open', async () => {
    const e = await toEsign();
    expectError(await j.accept(e.contextId, e.transactionId, 'privacy-v9'), 400, 'CIAM_E01_04_002');
    expect(await j.step(e.transactionId)).toMatchObject({ transaction_status: 'PENDING', esign_action: 'PRESENTED' });
    expect((await j.accept(e.contextId, e.transactionId, DOCUMENT)).status).toBe(201);
  });

  it('accept or bind with an unknown step: 404 CIAM_E01_03_001', async () => {
    const e = await toEsign();
    const unknown = randomUUID();
    expectError(await j.accept(e.contextId, unknown, DOCUMENT), 404, 'CIAM_E01_03_001');
    expectError(await j.bind(e.contextId, unknown, true), 404, 'CIAM_E01_03_001');
    expectError(await j.bind(randomUUID(), unknown, true), 404, 'CIAM_E01_03_001');
    // The eSign step is not a bind step either.
    expectError(await j.bind(e.contextId, e.transactionId, true), 404, 'CIAM_E01_03_001');
    expect(await j.step(e.transactionId)).toMatchObject({ transaction_status: 'PENDING' });
  });
});
