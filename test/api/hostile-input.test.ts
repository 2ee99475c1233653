import { describe, expect, it } from 'vitest';
import { CUPIDS, PASSWORD, type Reply, useJourneyApp } from '../support/journey-client.js';
import { openTestSession, refreshCookie } from '../support/sessions.js';
import { AGENT_SECRET, GATEWAY_KEY } from '../support/test-app.js';

/**
 * Input that the schema admits by type but PostgreSQL would refuse (NUL, lone surrogates, years
 * and offsets out of its range, junk cursors) is refused at the edge: 400 CIAM_E01_05_001 naming
 * the field — never a 503, which would blame a dependency for the caller's input.
 */

const { t, j } = useJourneyApp();

const agent = { authorization: `Bearer ${AGENT_SECRET}` };
const CUPID = CUPIDS.simpleuser;
const junkCursor = Buffer.from(`0|${'-'.repeat(36)}`).toString('base64url');

function expectFieldError(res: Reply, field: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toMatchObject({ error_code: 'CIAM_E01_05_001', field });
}

describe('text that PostgreSQL cannot store is refused with the field named', () => {
  it.each([
    ['device_fingerprint', { device_fingerprint: 'fp\u0000nul' }, '/device_fingerprint'],
    ['device_fingerprint', { device_fingerprint: 'fp\ud800' }, '/device_fingerprint'],
    ['drs_action_token', { drs_action_token: 'sim:allow:\u0000' }, '/drs_action_token'],
    ['drs_action_token', { drs_action_token: 'sim:allow:\udfff' }, '/drs_action_token'],
    ['transmit_aid', { transmit_aid: 'aid\u0007' }, '/transmit_aid'],
    ['username', { username: 'simple\u0000user' }, '/username'],
  ])('login %s: %j', async (_name, extra, field) => {
    const res = await j.send({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid', ...extra },
    });
    expectFieldError(res, field);
    expect(await j.auditByCorrelation(res.correlationId)).toEqual([]);
  });

  it.each([
    ['x-app-id', { 'x-app-id': 'app\u0000' }],
    ['x-app-version', { 'x-app-version': '1.0\ud800' }],
    ['user-agent', { 'user-agent': 'Mozilla\u0000/5.0' }],
    ['user-agent', { 'user-agent': 'Mozilla/5.0 \u2603' }],
    ['x-correlation-id', { 'x-correlation-id': 'not-a-uuid' }],
  ])('a stored header with what HTTP never carries: %s', async (field, headers) => {
    const res = await t.call({
      method: 'POST',
      url: '/auth/login',
      headers,
      payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid' },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error_code: 'CIAM_E01_05_001', field });
  });

  it('an eSign acceptance_ip with a NUL on a live eSign step', async () => {
    const { verified } = await j.passMfaBySms('esignuser');
    expect(verified.body.response_type_code).toBe('ESIGN_REQUIRED');
    const { context_id, transaction_id, esign_document_id } = verified.body;
    const res = await j.accept(context_id, transaction_id, esign_document_id, { acceptance_ip: '10.0.0.1\u0000' });
    expectFieldError(res, '/acceptance_ip');
    // The step is still open: the refusal did no work.
    expect(await j.step(transaction_id)).toMatchObject({ transaction_status: 'PENDING' });
    const ok = await j.accept(context_id, transaction_id, esign_document_id, { acceptance_ip: '10.0.0.1' });
    expect([200, 201], JSON.stringify(ok.body)).toContain(ok.status);
  });

  it.each([
    ['GET', `/admin/customers/${encodeURIComponent('CUPID\u0000X')}/sessions`, undefined, 'cupid'],
    ['GET', `/admin/customers/${CUPID}/sessions?reason=${encodeURIComponent('why\u0000not')}`, undefined, 'reason'],
    ['GET', `/admin/customers/${CUPID}/devices?reason=${encodeURIComponent('bad\u001bcolour')}`, undefined, 'reason'],
    ['POST', `/admin/customers/${CUPID}/sessions/revoke`, { reason: 'lost phone\u0000' }, '/reason'],
    ['POST', `/admin/customers/${CUPID}/sessions/revoke`, { reason: 'lost phone\ud800' }, '/reason'],
    ['GET', `/admin/jobs/runs?job_name=${encodeURIComponent('purge\u0000')}`, undefined, 'job_name'],
  ])('agent API %s %s', async (method, url, payload, field) => {
    const res = await j.send({ method: method as 'GET' | 'POST', url, headers: agent, ...(payload ? { payload } : {}) });
    expectFieldError(res, field);
  });

  it('a nested field is named by its JSON pointer', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/auth/token/verify',
      headers: { 'x-api-key': GATEWAY_KEY },
      payload: { token: 'not-a-token', scopes: ['openid', 'profile\u0000'] },
    });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toEqual({ error_code: 'CIAM_E01_05_001', field: '/scopes/1' });
  });

  it('an agent revoking a session with a NUL in the reason', async () => {
    const s = await openTestSession(t);
    const res = await j.send({ method: 'POST', url: '/admin/sessions/revoke', headers: agent, payload: { session_id: s.sessionId, reason: 'stolen\u0000' } });
    expectFieldError(res, '/reason');
    const { rows } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]!.status).toBe('ACTIVE');
  });
});

