import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { loadOperationsSettings } from '../../src/config/operations.js';
import { metrics } from '../../src/http/plugins/metrics.js';
import { expectError, JOURNEY_TEST_ENV, useJourneyApp } from '../support/journey-client.js';
import { startTestApp, useTestApp, testSettings } from '../support/test-app.js';

/** Response headers, public OIDC metadata, the refresh cookie's name, /metrics in production. */

describe('security headers (CIAM_COOKIE_SECURE=true)', () => {
  const { t, j } = useJourneyApp();

  it('every JSON answer: nosniff, a CSP that loads nothing and allows no framing, HSTS', async () => {
    for (const res of [await j.login('simpleuser'), await j.login('simpleuser', { password: 'wrong-password' })]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'none'");
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['strict-transport-security']).toMatch(/^max-age=31536000/);
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    }
    const health = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
  });

  it('answers with tokens or personal data are never stored: /auth/*, /me, /admin/*, /userinfo', async () => {
    const failed = await j.login('simpleuser', { password: 'wrong-password' });
    expect(failed.status).toBe(401);
    expect(failed.headers['cache-control']).toBe('no-store');
    for (const url of ['/me/sessions', '/me/devices', '/admin/customers/CUPID_SIMPLE_001/sessions', '/userinfo']) {
      const res = await t.call({ method: 'GET', url });
      expect(res.statusCode, url).toBe(401);
      expect(res.headers['cache-control'], url).toBe('no-store');
    }
    // Public metadata stays cacheable.
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.headers['cache-control']).toBe('public, max-age=60');
  });

  it('/.well-known/jwks.json and openid-configuration answer without x-client-id (relying parties send none)', async () => {
    const jwks = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(jwks.statusCode).toBe(200);
    expect(jwks.json().keys.length).toBeGreaterThan(0);
    const discovery = await t.app.inject({ method: 'GET', url: '/.well-known/openid-configuration' });
    expect(discovery.statusCode).toBe(200);
    expect(discovery.json().jwks_uri).toMatch(/\/\.well-known\/jwks\.json$/);
  });

  it('/docs still renders with its own assets, under a policy that allows its scripts and no framing', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    const csp = page.headers['content-security-policy'] as string;
    expect(csp).toMatch(/script-src 'self'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    const scripts = [...page.body.matchAll(/<script src="\.\/([^"]+)"/g)].map((m) => m[1]!);
    expect(scripts.length).toBeGreaterThan(0);
    for (const script of scripts) {
      const asset = await t.app.inject({ method: 'GET', url: `/docs/${script}` });
      expect(asset.statusCode, script).toBe(200);
    }
    const init = await t.app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.statusCode).toBe(200);
  });
});

describe('without Secure cookies (plain-HTTP development)', () => {
  const t = useTestApp({ ...JOURNEY_TEST_ENV, CIAM_COOKIE_SECURE: 'false' });

  it('sends no HSTS', async () => {
    const res = await t.call({ method: 'GET', url: '/me' });
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('CIAM_REFRESH_COOKIE_NAME=__Host-refresh_token', () => {
  const { t, j } = useJourneyApp({ CIAM_REFRESH_COOKIE_NAME: '__Host-refresh_token' });

  it('sets the cookie under the prefixed name with Secure, Path=/ and no Domain, and reads it back on refresh', async () => {
    const res = await j.login('simpleuser');
    expect(res.status).toBe(201);
    const cookie = [res.headers['set-cookie']].flat()[0]!;
    expect(cookie).toMatch(/^__Host-refresh_token=[A-Za-z0-9_-]{20,}; HttpOnly; Secure; SameSite=Strict; Path=\/; Max-Age=\d+$/);
    expect(cookie).not.toMatch(/Domain=/i);
    const value = /^__Host-refresh_token=([^;]+)/.exec(cookie)![1]!;
    // 256 random bits in base64url; the whole cookie far below the 4096 bytes browsers keep.
    expect(Buffer.from(value, 'base64url')).toHaveLength(32);
    expect(cookie.length).toBeLessThan(4096);
    const refreshed = await t.call({ method: 'POST', url: '/auth/refresh', headers: { cookie: `__Host-refresh_token=${value}` } });
    expect(refreshed.statusCode, refreshed.body).toBe(200);
    // The contract's name is not read under this setting.
    const unnamed = await t.call({ method: 'POST', url: '/auth/refresh', headers: { cookie: `refresh_token=${value}` } });
    expectError({ status: unnamed.statusCode, body: unnamed.json(), headers: unnamed.headers, correlationId: '' }, 401, 'CIAM_E04_00_008');
  });

  it('is refused at start-up without Secure cookies', () => {
    expect(() => testSettings({ CIAM_REFRESH_COOKIE_NAME: '__Host-refresh_token', CIAM_COOKIE_SECURE: 'false' })).toThrow(
      /CIAM_REFRESH_COOKIE_NAME.*CIAM_COOKIE_SECURE=true/,
    );
    expect(() => testSettings({ CIAM_REFRESH_COOKIE_NAME: 'session' })).toThrow(/CIAM_REFRESH_COOKIE_NAME/);
  });
});

describe('GET /metrics in production', () => {
  it('refuses to start without CIAM_METRICS_BEARER_TOKEN; starts with one and then requires it', async () => {
    const t = await startTestApp(JOURNEY_TEST_ENV);
    try {
      const open = Fastify({ logger: false });
      const settings = loadOperationsSettings({}).metrics;
      await expect(open.register(metrics, { settings, production: true, db: t.db, jobNames: [] }).ready()).rejects.toThrow(
        /CIAM_METRICS_BEARER_TOKEN/,
      );
      const guarded = Fastify({ logger: false });
      const withToken = loadOperationsSettings({ CIAM_METRICS_BEARER_TOKEN: 'metrics-token-0123456789' }).metrics;
      await guarded.register(metrics, { settings: withToken, production: true, db: t.db, jobNames: [] });
      await guarded.register((await import('../../src/http/plugins/error-handler.js')).errorHandler);
      await guarded.ready();
      expect((await guarded.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
      const ok = await guarded.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
      expect(ok.statusCode).toBe(200);
      await guarded.close();
    } finally {
      await t.close();
    }
  });

  it('development leaves /metrics open when no token is set', async () => {
    const t = await startTestApp(JOURNEY_TEST_ENV);
    try {
      expect((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
