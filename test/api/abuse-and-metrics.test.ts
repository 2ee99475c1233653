import { describe, expect, it } from 'vitest';
import { journeyClient } from '../support/journey-client.js';
import { startTestApp, useTestApp } from '../support/test-app.js';

/** The abuse limits, the password lockout and /metrics on the whole service. */

const t = useTestApp({
    // Long enough for every login of this file to fall into one window, however slow the machine.
    CIAM_RATE_LIMIT_WINDOW_SECONDS: '300',
    CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '4',
    CIAM_PASSWORD_MAX_FAILURES: '3',
    CIAM_PASSWORD_LOCK_SECONDS: '60',
  });
const j = journeyClient(t);

describe('on the login route', () => {
  it('refuses a fifth login for one username within the window with 429, Retry-After and an audit row', async () => {
    for (let i = 0; i < 4; i++) expect((await j.login('simpleuser')).status).toBe(201);
    const refused = await j.login('simpleuser');
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ error_code: 'CIAM_E00_00_005' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const { rows } = await t.db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM audit_logs WHERE event_type = 'RATE_LIMITED' AND event_data->>'key_kind' = 'username'`,
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('locks a password after three failures with 423 CIAM_E01_01_002, for unknown usernames too', async () => {
    for (const username of ['mfauser', 'nobody-at-all']) {
      for (let i = 0; i < 3; i++) expect((await j.login(username, { password: 'wrong-password!' })).status).toBe(401);
      const locked = await j.login(username);
      expect(locked.status).toBe(423);
      expect(locked.body.error_code).toBe('CIAM_E01_01_002');
    }
  });
});

describe('GET /metrics', () => {
  it('serves Prometheus text without a client id, with the request, audit, login, rate-limit and database series', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/ciam_http_request_duration_seconds_bucket\{[^}]*route="\/auth\/login"[^}]*status_code="201"/);
    expect(text).toMatch(/ciam_http_request_duration_seconds_count\{[^}]*route="\/auth\/login"[^}]*status_code="429"/);
    expect(text).toMatch(/ciam_audit_events_total\{event_type="LOGIN_SUCCESS",category="AUTH",severity="INFO"\} [1-9]/);
    expect(text).toMatch(/ciam_logins_total\{outcome="success"\} [1-9]/);
    expect(text).toMatch(/ciam_logins_total\{outcome="failed"\} [1-9]/);
    expect(text).toMatch(/ciam_rate_limited_total\{kind="username",route="\/auth\/login"\} 1/);
    expect(text).toMatch(/ciam_active_sessions [1-9]/);
    expect(text).toMatch(/ciam_open_steps \d+/);
    expect(text).toMatch(/ciam_expired_open_steps 0/);
    expect(text).toMatch(/ciam_high_risk_logins_last_hour 0/);
    expect(text).toMatch(/ciam_db_pool_connections\{state="total"\} \d+/);
    expect(text).toMatch(/ciam_job_last_success_timestamp_seconds\{job="expire-steps"\} 0/);
    expect(text).toMatch(/ciam_database_up 1/);
    expect(text).toMatch(/ciam_process_resident_memory_bytes/);
  });

  it('is left out of the OpenAPI document', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });
});

describe('GET /metrics with a bearer token configured', () => {
  it('refuses a scrape without the token', async () => {
    const guarded = await startTestApp({ CIAM_METRICS_BEARER_TOKEN: 'scrape-token-0123456789' });
    try {
      expect((await guarded.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const ok = await guarded.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer scrape-token-0123456789' } });
      expect(ok.statusCode).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
