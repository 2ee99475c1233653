import { describe, expect, it } from 'vitest';
import { auditTypes, insertTrustedDevice, openTestSession, tokenRows } from '../support/sessions.js';
import { useTestApp } from '../support/test-app.js';

const t = useTestApp();

const as = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });

describe("a customer's own sessions and devices", () => {
  it('lists my active sessions with the current one marked', async () => {
    const cupid = `CUPID_ME_${Date.now()}`;
    const phone = await openTestSession(t, { cupid });
    const laptop = await openTestSession(t, { cupid });
    await openTestSession(t, { cupid: `${cupid}_OTHER` });
    const res = await t.call({ method: 'GET', url: '/me/sessions', headers: as(laptop.accessToken) });
    expect(res.statusCode).toBe(200);
    const sessions = res.json().sessions as { session_id: string; current: boolean }[];
    expect(sessions.map((s) => s.session_id).sort()).toEqual([phone.sessionId, laptop.sessionId].sort());
    expect(sessions.find((s) => s.current)?.session_id).toBe(laptop.sessionId);
  });

  it('needs a live access token: missing → CIAM_E04_00_006, invalid → CIAM_E04_00_007', async () => {
    expect((await t.call({ method: 'GET', url: '/me/sessions' })).json()).toEqual({ error_code: 'CIAM_E04_00_006' });
    const bad = await t.call({ method: 'GET', url: '/me/sessions', headers: as('nope') });
    expect(bad.statusCode).toBe(401);
    expect(bad.json()).toEqual({ error_code: 'CIAM_E04_00_007' });
  });

  it('ends one of my sessions, but answers 404 and touches nothing for another customer\'s', async () => {
    const cupid = `CUPID_ME2_${Date.now()}`;
    const mine = await openTestSession(t, { cupid });
    const other = await openTestSession(t, { cupid });
    const stranger = await openTestSession(t, { cupid: `${cupid}_STRANGER` });

    const foreign = await t.call({ method: 'DELETE', url: `/me/sessions/${stranger.sessionId}`, headers: as(mine.accessToken) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toEqual({ error_code: 'CIAM_E00_00_004' });
    const { rows: s1 } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [stranger.sessionId]);
    expect(s1[0]?.status).toBe('ACTIVE');
    expect(await auditTypes(t, stranger.sessionId)).toEqual(['LOGIN_SUCCESS']);

    const res = await t.call({ method: 'DELETE', url: `/me/sessions/${other.sessionId}`, headers: as(mine.accessToken) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, session_id: other.sessionId, tokens_revoked: 3 });
    const { rows: s2 } = await t.db.query('SELECT status, revoked_by FROM sessions WHERE session_id = $1', [other.sessionId]);
    expect(s2[0]).toEqual({ status: 'REVOKED', revoked_by: 'CUSTOMER' });
    expect((await tokenRows(t, other.sessionId)).every((r) => r.status === 'REVOKED')).toBe(true);
    expect(await auditTypes(t, other.sessionId)).toContain('SESSION_REVOKED');

    expect((await t.call({ method: 'DELETE', url: '/me/sessions/not-a-uuid', headers: as(mine.accessToken) })).statusCode).toBe(400);
  });

  it('signs out everywhere else and keeps the current session', async () => {
    const cupid = `CUPID_ME3_${Date.now()}`;
    const current = await openTestSession(t, { cupid });
    const a = await openTestSession(t, { cupid });
    const b = await openTestSession(t, { cupid });
    const stranger = await openTestSession(t, { cupid: `${cupid}_X` });
    const res = await t.call({ method: 'POST', url: '/me/sessions/revoke-others', headers: as(current.accessToken) });
    expect(res.json()).toEqual({ success: true, sessions_revoked: 2, tokens_revoked: 6 });
    const { rows } = await t.db.query<{ session_id: string; status: string }>(
      'SELECT session_id, status FROM sessions WHERE session_id = ANY($1::uuid[])',
      [[current.sessionId, a.sessionId, b.sessionId, stranger.sessionId]],
    );
    const status = Object.fromEntries(rows.map((r) => [r.session_id, r.status]));
    expect(status).toEqual({ [current.sessionId]: 'ACTIVE', [a.sessionId]: 'REVOKED', [b.sessionId]: 'REVOKED', [stranger.sessionId]: 'ACTIVE' });
  });

  it('lists and revokes my trusted devices, never another customer\'s', async () => {
    const cupid = `CUPID_ME4_${Date.now()}`;
    const me = await openTestSession(t, { cupid });
    const mine = await insertTrustedDevice(t, cupid, 'My laptop');
    const theirs = await insertTrustedDevice(t, `${cupid}_X`, 'Their phone');

    const list = await t.call({ method: 'GET', url: '/me/devices', headers: as(me.accessToken) });
    expect(list.statusCode).toBe(200);
    expect(list.json().devices).toEqual([expect.objectContaining({ device_id: mine, device_name: 'My laptop', status: 'ACTIVE' })]);
    expect(list.json().devices[0]).not.toHaveProperty('device_fingerprint');

    const foreign = await t.call({ method: 'DELETE', url: `/me/devices/${theirs}`, headers: as(me.accessToken) });
    expect(foreign.statusCode).toBe(404);
    const { rows: untouched } = await t.db.query('SELECT status FROM trusted_devices WHERE device_id = $1', [theirs]);
    expect(untouched[0]?.status).toBe('ACTIVE');

    const res = await t.call({ method: 'DELETE', url: `/me/devices/${mine}`, headers: as(me.accessToken) });
    expect(res.json()).toEqual({ success: true, device_id: mine, status: 'REVOKED' });
    const { rows } = await t.db.query('SELECT status, revoked_at FROM trusted_devices WHERE device_id = $1', [mine]);
    expect(rows[0]?.status).toBe('REVOKED');
    const { rows: audit } = await t.db.query(
      `SELECT event_data FROM audit_logs WHERE event_type = 'DEVICE_REVOKED' AND cupid = $1`,
      [cupid],
    );
    expect(audit[0]?.event_data).toMatchObject({ device_id: mine, revoked_by: 'CUSTOMER' });
    expect((await t.call({ method: 'GET', url: '/me/devices', headers: as(me.accessToken) })).json().devices).toEqual([]);
  });
});
