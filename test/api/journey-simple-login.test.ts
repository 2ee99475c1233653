import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectSessionFor, expectTokens, sha256Hex, USER_AGENT, useJourneyApp } from '../support/journey-client.js';

/** Walkthrough 1: a customer without MFA logs in and gets tokens at once. */

const { j } = useJourneyApp();

describe('walkthrough 1: simple login with DRS ALLOW', () => {
  it('answers 201 with the tokens, the refresh token only in the cookie', async () => {
    const res = await j.login('simpleuser', { drsActionToken: 'sim:allow:dev-1', headers: { 'x-app-id': 'web-portal', 'x-app-version': '4.2.0' } });
    expectTokens(res, 201);
    expect(Object.keys(res.body).sort()).toEqual(['access_token', 'context_id', 'expires_in', 'id_token', 'response_type_code', 'token_type']);
    expect(res.body.context_id).toMatch(/^[0-9a-f-]{36}$/);
    const claims = decodeJwt(res.body.id_token);
    expect(claims.sub).toBe('CUPID_SIMPLE_001');
  });

  it('leaves one finished journey, no steps, one DRS row, one session and three ACTIVE tokens stored as hashes', async () => {
    const token = 'sim:allow:dev-1';
    const res = await j.login('simpleuser', { drsActionToken: token, headers: { 'x-app-id': 'web-portal', 'x-app-version': '4.2.0' } });
    expectTokens(res, 201);
    const contextId = res.body.context_id;

    const journey = await j.journey(contextId);
    expect(journey).toMatchObject({
      cupid: 'CUPID_SIMPLE_001',
      app_id: 'web-portal',
      app_version: '4.2.0',
      device_fingerprint: j.deviceHash('dev-1'),
      ip_address: '127.0.0.1',
      correlation_id: res.correlationId,
      requires_additional_steps: false,
      auth_outcome: 'SUCCESS',
    });
    expect(journey.completed_at).toBeInstanceOf(Date);
    expect(await j.steps(contextId)).toHaveLength(0);

    const drs = await j.drs(contextId);
    expect(drs).toHaveLength(1);
    expect(drs[0]).toMatchObject({
      cupid: 'CUPID_SIMPLE_001',
      action_token_hash: sha256Hex(token),
      device_id: j.deviceHash('dev-1'),
      recommendation: 'ALLOW',
      risk_score: 20,
    });
    expect(drs[0].raw_response).toEqual(expect.objectContaining({ recommendation: { type: 'ALLOW' } }));
    expect(JSON.stringify(drs[0]), 'the action token is never stored in clear').not.toContain(token);

    const session = await expectSessionFor(j, contextId, res);
    expect(session).toMatchObject({ cupid: 'CUPID_SIMPLE_001', user_agent: USER_AGENT, device_fingerprint: j.deviceHash('dev-1') });

    const audit = await j.audit(contextId);
    const types = audit.map((r) => r.event_type);
    expect(types).toEqual(expect.arrayContaining(['DRS_EVALUATION', 'LOGIN_SUCCESS']));
    expect([...types].sort()).toEqual(['DRS_EVALUATION', 'LOGIN_SUCCESS']);
    for (const row of audit) {
      expect(row, row.event_type).toMatchObject({
        cupid: 'CUPID_SIMPLE_001',
        correlation_id: res.correlationId,
        ip_address: '127.0.0.1',
        user_agent: USER_AGENT,
      });
    }
    const success = audit.find((r) => r.event_type === 'LOGIN_SUCCESS');
    expect(success.session_id).toBe(session.session_id);
    const evaluation = audit.find((r) => r.event_type === 'DRS_EVALUATION');
    expect(evaluation.event_data).toMatchObject({ recommendation: 'ALLOW', risk_score: 20, evaluation_id: drs[0].evaluation_id });
  });

  it('calls no DRS and writes no DRS row without a drs_action_token', async () => {
    const res = await j.login('simpleuser');
    expectTokens(res, 201);
    const contextId = res.body.context_id;
    expect(await j.drs(contextId)).toHaveLength(0);
    expect(await j.journey(contextId)).toMatchObject({ auth_outcome: 'SUCCESS', device_fingerprint: null, app_id: 'web-banking' });
    expect(await j.auditTypes(contextId)).toEqual(['LOGIN_SUCCESS']);
    await expectSessionFor(j, contextId, res);
  });

  it('treats any other action token as ALLOW with risk 25 and a device id derived from the token', async () => {
    const token = 'opaque-sdk-token-123';
    const res = await j.login('simpleuser', { drsActionToken: token });
    expectTokens(res, 201);
    const [drs] = await j.drs(res.body.context_id);
    expect(drs).toMatchObject({ recommendation: 'ALLOW', risk_score: 25, action_token_hash: sha256Hex(token) });
    expect(drs.device_id).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes no device identity from the device_fingerprint field (a client claim grants nothing)', async () => {
    const res = await j.login('simpleuser', { deviceFingerprint: 'browser-fp-42' });
    expectTokens(res, 201);
    expect((await j.journey(res.body.context_id)).device_fingerprint).toBeNull();
  });

  it('opens one session per login: two logins, two sessions with distinct tokens', async () => {
    const a = await j.login('simpleuser');
    const b = await j.login('simpleuser');
    expectTokens(a, 201);
    expectTokens(b, 201);
    expect(a.body.context_id).not.toBe(b.body.context_id);
    expect(a.body.access_token).not.toBe(b.body.access_token);
    expect(a.refreshToken).not.toBe(b.refreshToken);
    const [sa] = await j.sessions(a.body.context_id);
    const [sb] = await j.sessions(b.body.context_id);
    expect(sa.session_id).not.toBe(sb.session_id);
  });
});
