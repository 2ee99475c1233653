import { describe, expect, it } from 'vitest';
import { tokenHash } from '../../src/session/token-values.js';
import { auditTypes, openTestSession, refreshCookie, refreshTokenSet, tokenRows } from '../support/sessions.js';
import { GATEWAY_KEY, startTestApp, useTestApp } from '../support/test-app.js';

const SECOND_KEY = 'second-gateway-key-0002';
const t = useTestApp({ CIAM_GATEWAY_API_KEY: `${GATEWAY_KEY},${SECOND_KEY}`, CIAM_CLIENT_SCOPES: 'web-banking:openid profile accounts:read' });

const verify = (token: unknown, extra: Record<string, unknown> = {}, key: string | null = GATEWAY_KEY) =>
  t.call({ method: 'POST', url: '/auth/token/verify', headers: key === null ? {} : { 'x-api-key': key }, payload: { token, ...extra } });

describe('POST /auth/logout', () => {
  it('ends the session of the refresh cookie, revokes its tokens, clears the cookie; twice is fine', async () => {
    const s = await openTestSession(t);
    const res = await t.call({ method: 'POST', url: '/auth/logout', headers: refreshCookie(s.refreshToken) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ success: true, message: 'Logout successful' });
    expect(String(res.headers['set-cookie'])).toBe('refresh_token=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0');

    const { rows } = await t.db.query('SELECT status, ended_at, revoked_at FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]).toMatchObject({ status: 'LOGGED_OUT', revoked_at: null });
    expect(rows[0]!.ended_at).toBeInstanceOf(Date);
    expect((await tokenRows(t, s.sessionId)).every((r) => r.status === 'REVOKED' && r.revoked_at)).toBe(true);
    expect(await auditTypes(t, s.sessionId)).toEqual(['LOGIN_SUCCESS', 'SESSION_LOGGED_OUT']);

    const again = await t.call({ method: 'POST', url: '/auth/logout', headers: refreshCookie(s.refreshToken) });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual({ success: true, message: 'Logout successful' });
    expect(await auditTypes(t, s.sessionId)).toEqual(['LOGIN_SUCCESS', 'SESSION_LOGGED_OUT']);
    expect((await t.call({ method: 'POST', url: '/auth/logout' })).statusCode).toBe(200);
  });

  it('accepts the bearer access token instead of the cookie', async () => {
    const s = await openTestSession(t);
    const res = await t.call({ method: 'POST', url: '/auth/logout', headers: { authorization: `Bearer ${s.accessToken}` } });
    expect(res.statusCode).toBe(200);
    const { rows } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(rows[0]?.status).toBe('LOGGED_OUT');
    expect((await t.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(s.refreshToken) })).statusCode).toBe(401);
  });
});

describe('POST /auth/token/verify', () => {
  it('says active with expires_in for a live access token, and inactive for anything else', async () => {
    const s = await openTestSession(t);
    const live = await verify(s.accessToken);
    expect(live.statusCode).toBe(200);
    const body = live.json();
    expect(body.active).toBe(true);
    expect(body.expires_in).toBeGreaterThan(890);
    expect(body.expires_in).toBeLessThanOrEqual(900);

    expect((await verify('not-a-token')).json()).toEqual({ active: false });
    expect((await verify(s.refreshToken)).json()).toEqual({ active: false });
    expect((await verify(s.idToken)).json()).toEqual({ active: false });
  });

  it('accepts every configured key and refuses a missing or wrong one with CIAM_E04_00_010', async () => {
    const s = await openTestSession(t);
    expect((await verify(s.accessToken, {}, SECOND_KEY)).json().active).toBe(true);
    for (const key of [null, 'wrong-key-wrong-key', `${GATEWAY_KEY}x`, '']) {
      const res = await verify(s.accessToken, {}, key);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error_code: 'CIAM_E04_00_010' });
    }
    // Unauthenticated callers are refused before their body is even looked at.
    expect((await verify(undefined, {}, null)).statusCode).toBe(401);
  });

  it('a key rotated out of the configuration no longer works', async () => {
    const rotated = await startTestApp({ CIAM_GATEWAY_API_KEY: SECOND_KEY });
    try {
      const s = await openTestSession(rotated);
      const call = (key: string) =>
        rotated.call({ method: 'POST', url: '/auth/token/verify', headers: { 'x-api-key': key }, payload: { token: s.accessToken } });
      expect((await call(GATEWAY_KEY)).statusCode).toBe(401);
      expect((await call(SECOND_KEY)).json().active).toBe(true);
    } finally {
      await rotated.close();
    }
  });

  it('refuses a body without a token with 400 CIAM_E01_05_001', async () => {
    const res = await t.call({ method: 'POST', url: '/auth/token/verify', headers: { 'x-api-key': GATEWAY_KEY }, payload: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('CIAM_E01_05_001');
    expect((await verify(42)).statusCode).toBe(400);
  });

  it('is active only when the token carries every requested scope', async () => {
    const s = await openTestSession(t);
    expect((await verify(s.accessToken, { scopes: [] })).json().active).toBe(true);
    expect((await verify(s.accessToken, { scopes: ['openid', 'accounts:read'] })).json().active).toBe(true);
    expect((await verify(s.accessToken, { scopes: ['openid', 'payments:write'] })).json()).toEqual({ active: false });
  });

  it('is inactive on the very next call after a rotation, a logout, a revocation or an expiry', async () => {
    const rotated = await openTestSession(t);
    const r = await t.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(rotated.refreshToken) });
    expect((await verify(rotated.accessToken)).json()).toEqual({ active: false });
    expect((await verify(r.json().access_token)).json().active).toBe(true);
    expect(refreshTokenSet(r)).toBeDefined();

    const out = await openTestSession(t);
    expect((await verify(out.accessToken)).json().active).toBe(true);
    await t.call({ method: 'POST', url: '/auth/logout', headers: refreshCookie(out.refreshToken) });
    expect((await verify(out.accessToken)).json()).toEqual({ active: false });

    const revoked = await openTestSession(t);
    await t.services.sessions.revoke(revoked.sessionId, {
      revokedBy: 'agent-x',
      reason: 'test',
      origin: { correlationId: crypto.randomUUID(), ipAddress: '127.0.0.1' },
    });
    expect((await verify(revoked.accessToken)).json()).toEqual({ active: false });

    const expired = await openTestSession(t);
    await t.db.query(`UPDATE tokens SET expires_at = now() - interval '1 second' WHERE token_value_hash = $1`, [tokenHash(expired.accessToken)]);
    expect((await verify(expired.accessToken)).json()).toEqual({ active: false });

    const sessionExpired = await openTestSession(t);
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [sessionExpired.sessionId]);
    expect((await verify(sessionExpired.accessToken)).json()).toEqual({ active: false });
  });

  it('answers each of many concurrent calls for its own token (lookups sent together)', async () => {
    const live = await Promise.all(Array.from({ length: 6 }, () => openTestSession(t)));
    const dead = await Promise.all(Array.from({ length: 6 }, () => openTestSession(t)));
    for (const s of dead) await t.call({ method: 'POST', url: '/auth/logout', headers: refreshCookie(s.refreshToken) });
    const calls = [
      ...live.map((s) => ({ token: s.accessToken, active: true })),
      ...live.map((s) => ({ token: s.accessToken, active: true })),
      ...dead.map((s) => ({ token: s.accessToken, active: false })),
      ...live.map((s) => ({ token: s.refreshToken, active: false })),
    ];
    const answers = await Promise.all(calls.map((c) => verify(c.token)));
    expect(answers.map((a) => a.json().active)).toEqual(calls.map((c) => c.active));
  });
});
