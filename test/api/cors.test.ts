import { describe, expect, it } from 'vitest';
import { JOURNEY_TEST_ENV, PASSWORD } from '../support/journey-client.js';
import { CLIENT_ID, useTestApp } from '../support/test-app.js';

const ALLOWED = 'https://app.bank.test';
const ALSO_ALLOWED = 'http://localhost:5173';
const OTHER = 'https://evil.test';

const preflight = (origin: string, url = '/auth/login', method = 'POST') => ({
  method: 'OPTIONS' as const,
  url,
  headers: {
    origin,
    'access-control-request-method': method,
    'access-control-request-headers': 'content-type,x-client-id,x-correlation-id',
  },
});

function corsHeadersOf(headers: Record<string, unknown>): string[] {
  return Object.keys(headers).filter((name) => name.startsWith('access-control-'));
}

const t = useTestApp({ ...JOURNEY_TEST_ENV, CIAM_CORS_ORIGINS: `${ALLOWED}, ${ALSO_ALLOWED}` });

describe('CORS allowlist (CIAM_CORS_ORIGINS)', () => {
  it('answers a preflight from an allowed origin 204, before the client-id check, with that exact origin and credentials', async () => {
    const res = await t.app.inject(preflight(ALLOWED));
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    const allowedHeaders = String(res.headers['access-control-allow-headers']).split(/,\s*/);
    expect(allowedHeaders).toEqual(['content-type', 'authorization', 'x-client-id', 'x-correlation-id', 'x-app-id', 'x-app-version']);
    expect(String(res.headers['access-control-allow-methods'])).toContain('POST');
    expect(String(res.headers.vary)).toContain('Origin');

    const second = await t.app.inject(preflight(ALSO_ALLOWED, '/me/sessions/0190a1b2-0000-7000-8000-000000000000', 'DELETE'));
    expect(second.statusCode).toBe(204);
    expect(second.headers['access-control-allow-origin']).toBe(ALSO_ALLOWED);
    expect(String(second.headers['access-control-allow-methods'])).toContain('DELETE');
  });

  it('never answers with a wildcard origin', async () => {
    const res = await t.app.inject(preflight(ALLOWED));
    expect(res.headers['access-control-allow-origin']).not.toBe('*');
  });

  it('gives no CORS header at all to another origin, on a preflight or a real call', async () => {
    const pre = await t.app.inject(preflight(OTHER));
    expect(pre.statusCode).not.toBe(204);
    expect(corsHeadersOf(pre.headers)).toEqual([]);

    const call = await t.call({ method: 'GET', url: '/health', headers: { origin: OTHER } });
    expect(call.statusCode).toBe(200);
    expect(corsHeadersOf(call.headers)).toEqual([]);

    // An origin that merely starts like an allowed one is another origin.
    const lookalike = await t.app.inject(preflight(`${ALLOWED}.evil.test`));
    expect(corsHeadersOf(lookalike.headers)).toEqual([]);
  });

  it('puts the CORS headers on a successful call and exposes x-correlation-id', async () => {
    const res = await t.call({
      method: 'POST',
      url: '/auth/login',
      headers: { origin: ALLOWED },
      payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'web' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(String(res.headers['access-control-expose-headers'])).toContain('x-correlation-id');
    expect(res.headers['set-cookie']).toBeDefined();
  });

  it('puts the same headers on error answers, so the page can read the error code', async () => {
    const noClient = await t.app.inject({ method: 'POST', url: '/auth/login', headers: { origin: ALLOWED }, payload: {} });
    expect(noClient.statusCode).toBe(401);
    expect(noClient.json()).toEqual({ error_code: 'CIAM_E00_00_001' });
    expect(noClient.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(noClient.headers['access-control-allow-credentials']).toBe('true');

    const badPassword = await t.call({
      method: 'POST',
      url: '/auth/login',
      headers: { origin: ALLOWED },
      payload: { username: 'simpleuser', password: 'wrong-password', transmit_aid: 'web' },
    });
    expect(badPassword.statusCode).toBe(401);
    expect(badPassword.json().error_code).toBe('CIAM_E01_01_001');
    expect(badPassword.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(String(badPassword.headers['access-control-expose-headers'])).toContain('x-correlation-id');

    const schema = await t.call({ method: 'POST', url: '/auth/login', headers: { origin: ALLOWED }, payload: { username: 1 } });
    expect(schema.statusCode).toBe(400);
    expect(schema.headers['access-control-allow-origin']).toBe(ALLOWED);

    const unknownRoute = await t.call({ method: 'GET', url: '/nowhere', headers: { origin: ALLOWED } });
    expect(unknownRoute.statusCode).toBe(404);
    expect(unknownRoute.headers['access-control-allow-origin']).toBe(ALLOWED);
  });

  it('still demands x-client-id on real calls from an allowed origin', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: ALLOWED } });
    expect(res.statusCode).toBe(401);
    const ok = await t.app.inject({ method: 'GET', url: '/health', headers: { origin: ALLOWED, 'x-client-id': CLIENT_ID } });
    expect(ok.statusCode).toBe(200);
  });
});

describe('CORS off (the default)', () => {
  const plain = useTestApp();

  it('answers no origin with CORS headers and leaves preflights unanswered', async () => {
    const pre = await plain.app.inject(preflight(ALLOWED));
    expect(pre.statusCode).not.toBe(204);
    expect(corsHeadersOf(pre.headers)).toEqual([]);
    const call = await plain.call({ method: 'GET', url: '/health', headers: { origin: ALLOWED } });
    expect(corsHeadersOf(call.headers)).toEqual([]);
  });
});
