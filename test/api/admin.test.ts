import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditTypes, insertTrustedDevice, openTestSession, refreshCookie, revokeSession, tokenRows } from '../support/sessions.js';
import { AGENT_ID, AGENT_SECRET, GATEWAY_KEY, useTestApp } from '../support/test-app.js';
import { startWorkforceIdp, type WorkforceIdp } from '../support/workforce-idp.js';

let idp: WorkforceIdp;
beforeAll(async () => {
  idp = await startWorkforceIdp();
});
afterAll(async () => {
  await idp.close();
});
const t = useTestApp(() => ({ CIAM_AGENT_JWKS_URL: idp.jwksUrl, CIAM_AGENT_ISSUER: idp.issuer, CIAM_AGENT_AUDIENCE: idp.audience }));

const agent = { authorization: `Bearer ${AGENT_SECRET}` };

describe('agent API', () => {
  it('walkthrough 7: an agent revokes a session; its tokens die and its refresh cookie fails', async () => {
    const s = await openTestSession(t);
    const res = await revokeSession(t, { session_id: s.sessionId, reason: 'customer reported a stolen phone' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, session_id: s.sessionId, tokens_revoked: 3 });

    const { rows } = await t.db.query('SELECT status, revoked_by, revocation_reason, revoked_at FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]).toMatchObject({ status: 'REVOKED', revoked_by: AGENT_ID, revocation_reason: 'customer reported a stolen phone' });
    expect(rows[0]!.revoked_at).toBeInstanceOf(Date);
    const tokens = await tokenRows(t, s.sessionId);
    expect(tokens).toHaveLength(3);
    expect(tokens.every((r) => r.status === 'REVOKED' && r.revoked_at)).toBe(true);

    const { rows: audit } = await t.db.query(
      `SELECT severity::text, event_data FROM audit_logs WHERE session_id = $1 AND event_type = 'SESSION_REVOKED'`,
      [s.sessionId],
    );
    expect(audit).toEqual([
      { severity: 'WARN', event_data: expect.objectContaining({ revoked_by: AGENT_ID, agent_id: AGENT_ID, reason: 'customer reported a stolen phone', tokens_revoked: 3 }) },
    ]);

    const refresh = await t.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(s.refreshToken) });
    expect(refresh.statusCode).toBe(401);
    const verify = await t.call({ method: 'POST', url: '/auth/token/verify', headers: { 'x-api-key': GATEWAY_KEY }, payload: { token: s.accessToken } });
    expect(verify.json()).toEqual({ active: false });

    // Revoking again changes nothing and keeps the first agent's record.
    const again = await revokeSession(t, { session_id: s.sessionId, reason: 'again' });
    expect(again.json()).toEqual({ success: true, session_id: s.sessionId, tokens_revoked: 0 });
  });

  it('takes revoked_by from the credential, never from the body', async () => {
    const s = await openTestSession(t);
    const res = await revokeSession(t, { session_id: s.sessionId, reason: 'fraud', revoked_by: 'someone-else' });
    // The unknown body field is ignored: the session is revoked by the authenticated agent.
    expect(res.statusCode).toBe(200);
    const { rows } = await t.db.query('SELECT revoked_by FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]!.revoked_by).toBe(AGENT_ID);
    const unknown = await revokeSession(t, { session_id: crypto.randomUUID(), reason: 'fraud' });
    expect(unknown.statusCode).toBe(404);
  });

  it('refuses callers without an agent credential, with a customer token, or with the wrong key', async () => {
    const s = await openTestSession(t);
    const url = `/admin/customers/${s.cupid}/sessions`;
    for (const headers of [{}, { authorization: `Bearer ${s.accessToken}` }, { authorization: `Bearer ${s.idToken}` }, { authorization: 'Bearer wrong-secret-wrong-secret' }, { authorization: AGENT_SECRET }]) {
      const res = await t.call({ method: 'GET', url, headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error_code: 'CIAM_E00_00_002' });
    }
    const revoke = await revokeSession(t, { session_id: s.sessionId, reason: 'self' }, `Bearer ${s.accessToken}`);
    expect(revoke.statusCode).toBe(401);
    const { rows } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]?.status).toBe('ACTIVE');
  });

  it('accepts a workforce JWT with the agent role; without the role → 403; foreign or expired → 401', async () => {
    const s = await openTestSession(t);
    const url = `/admin/customers/${s.cupid}/sessions`;
    const withRole = await idp.sign({ sub: 'jane.doe', roles: ['ciam-agent'] });
    const ok = await t.call({ method: 'GET', url, headers: { authorization: `Bearer ${withRole}` } });
    expect(ok.statusCode).toBe(200);

    const noRole = await idp.sign({ sub: 'jane.doe', roles: ['helpdesk'] });
    const forbidden = await t.call({ method: 'GET', url, headers: { authorization: `Bearer ${noRole}` } });
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json()).toEqual({ error_code: 'CIAM_E00_00_003' });

    for (const jwt of [
      await idp.sign({ sub: 'jane.doe', roles: ['ciam-agent'] }, { key: 'stranger' }),
      await idp.sign({ sub: 'jane.doe', roles: ['ciam-agent'] }, { expiresAt: Math.floor(Date.now() / 1000) - 60 }),
    ]) {
      const res = await t.call({ method: 'GET', url, headers: { authorization: `Bearer ${jwt}` } });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error_code: 'CIAM_E00_00_002' });
    }

    const revoke = await revokeSession(t, { session_id: s.sessionId, reason: 'account takeover' }, `Bearer ${withRole}`);
    expect(revoke.statusCode).toBe(200);
    const { rows } = await t.db.query('SELECT revoked_by FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]?.revoked_by).toBe('jane.doe');
  });

  it("lists a customer's sessions, revokes them all, and lists and revokes devices", async () => {
    const cupid = `CUPID_AG_${Date.now()}`;
    const a = await openTestSession(t, { cupid });
    const b = await openTestSession(t, { cupid });
    const other = await openTestSession(t, { cupid: `${cupid}_X` });
    const list = await t.call({ method: 'GET', url: `/admin/customers/${cupid}/sessions?reason=customer%20call`, headers: agent });
    expect(list.statusCode).toBe(200);
    const sessions = list.json().sessions as Record<string, unknown>[];
    expect(sessions.map((s) => s.session_id).sort()).toEqual([a.sessionId, b.sessionId].sort());
    expect(sessions[0]).toMatchObject({ active_token_count: 3, has_active_access_token: true, has_active_refresh_token: true });

    const all = await t.call({ method: 'POST', url: `/admin/customers/${cupid}/sessions/revoke`, headers: agent, payload: { reason: 'all devices lost' } });
    expect(all.json()).toEqual({ success: true, cupid, sessions_revoked: 2, tokens_revoked: 6 });
    const { rows } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [other.sessionId]);
    expect(rows[0]?.status).toBe('ACTIVE');

    const device = await insertTrustedDevice(t, cupid);
    const devices = await t.call({ method: 'GET', url: `/admin/customers/${cupid}/devices`, headers: agent });
    expect(devices.json().devices).toEqual([expect.objectContaining({ device_id: device, status: 'ACTIVE' })]);
    const revoke = await t.call({ method: 'POST', url: '/admin/devices/revoke', headers: agent, payload: { device_id: device, reason: 'lost laptop' } });
    expect(revoke.json()).toEqual({ success: true, device_id: device, status: 'REVOKED' });
    expect((await t.call({ method: 'GET', url: `/admin/customers/${cupid}/devices`, headers: agent })).json().devices).toEqual([]);
    const withRevoked = await t.call({ method: 'GET', url: `/admin/customers/${cupid}/devices?include_revoked=true`, headers: agent });
    expect(withRevoked.json().devices).toHaveLength(1);

    const { rows: audit } = await t.db.query<{ event_type: string; event_data: Record<string, unknown> }>(
      `SELECT event_type, event_data FROM audit_logs WHERE cupid = $1 AND event_type IN ('AGENT_ACCESS', 'DEVICE_REVOKED') ORDER BY created_at`,
      [cupid],
    );
    expect(audit.map((r) => r.event_type)).toEqual(['AGENT_ACCESS', 'AGENT_ACCESS', 'DEVICE_REVOKED', 'AGENT_ACCESS', 'AGENT_ACCESS']);
    expect(audit[0]!.event_data).toMatchObject({ agent_id: AGENT_ID, action: 'list_sessions', reason: 'customer call' });
    expect(audit[2]!.event_data).toMatchObject({ agent_id: AGENT_ID, revoked_by: AGENT_ID, reason: 'lost laptop' });
    expect(await auditTypes(t, a.sessionId)).toContain('SESSION_REVOKED');
  });

  it("pages through a customer's audit timeline, newest first, within a time range", async () => {
    const cupid = `CUPID_TL_${Date.now()}`;
    for (let i = 0; i < 5; i++) await openTestSession(t, { cupid });
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const url: string = `/admin/customers/${cupid}/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await t.call({ method: 'GET', url, headers: agent });
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.events.map((e: { audit_id: string }) => e.audit_id));
      const times = body.events.map((e: { created_at: string }) => e.created_at);
      expect([...times].sort().reverse()).toEqual(times);
      cursor = body.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    // Five LOGIN_SUCCESS rows, plus the AGENT_ACCESS rows of the pages already read.
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(5);

    const future = await t.call({ method: 'GET', url: `/admin/customers/${cupid}/audit?from=2999-01-01T00:00:00Z`, headers: agent });
    expect(future.json()).toEqual({ cupid, events: [], next_cursor: null });
    expect((await t.call({ method: 'GET', url: `/admin/customers/${cupid}/audit?cursor=bogus`, headers: agent })).statusCode).toBe(400);
    expect((await t.call({ method: 'GET', url: `/admin/customers/${cupid}/audit?limit=0`, headers: agent })).statusCode).toBe(400);
  });

  it('lists high-risk logins and recent job runs', async () => {
    const cupid = `CUPID_RISK_${Date.now()}`;
    const { rows } = await t.db.query<{ context_id: string }>(
      `INSERT INTO auth_contexts (cupid, app_id, app_version, ip_address, auth_outcome, completed_at)
       VALUES ($1, 'web', '1', '203.0.113.9', 'FAILED', now()) RETURNING context_id`,
      [cupid],
    );
    await t.db.query(
      `INSERT INTO drs_evaluations (context_id, cupid, action_token_hash, recommendation, risk_score, signals, raw_response)
       VALUES ($1, $2, repeat('a', 64), 'DENY', 95, '[{"type":"BOT","severity":"HIGH","description":"automation"}]', '{}')`,
      [rows[0]!.context_id, cupid],
    );
    const res = await t.call({ method: 'GET', url: '/admin/high-risk-logins?limit=5', headers: agent });
    expect(res.statusCode).toBe(200);
    expect(res.json().logins[0]).toMatchObject({ cupid, risk_score: 95, recommendation: 'DENY', ip_address: '203.0.113.9', auth_outcome: 'FAILED' });

    await t.db.query(`INSERT INTO job_runs (job_name, duration_ms, rows_changed) VALUES ('expire_sessions', 12, 3)`);
    const runs = await t.call({ method: 'GET', url: '/admin/jobs/runs?job_name=expire_sessions', headers: agent });
    expect(runs.statusCode).toBe(200);
    expect(runs.json().runs[0]).toMatchObject({ job_name: 'expire_sessions', rows_changed: 3 });
  });
});
