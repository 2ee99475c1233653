import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { CUPIDS, expectError, expectSessionFor, expectTokens, useJourneyApp } from '../support/journey-client.js';
import { AGENT_SECRET } from '../support/test-app.js';

/** Walkthrough 8: a device bound in walkthrough 5 skips MFA — unless device risk says otherwise. */

const { t, j } = useJourneyApp();
const mfaDevice = `w8-mfa-${randomUUID()}`;
const esignDevice = `w8-esign-${randomUUID()}`;

/** Walkthrough 5 for mfauser (no eSign): MFA, then bind the device. */
async function bindForMfauser(deviceId: string, identity: { drsActionToken?: string; deviceFingerprint?: string }) {
  const { contextId, verified } = await j.passMfaBySms('mfauser', identity);
  expect(verified.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
  const bound = await j.bind(contextId, verified.body.transaction_id, true);
  expect(bound.body.device_bound).toBe(true);
  expect(await j.trustedDevices(CUPIDS.mfauser, deviceId)).toHaveLength(1);
}

beforeAll(async () => {
  await bindForMfauser(mfaDevice, { drsActionToken: `sim:allow:${mfaDevice}` });
  // Walkthrough 5 proper for esignuser: MFA, eSign, bind.
  const { contextId, verified } = await j.passMfaBySms('esignuser', { drsActionToken: `sim:allow:${esignDevice}` });
  expect(verified.body.response_type_code).toBe('ESIGN_REQUIRED');
  const accepted = await j.accept(contextId, verified.body.transaction_id, 'terms-v1-2025');
  expect(accepted.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
  expect((await j.bind(contextId, accepted.body.transaction_id, true)).body.device_bound).toBe(true);
});

async function backdateLastUse(cupid: string, deviceId: string) {
  await t.db.query(
    `UPDATE trusted_devices SET last_used_at = now() - interval '1 day' WHERE cupid = $1 AND device_fingerprint_hash = $2`,
    [cupid, j.deviceHash(deviceId)],
  );
  return (await j.trustedDevices(cupid, deviceId))[0].last_used_at as Date;
}

describe('walkthrough 8: login from a trusted device', () => {
  it('mfauser with the bound device id: 201 at once, a journey with no steps, last_used_at updated, LOGIN_TRUSTED_DEVICE', async () => {
    const before = await backdateLastUse(CUPIDS.mfauser, mfaDevice);
    const res = await j.login('mfauser', { drsActionToken: `sim:allow:${mfaDevice}` });
    expectTokens(res, 201);
    const contextId = res.body.context_id;
    expect(await j.journey(contextId)).toMatchObject({
      auth_outcome: 'SUCCESS',
      requires_additional_steps: false,
      device_fingerprint: j.deviceHash(mfaDevice),
      completed_at: expect.any(Date),
    });
    expect(await j.steps(contextId)).toHaveLength(0);
    expect(await j.drs(contextId)).toHaveLength(1);
    await expectSessionFor(j, contextId, res);

    const [device] = await j.trustedDevices(CUPIDS.mfauser, mfaDevice);
    expect(device.status).toBe('ACTIVE');
    expect(device.last_used_at.getTime()).toBeGreaterThan(before.getTime() + 60_000);

    const audit = await j.audit(contextId);
    expect(audit.map((r) => r.event_type).sort()).toEqual(['DRS_EVALUATION', 'LOGIN_SUCCESS', 'LOGIN_TRUSTED_DEVICE']);
    const trusted = audit.find((r) => r.event_type === 'LOGIN_TRUSTED_DEVICE');
    expect(trusted).toMatchObject({ event_category: 'AUTH', correlation_id: res.correlationId });
    expect(trusted.event_data).toMatchObject({ device_id: device.device_id });
  });

  it('esignuser, who has signed and bound the device: 201 at once, no eSign', async () => {
    const before = await backdateLastUse(CUPIDS.esignuser, esignDevice);
    const res = await j.login('esignuser', { drsActionToken: `sim:allow:${esignDevice}` });
    expectTokens(res, 201);
    expect(await j.steps(res.body.context_id)).toHaveLength(0);
    expect(await j.auditTypes(res.body.context_id)).toContain('LOGIN_TRUSTED_DEVICE');
    expect((await j.trustedDevices(CUPIDS.esignuser, esignDevice))[0].last_used_at.getTime()).toBeGreaterThan(before.getTime());
  });

  it('DRS TRUST on the bound device also logs in at once', async () => {
    const res = await j.login('mfauser', { drsActionToken: `sim:trust:${mfaDevice}` });
    expectTokens(res, 201);
    expect((await j.drs(res.body.context_id))[0]).toMatchObject({ recommendation: 'TRUST', risk_score: 5 });
  });

  it('DRS CHALLENGE asks for MFA despite the trust, and no second binding is offered', async () => {
    const before = await backdateLastUse(CUPIDS.mfauser, mfaDevice);
    const mfa = await j.loginToMfa('mfauser', { drsActionToken: `sim:challenge:${mfaDevice}` });
    expect(await j.auditTypes(mfa.context_id)).not.toContain('LOGIN_TRUSTED_DEVICE');
    expect((await j.trustedDevices(CUPIDS.mfauser, mfaDevice))[0].last_used_at).toEqual(before);
    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    const verify = await j.verify(mfa.context_id, sent.transactionId, sent.code);
    expectTokens(verify, 201, mfa.context_id);
    expect(await j.trustedDevices(CUPIDS.mfauser, mfaDevice)).toHaveLength(1);
  });

  it('DRS CHALLENGE asks for MFA even of a customer the directory does not require it of', async () => {
    const mfa = await j.loginToMfa('simpleuser', { drsActionToken: 'sim:challenge:simple-device' });
    expect(mfa.otp_methods).toEqual([{ value: '9999', mfa_option_id: 1 }]);
    const required = (await j.audit(mfa.context_id)).find((r) => r.event_type === 'LOGIN_MFA_REQUIRED');
    expect(required.event_data).toMatchObject({ reason: 'DRS_CHALLENGE' });
    expect((await j.drs(mfa.context_id))[0]).toMatchObject({ recommendation: 'CHALLENGE', risk_score: 60 });
  });

  it('DRS DENY: 403 CIAM_E01_01_010, the journey FAILED with its DRS row, no session', async () => {
    const res = await j.login('mfauser', { drsActionToken: `sim:deny:${mfaDevice}` });
    expectError(res, 403, 'CIAM_E01_01_010');
    expect(res.setCookie).toBeUndefined();
    const contextId = res.body.context_id;
    expect(contextId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: 'FAILED', completed_at: expect.any(Date), cupid: CUPIDS.mfauser });
    const drs = await j.drs(contextId);
    expect(drs).toHaveLength(1);
    expect(drs[0]).toMatchObject({ recommendation: 'DENY', risk_score: 95, device_id: j.deviceHash(mfaDevice) });
    expect(drs[0].signals).toEqual([expect.objectContaining({ type: 'SIMULATED' })]);
    expect(await j.steps(contextId)).toHaveLength(0);
    expect(await j.sessions(contextId)).toHaveLength(0);
    const audit = await j.audit(contextId);
    expect(audit.map((r) => r.event_type).sort()).toEqual(['DRS_EVALUATION', 'LOGIN_DENIED']);
    expect(audit.find((r) => r.event_type === 'LOGIN_DENIED')).toMatchObject({
      event_category: 'SECURITY',
      event_data: expect.objectContaining({ reason: 'DRS_DENY' }),
    });
    expect(audit.find((r) => r.event_type === 'DRS_EVALUATION').severity).toBe('WARN');
  });

  it('trust belongs to one customer: the same device id does not skip MFA for another', async () => {
    const mfa = await j.loginToMfa('nopushuser', { drsActionToken: `sim:allow:${mfaDevice}` });
    expect(await j.auditTypes(mfa.context_id)).not.toContain('LOGIN_TRUSTED_DEVICE');
  });

  it('a revoked device no longer skips MFA', async () => {
    const deviceId = `revoked-${randomUUID()}`;
    await bindForMfauser(deviceId, { drsActionToken: `sim:allow:${deviceId}` });
    expectTokens(await j.login('mfauser', { drsActionToken: `sim:allow:${deviceId}` }), 201);
    await t.db.query(
      `UPDATE trusted_devices SET status = 'REVOKED', revoked_at = now() WHERE cupid = $1 AND device_fingerprint_hash = $2`,
      [CUPIDS.mfauser, j.deviceHash(deviceId)],
    );
    await j.loginToMfa('mfauser', { drsActionToken: `sim:allow:${deviceId}` });
  });

  it('a device_fingerprint claimed in the body grants no trust: the bound device id without DRS still needs MFA', async () => {
    const claimed = await j.loginToMfa('mfauser', { deviceFingerprint: mfaDevice });
    expect(await j.drs(claimed.context_id)).toHaveLength(0);
    expect(await j.auditTypes(claimed.context_id)).not.toContain('LOGIN_TRUSTED_DEVICE');
    // Nor can the keyed hash a database reader might have seen be presented instead.
    await j.loginToMfa('mfauser', { deviceFingerprint: j.deviceHash(mfaDevice) });
    await j.loginToMfa('mfauser', { drsActionToken: `sim:allow:${j.deviceHash(mfaDevice)}` });
  });

  it('without a DRS device id nothing is bound: MFA ends the journey, no binding offered', async () => {
    const { contextId, verified } = await j.passMfaBySms('mfauser', { deviceFingerprint: `fp-${randomUUID()}` });
    expectTokens(verified, 201, contextId);
    expect((await j.journey(contextId)).device_fingerprint).toBeNull();
  });

  it('stores no device id in clear: trust, journey, session and risk rows hold the keyed hash', async () => {
    const res = await j.login('mfauser', { drsActionToken: `sim:allow:${mfaDevice}` });
    expectTokens(res, 201);
    const contextId = res.body.context_id;
    const hash = j.deviceHash(mfaDevice);
    expect((await j.journey(contextId)).device_fingerprint).toBe(hash);
    expect((await j.sessions(contextId))[0].device_fingerprint).toBe(hash);
    const [drs] = await j.drs(contextId);
    expect(drs.device_id).toBe(hash);
    expect(JSON.stringify(drs)).not.toContain(mfaDevice);
    const [device] = await j.trustedDevices(CUPIDS.mfauser, mfaDevice);
    expect(device).toMatchObject({ device_fingerprint: hash, device_fingerprint_hash: hash });
    const { rows } = await t.db.query(
      `SELECT count(*)::int AS n FROM trusted_devices WHERE device_fingerprint LIKE '%' || $1 || '%'`,
      [mfaDevice],
    );
    expect(rows[0]!.n).toBe(0);

    // Agents see a short label of the keyed hash, not the device id nor the whole hash.
    const agentView = await t.call({
      method: 'GET',
      url: `/admin/customers/${CUPIDS.mfauser}/sessions`,
      headers: { authorization: `Bearer ${AGENT_SECRET}` },
    });
    expect(agentView.statusCode).toBe(200);
    const listed = agentView.json().sessions.find((x: { context_id: string }) => x.context_id === contextId);
    expect(listed.device_fingerprint).toBe(hash.slice(0, 8));
  });
});

describe('IP deny list', () => {
  // Injected requests come from 127.0.0.1.
  const { t: denied, j: d } = useJourneyApp({ CIAM_IP_DENY_LIST: '10.0.0.1,127.0.0.0/8' });

  it('refuses the login with 403 CIAM_E01_01_010 after the password, and the journey is FAILED', async () => {
    const res = await d.login('simpleuser', { drsActionToken: 'sim:allow:denied-device' });
    expectError(res, 403, 'CIAM_E01_01_010');
    const contextId = res.body.context_id;
    expect(await d.journey(contextId)).toMatchObject({ auth_outcome: 'FAILED', ip_address: '127.0.0.1' });
    expect(await d.drs(contextId), 'no device-risk call for a denied address').toHaveLength(0);
    expect(await d.sessions(contextId)).toHaveLength(0);
    const audit = await d.audit(contextId);
    expect(audit.map((r) => r.event_type)).toEqual(['LOGIN_DENIED']);
    expect(audit[0].event_data).toMatchObject({ reason: 'IP_DENY_LIST' });
  });

  it('refuses a customer who would need MFA the same way, and a wrong password still answers 401', async () => {
    expectError(await d.login('mfauser'), 403, 'CIAM_E01_01_010');
    expectError(await d.login('mfauser', { password: 'wrong-password' }), 401, 'CIAM_E01_01_001');
  });
});
