import { describe, expect, it } from 'vitest';
import { tokenHash } from '../../src/session/token-values.js';
import { auditTypes, openTestSession, refreshCookie, refreshTokenSet, tokenRows } from '../support/sessions.js';
import { startTestApp, useTestApp } from '../support/test-app.js';
import { testEngine } from '../support/test-database.js';

const t = useTestApp();

const refresh = (token?: string) =>
  t.call({ method: 'POST', url: '/auth/refresh', headers: token === undefined ? {} : refreshCookie(token) });

describe('POST /auth/refresh', () => {
  it('walkthrough 6: rotates the refresh and access tokens and sets a new cookie', async () => {
    const s = await openTestSession(t);
    const res = await refresh(s.refreshToken);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({ success: true, access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
    expect(body.access_token).not.toBe(s.accessToken);

    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/^refresh_token=[A-Za-z0-9_-]{43}; HttpOnly; Secure; SameSite=Strict; Path=\/; Max-Age=2592000$/);
    const newRefresh = refreshTokenSet(res)!;
    expect(newRefresh).not.toBe(s.refreshToken);

    const rows = await tokenRows(t, s.sessionId);
    const byHash = (v: string) => rows.find((r) => r.token_value_hash === tokenHash(v))!;
    expect(byHash(s.refreshToken)).toMatchObject({ status: 'ROTATED', revoked_at: null });
    expect(byHash(s.refreshToken).rotated_at).toBeInstanceOf(Date);
    expect(byHash(s.accessToken)).toMatchObject({ status: 'ROTATED' });
    expect(byHash(newRefresh)).toMatchObject({ status: 'ACTIVE', token_type: 'REFRESH', parent_token_id: byHash(s.refreshToken).token_id });
    expect(byHash(body.access_token)).toMatchObject({ status: 'ACTIVE', token_type: 'ACCESS', parent_token_id: byHash(s.accessToken).token_id });
    expect(rows.filter((r) => r.status === 'ACTIVE').map((r) => r.token_type).sort()).toEqual(['ACCESS', 'ID', 'REFRESH']);
    expect(await auditTypes(t, s.sessionId)).toEqual(['LOGIN_SUCCESS', 'TOKEN_REFRESHED']);

    const session = await t.db.query('SELECT last_activity_at > created_at AS touched FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(session.rows[0]?.touched).toBe(true);

    // The new pair works in turn.
    const again = await refresh(newRefresh);
    expect(again.statusCode).toBe(200);
  });

  it('refreshes with the cookie a real login set (simpleuser)', async () => {
    const login = await t.call({
      method: 'POST',
      url: '/auth/login',
      payload: { username: 'simpleuser', password: 'SecurePass123!', transmit_aid: 'test' },
    });
    expect(login.statusCode).toBe(201);
    const cookie = refreshTokenSet(login)!;
    expect(cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await refresh(cookie);
    expect(res.statusCode).toBe(200);
    expect(refreshTokenSet(res)).not.toBe(cookie);
  });

  it('answers CIAM_E04_00_008 without a cookie and CIAM_E04_00_001 for an unknown token', async () => {
    expect((await refresh()).json()).toEqual({ error_code: 'CIAM_E04_00_008' });
    expect((await refresh()).statusCode).toBe(401);
    const unknown = await refresh('x'.repeat(43));
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json().error_code).toBe('CIAM_E04_00_001');
  });

  it('answers CIAM_E04_00_001 to a client other than the one the session was opened for, and rotates nothing', async () => {
    const s = await openTestSession(t);
    const other = await t.call({ method: 'POST', url: '/auth/refresh', headers: { ...refreshCookie(s.refreshToken), 'x-client-id': 'mobile-app' } });
    expect(other.statusCode).toBe(401);
    expect(other.json()).toEqual({ error_code: 'CIAM_E04_00_001' });
    const rows = await tokenRows(t, s.sessionId);
    expect(rows.find((r) => r.token_value_hash === tokenHash(s.refreshToken))?.status).toBe('ACTIVE');
    expect(await auditTypes(t, s.sessionId)).toEqual(['LOGIN_SUCCESS']);
    // The client it was issued to still refreshes with it.
    expect((await refresh(s.refreshToken)).statusCode).toBe(200);
  });

  it('answers CIAM_E04_00_002 for an expired refresh token', async () => {
    const s = await openTestSession(t);
    await t.db.query(`UPDATE tokens SET expires_at = now() - interval '1 second' WHERE token_value_hash = $1`, [tokenHash(s.refreshToken)]);
    const res = await refresh(s.refreshToken);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toMatchObject({ error_code: 'CIAM_E04_00_002', context_id: s.contextId });
  });

  it('answers CIAM_E04_00_004 when the session is no longer active and CIAM_E04_00_005 when it expired', async () => {
    const out = await openTestSession(t);
    await t.db.query(`UPDATE sessions SET status = 'LOGGED_OUT', ended_at = now() WHERE session_id = $1`, [out.sessionId]);
    expect((await refresh(out.refreshToken)).json().error_code).toBe('CIAM_E04_00_004');

    const old = await openTestSession(t);
    await t.db.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE session_id = $1`, [old.sessionId]);
    expect((await refresh(old.refreshToken)).json().error_code).toBe('CIAM_E04_00_005');
  });

  it('answers CIAM_E04_00_003 when the token\'s session cannot be read', async () => {
    const s = await openTestSession(t);
    // Orphan the token: remove its session with foreign-key enforcement (and its cascade) off.
    await t.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      await tx.query('DELETE FROM sessions WHERE session_id = $1', [s.sessionId]);
    });
    const res = await refresh(s.refreshToken);
    expect(res.statusCode).toBe(401);
    expect(res.json().error_code).toBe('CIAM_E04_00_003');
  });

  it('a rotated token presented after the grace window revokes the whole session (theft)', async () => {
    const s = await openTestSession(t);
    const first = await refresh(s.refreshToken);
    const current = refreshTokenSet(first)!;
    await t.db.query(`UPDATE tokens SET rotated_at = now() - interval '10 seconds' WHERE token_value_hash = $1`, [tokenHash(s.refreshToken)]);

    const reuse = await refresh(s.refreshToken);
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error_code).toBe('CIAM_E04_00_002');

    const session = await t.db.query('SELECT status, revoked_by, revocation_reason, revoked_at FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(session.rows[0]).toMatchObject({ status: 'REVOKED', revoked_by: 'SYSTEM', revocation_reason: 'refresh token reuse detected' });
    const rows = await tokenRows(t, s.sessionId);
    expect(rows.every((r) => r.status === 'REVOKED' && r.revoked_at !== null)).toBe(true);

    const { rows: audit } = await t.db.query(
      `SELECT event_category, severity::text, event_data FROM audit_logs WHERE session_id = $1 AND event_type = 'TOKEN_REUSE_DETECTED'`,
      [s.sessionId],
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ event_category: 'SECURITY', severity: 'CRITICAL' });
    expect(audit[0]!.event_data.chain).toHaveLength(2);

    // The thief's partner token is dead as well.
    expect((await refresh(current)).json().error_code).toBe('CIAM_E04_00_004');
  });

  it('with CIAM_REFRESH_GRACE_SECONDS=0 any second use of a rotated token is theft', async () => {
    const strict = await startTestApp({ CIAM_REFRESH_GRACE_SECONDS: '0' });
    try {
      const s = await openTestSession(strict);
      const call = (tok: string) => strict.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(tok) });
      expect((await call(s.refreshToken)).statusCode).toBe(200);
      expect((await call(s.refreshToken)).statusCode).toBe(401);
      const { rows } = await strict.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
      expect(rows[0]?.status).toBe('REVOKED');
    } finally {
      await strict.close();
    }
  });

  it('inside the grace window the previous token works once more, in the same chain', async () => {
    const s = await openTestSession(t);
    const tabA = await refresh(s.refreshToken);
    const tabB = await refresh(s.refreshToken);
    expect(tabA.statusCode).toBe(200);
    expect(tabB.statusCode).toBe(200);
    const a = refreshTokenSet(tabA)!;
    const b = refreshTokenSet(tabB)!;
    const rows = await tokenRows(t, s.sessionId);
    const byHash = (v: string) => rows.find((r) => r.token_value_hash === tokenHash(v))!;
    // Chain: original → a → b; only b is live.
    expect(byHash(a)).toMatchObject({ status: 'ROTATED', parent_token_id: byHash(s.refreshToken).token_id });
    expect(byHash(b)).toMatchObject({ status: 'ACTIVE', parent_token_id: byHash(a).token_id });
    expect(await auditTypes(t, s.sessionId)).toContain('TOKEN_REFRESH_GRACE');

    // Used once more already: a third use is refused, without alarm, and the customer stays logged in.
    const third = await refresh(s.refreshToken);
    expect(third.statusCode).toBe(401);
    const { rows: sess } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(sess[0]?.status).toBe('ACTIVE');
    expect((await refresh(b)).statusCode).toBe(200);
  });

  it('two tabs refreshing at the same instant both stay logged in', async () => {
    const s = await openTestSession(t);
    const [x, y] = await Promise.all([refresh(s.refreshToken), refresh(s.refreshToken)]);
    expect([x.statusCode, y.statusCode]).toEqual([200, 200]);
    const rows = await tokenRows(t, s.sessionId);
    expect(rows.filter((r) => r.token_type === 'REFRESH' && r.status === 'ACTIVE')).toHaveLength(1);
    const { rows: sess } = await t.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
    expect(sess[0]?.status).toBe('ACTIVE');
  });

  it(`a burst of refreshes for many sessions is answered one by one, each rotated and audited once (${testEngine()})`, async () => {
    const live = await Promise.all(Array.from({ length: 24 }, () => openTestSession(t)));
    const expired = await openTestSession(t);
    await t.db.query(`UPDATE tokens SET expires_at = now() - interval '1 second' WHERE token_value_hash = $1`, [tokenHash(expired.refreshToken)]);
    const ended = await openTestSession(t);
    await t.db.query(`UPDATE sessions SET status = 'LOGGED_OUT', ended_at = now() WHERE session_id = $1`, [ended.sessionId]);

    // All at once: the ordinary ones share batches, the others fall through to their own answers.
    const [answers, expiredAnswer, endedAnswer, unknownAnswer] = await Promise.all([
      Promise.all(live.map((s) => refresh(s.refreshToken))),
      refresh(expired.refreshToken),
      refresh(ended.refreshToken),
      refresh('u'.repeat(43)),
    ]);
    expect(expiredAnswer.json().error_code).toBe('CIAM_E04_00_002');
    expect(endedAnswer.json().error_code).toBe('CIAM_E04_00_004');
    expect(unknownAnswer.json().error_code).toBe('CIAM_E04_00_001');

    for (const [i, s] of live.entries()) {
      const res = answers[i]!;
      expect(res.statusCode).toBe(200);
      const rows = await tokenRows(t, s.sessionId);
      const byHash = (v: string) => rows.find((r) => r.token_value_hash === tokenHash(v));
      // Each answer carries the tokens of its own session.
      const newRefresh = byHash(refreshTokenSet(res)!)!;
      const newAccess = byHash(res.json().access_token)!;
      expect(newRefresh).toMatchObject({ status: 'ACTIVE', token_type: 'REFRESH', parent_token_id: byHash(s.refreshToken)!.token_id });
      expect(newAccess).toMatchObject({ status: 'ACTIVE', token_type: 'ACCESS', parent_token_id: byHash(s.accessToken)!.token_id });
      expect(byHash(s.refreshToken)!.status).toBe('ROTATED');
      const { rows: audit } = await t.db.query<{ event_data: Record<string, string> }>(
        `SELECT event_data FROM audit_logs WHERE session_id = $1 AND event_type = 'TOKEN_REFRESHED'`,
        [s.sessionId],
      );
      expect(audit).toHaveLength(1);
      expect(audit[0]!.event_data).toMatchObject({
        rotated_refresh_token_id: byHash(s.refreshToken)!.token_id,
        rotated_access_token_id: byHash(s.accessToken)!.token_id,
        new_refresh_token_id: newRefresh.token_id,
        new_access_token_id: newAccess.token_id,
      });
    }
  });

  it(`eight concurrent refreshes with one token never leave two active refresh tokens (${testEngine()})`, async () => {
    for (const grace of ['3', '0']) {
      const app = grace === '3' ? t : await startTestApp({ CIAM_REFRESH_GRACE_SECONDS: grace });
      try {
        const s = await openTestSession(app);
        const answers = await Promise.all(
          Array.from({ length: 8 }, () => app.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(s.refreshToken) })),
        );
        for (const a of answers) expect([200, 401]).toContain(a.statusCode);
        expect(answers.filter((a) => a.statusCode === 200).length).toBeGreaterThanOrEqual(1);
        const rows = await tokenRows(app, s.sessionId);
        expect(rows.filter((r) => r.token_type === 'REFRESH' && r.status === 'ACTIVE').length).toBeLessThanOrEqual(1);
        expect(rows.filter((r) => r.token_type === 'ACCESS' && r.status === 'ACTIVE').length).toBeLessThanOrEqual(1);
        if (grace === '3') {
          const { rows: sess } = await app.db.query('SELECT status FROM sessions WHERE session_id = $1', [s.sessionId]);
          expect(sess[0]?.status).toBe('ACTIVE');
        }
      } finally {
        if (app !== t) await app.close();
      }
    }
  });
});