describe('paths the router refuses answer in the error shape too', () => {
  it.each([
    ['a path parameter over the router\'s length limit', `/admin/customers/${'x'.repeat(150)}/sessions`],
    ['a lone surrogate, percent-encoded as invalid UTF-8', '/auth/esign/documents/%ED%A0%80'],
    ['a broken percent-encoding', '/auth/esign/documents/%E0%A4%A'],
  ])('%s', async (_name, url) => {
    const res = await t.call({ method: 'GET', url, headers: agent });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toEqual({ error_code: 'CIAM_E01_05_001' });
  });
});

describe('dates PostgreSQL cannot store, and cursors this service did not make', () => {
  const pages = [`/admin/customers/${CUPID}/audit`, '/admin/high-risk-logins'];
  it.each(
    pages.flatMap((page) => [
      [page, 'from', '0000-01-01T00:00:00Z'],
      [page, 'to', '0000-01-01T00:00:00Z'],
      [page, 'from', '2024-01-01T00:00:00+20:00'],
      [page, 'to', '2024-06-30T12:00:00-16:00'],
      [page, 'cursor', junkCursor],
      [page, 'cursor', Buffer.from(`2024-01-01T00:00:00Z|${'g'.repeat(36)}`).toString('base64url')],
      [page, 'cursor', Buffer.from('junk').toString('base64url')],
    ]),
  )('%s ?%s=%s', async (page, name, value) => {
    const res = await j.send({ method: 'GET', url: `${page}?${name}=${encodeURIComponent(value)}`, headers: agent });
    expectFieldError(res, name);
  });

  it('ordinary dates and the cursor the service handed out still work', async () => {
    for (const q of ['from=2020-01-01T00:00:00Z&to=2999-12-31T23:59:59.999999Z', 'from=2024-01-01T00:00:00%2B14:00', 'limit=1']) {
      const res = await j.send({ method: 'GET', url: `/admin/customers/${CUPID}/audit?${q}`, headers: agent });
      expect(res.status, `${q}: ${JSON.stringify(res.body)}`).toBe(200);
    }
    await openTestSession(t);
    await openTestSession(t);
    const first = await j.send({ method: 'GET', url: `/admin/customers/${CUPID}/audit?limit=1`, headers: agent });
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const next = await j.send({ method: 'GET', url: `/admin/customers/${CUPID}/audit?limit=1&cursor=${first.body.next_cursor}`, headers: agent });
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.events[0].audit_id).not.toBe(first.body.events[0].audit_id);
  });
});

describe('tolerant reader: what the contract does not forbid is accepted', () => {
  it('POST /auth/refresh with content-type application/json and no body', async () => {
    const s = await openTestSession(t);
    const res = await t.call({
      method: 'POST',
      url: '/auth/refresh',
      headers: { 'content-type': 'application/json', ...refreshCookie(s.refreshToken) },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().access_token).toEqual(expect.any(String));
  });

  it('POST /auth/logout with content-type application/json and no body', async () => {
    const s = await openTestSession(t);
    const res = await t.call({
      method: 'POST',
      url: '/auth/logout',
      headers: { 'content-type': 'application/json', ...refreshCookie(s.refreshToken) },
    });
    expect(res.statusCode, res.body).toBe(200);
    const { rows } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]!.status).toBe('LOGGED_OUT');
  });

  it('an operation with a body still refuses an empty one', async () => {
    const res = await t.call({ method: 'POST', url: '/auth/login', headers: { 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('CIAM_E01_05_001');
  });

  it('POST /auth/login with app_id and app_version in the body: accepted, neither stored nor acted on', async () => {
    const res = await j.send(
      {
        method: 'POST',
        url: '/auth/login',
        payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid', app_id: 'body-app-id', app_version: '9.9.9-body' },
      },
      { headers: { 'x-app-id': 'header-app', 'x-app-version': '2.0.0' } },
    );
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const journey = await j.journey(res.body.context_id);
    expect(journey).toMatchObject({ app_id: 'header-app', app_version: '2.0.0' });
    const audit = await j.audit(res.body.context_id);
    expect(JSON.stringify(audit)).not.toContain('body-app-id');
    expect(JSON.stringify(audit)).not.toContain('9.9.9-body');
  });

  it('the push poll with transaction_id and method beside context_id', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const push = await j.sendPush(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    const res = await j.send({
      method: 'POST',
      url: `/auth/mfa/transactions/${push.transactionId}`,
      payload: { context_id: mfa.context_id, transaction_id: push.transactionId, method: 'push' },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.response_type_code).toBe('MFA_PENDING');
  });

  it('an extra field never reaches the handler: a forged cupid does not change who logs in', async () => {
    const res = await j.send({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid', cupid: CUPIDS.mfauser },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await j.journey(res.body.context_id)).cupid).toBe(CUPIDS.simpleuser);
  });

  it('wrong types and missing required fields still answer 400 naming the field', async () => {
    const wrongType = await j.send({ method: 'POST', url: '/auth/login', payload: { username: 'simpleuser', password: 5, transmit_aid: 'aid' } });
    expectFieldError(wrongType, '/password');
    const missing = await j.send({ method: 'POST', url: '/auth/login', payload: { username: 'simpleuser', password: PASSWORD } });
    expectFieldError(missing, '/transmit_aid');
  });
});
