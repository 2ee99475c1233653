import { createHash, randomBytes } from 'node:crypto';
import { Socket } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { available } from '../support/requirements.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOperationsSettings } from '../../src/config/operations.js';
import { correlationIdFor } from '../../src/http/plugins/client-and-correlation.js';
import { errorHandler } from '../../src/http/plugins/error-handler.js';
import { rateLimits } from '../../src/http/plugins/rate-limits.js';
import { errorBody } from '../../src/http/schemas/common.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The abuse limits on stand-in routes at the contract's paths: the limits are attached by URL and
 * method, so they do not depend on what the real handlers do.
 */
let db: TestDatabase;
const apps: FastifyInstance[] = [];
beforeAll(async () => {
  db = await openTestDatabase();
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});
afterAll(async () => {
  await db.close();
});

async function limitedApp(env: Record<string, string>) {
  const app = Fastify({ logger: false, genReqId: (req) => correlationIdFor(req.headers['x-correlation-id']) });
  app.addSchema(errorBody);
  await app.register(errorHandler);
  const settings = loadOperationsSettings({
    CIAM_RATE_LIMIT_WINDOW_SECONDS: '1',
    CIAM_RATE_LIMIT_LOGIN_PER_IP: '100',
    CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '100',
    ...env,
  }).rateLimits;
  await app.register(rateLimits, { settings, db });
  const ok = async () => ({ ok: true });
  app.post('/auth/login', ok);
  app.post('/auth/mfa/initiate', ok);
  app.post('/auth/mfa/otp/verify', ok);
  app.post('/auth/mfa/transactions/:transaction_id', ok);
  app.post('/auth/mfa/transactions/:transaction_id/approve', ok);
  app.post('/auth/mfa/transactions/:transaction_id/deny', ok);
  app.post('/auth/refresh', ok);
  await app.ready();
  apps.push(app);
  return app;
}

const login = (app: FastifyInstance, username: string, ip = '198.51.100.7') =>
  app.inject({ method: 'POST', url: '/auth/login', remoteAddress: ip, payload: { username, password: 'x', transmit_aid: 'a' } });

const auditRows = async (kind: string) => {
  const { rows } = await db.query<{ event_data: Record<string, unknown>; ip_address: string; context_id: string | null; transaction_id: string | null }>(
    `SELECT event_data, host(ip_address) AS ip_address, context_id, transaction_id FROM audit_logs
     WHERE event_type = 'RATE_LIMITED' AND event_data->>'key_kind' = $1 ORDER BY created_at`,
    [kind],
  );
  return rows;
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('rate limits', () => {
  it('refuses logins past the per-IP limit with 429, Retry-After and the error body, and audits the refusal once', async () => {
    await db.query(`DELETE FROM audit_logs WHERE event_type = 'RATE_LIMITED'`);
    const app = await limitedApp({ CIAM_RATE_LIMIT_LOGIN_PER_IP: '3' });
    for (let i = 0; i < 3; i++) expect((await login(app, `user${i}`)).statusCode).toBe(200);
    const refused = await login(app, 'user9');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error_code: 'CIAM_E00_00_005' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await login(app, 'user10')).statusCode).toBe(429);
    // Another address is not affected.
    expect((await login(app, 'user11', '203.0.113.5')).statusCode).toBe(200);

    const rows = await auditRows('ip');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ip_address).toBe('198.51.100.7');
    expect(rows[0]!.event_data).toMatchObject({ key_kind: 'ip', route: '/auth/login', method: 'POST' });
  });

  it('lets the caller in again once the window has passed', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_LOGIN_PER_IP: '2' });
    await login(app, 'a');
    await login(app, 'a');
    expect((await login(app, 'a')).statusCode).toBe(429);
    await sleep(1_100);
    expect((await login(app, 'a')).statusCode).toBe(200);
  });

  it('limits one username across addresses and audits only a hash of it', async () => {
    await db.query(`DELETE FROM audit_logs WHERE event_type = 'RATE_LIMITED'`);
    const app = await limitedApp({ CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '2' });
    expect((await login(app, 'victim', '192.0.2.1')).statusCode).toBe(200);
    expect((await login(app, 'Victim', '192.0.2.2')).statusCode).toBe(200);
    const refused = await login(app, 'VICTIM', '192.0.2.3');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBeDefined();
    expect((await login(app, 'someone-else', '192.0.2.3')).statusCode).toBe(200);

    const rows = await auditRows('username');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event_data.username_sha256).toBe(createHash('sha256').update('victim').digest('hex'));
    expect(JSON.stringify(rows[0])).not.toMatch(/victim/i);
    expect(rows[0]!.ip_address).toBe('192.0.2.3');
  });

  it('counts full-width and mixed forms of a username (which directories fold) under the name they fold to', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '2' });
    expect((await login(app, 'ivan', '192.0.2.10')).statusCode).toBe(200);
    expect((await login(app, 'ivan', '192.0.2.11')).statusCode).toBe(200);
    for (const variant of ['ｉｖａｎ', 'ｉvan', 'iｖan', 'ＩＶＡＮ', ' Ivan ']) {
      expect((await login(app, variant, '192.0.2.12')).statusCode, variant).toBe(429);
    }
  });

  it('limits MFA initiate and verify per journey, each route on its own', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_MFA_PER_CONTEXT: '2' });
    const contextId = '6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f';
    const call = (url: string, context_id: string) =>
      app.inject({ method: 'POST', url, payload: { context_id, transaction_id: 't', method: 'sms' } });
    await call('/auth/mfa/initiate', contextId);
    await call('/auth/mfa/initiate', contextId);
    expect((await call('/auth/mfa/initiate', contextId)).statusCode).toBe(429);
    expect((await call('/auth/mfa/initiate', '00000000-0000-4000-8000-000000000000')).statusCode).toBe(200);
    expect((await call('/auth/mfa/otp/verify', contextId)).statusCode).toBe(200);
    const [row] = (await auditRows('context')).slice(-1);
    expect(row!.context_id).toBe(contextId);
  });

  it('limits push polls per transaction, not the approve call', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_POLL_PER_TRANSACTION: '2' });
    const tx = '0b7e6d5c-4a3b-4c2d-9e1f-0a9b8c7d6e5f';
    const poll = (id: string, suffix = '') =>
      app.inject({ method: 'POST', url: `/auth/mfa/transactions/${id}${suffix}`, payload: { context_id: 'c' } });
    await poll(tx);
    await poll(tx);
    expect((await poll(tx)).statusCode).toBe(429);
    expect((await poll(tx, '/approve')).statusCode).toBe(200);
    expect((await poll('1b7e6d5c-4a3b-4c2d-9e1f-0a9b8c7d6e5f')).statusCode).toBe(200);
    const [row] = (await auditRows('transaction')).slice(-1);
    expect(row!.transaction_id).toBe(tx);
  });

  it('limits push answers (approve and deny) per step, and per address across steps', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_PUSH_ANSWER_PER_TRANSACTION: '2', CIAM_RATE_LIMIT_PUSH_ANSWER_PER_IP: '4' });
    const answer = (id: string, suffix: '/approve' | '/deny', ip = '203.0.113.9') =>
      app.inject({ method: 'POST', url: `/auth/mfa/transactions/${id}${suffix}`, remoteAddress: ip, payload: { context_id: 'c' } });
    const tx = '2b7e6d5c-4a3b-4c2d-9e1f-0a9b8c7d6e5f';
    expect((await answer(tx, '/approve')).statusCode).toBe(200);
    expect((await answer(tx, '/approve')).statusCode).toBe(200);
    const refused = await answer(tx, '/approve');
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({ error_code: 'CIAM_E00_00_005' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const [row] = (await auditRows('transaction')).slice(-1);
    expect(row!.transaction_id).toBe(tx);
    // Per address: every step counts towards it.
    for (let i = 0; i < 4; i++) {
      const id = `3b7e6d5c-4a3b-4c2d-9e1f-0a9b8c7d6e5${i}`;
      expect((await answer(id, '/deny', '203.0.113.10')).statusCode).toBe(200);
    }
    expect((await answer('4b7e6d5c-4a3b-4c2d-9e1f-0a9b8c7d6e5f', '/deny', '203.0.113.10')).statusCode).toBe(429);
    expect((await answer('4b7e6d5c-4a3b-4c2d-9e1f-0a9b8c7d6e5f', '/deny', '203.0.113.11')).statusCode).toBe(200);
  });

  it('leaves routes without a rule alone', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_LOGIN_PER_IP: '1' });
    for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'POST', url: '/auth/refresh' })).statusCode).toBe(200);
  });

  it('can be switched off', async () => {
    const app = await limitedApp({ CIAM_RATE_LIMIT_ENABLED: 'false', CIAM_RATE_LIMIT_LOGIN_PER_IP: '1' });
    for (let i = 0; i < 3; i++) expect((await login(app, 'a')).statusCode).toBe(200);
  });
});

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisReachable = await new Promise<boolean>((resolve) => {
  const { hostname, port } = new URL(redisUrl);
  const socket = new Socket();
  socket.setTimeout(500);
  socket.once('connect', () => (socket.destroy(), resolve(true)));
  socket.once('error', () => resolve(false));
  socket.once('timeout', () => (socket.destroy(), resolve(false)));
  socket.connect(Number(port || 6379), hostname);
});

describe.skipIf(!available('Redis', redisReachable ? undefined : `nothing answers at ${redisUrl}`))('rate limits shared through Redis', () => {
  it('counts one limit across two instances', async () => {
    const env = {
      REDIS_URL: redisUrl,
      CIAM_RATE_LIMIT_REDIS_PREFIX: `ciam-test:${randomBytes(6).toString('hex')}:`,
      CIAM_RATE_LIMIT_LOGIN_PER_IP: '4',
      CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '3',
    };
    const one = await limitedApp(env);
    const two = await limitedApp(env);
    expect((await login(one, 'shared', '192.0.2.10')).statusCode).toBe(200);
    expect((await login(two, 'shared', '192.0.2.11')).statusCode).toBe(200);
    expect((await login(one, 'shared', '192.0.2.12')).statusCode).toBe(200);
    expect((await login(two, 'shared', '192.0.2.13')).statusCode).toBe(429); // 4th for the username

    expect((await login(one, 'u1', '192.0.2.20')).statusCode).toBe(200);
    expect((await login(two, 'u2', '192.0.2.20')).statusCode).toBe(200);
    expect((await login(one, 'u3', '192.0.2.20')).statusCode).toBe(200);
    expect((await login(two, 'u4', '192.0.2.20')).statusCode).toBe(200);
    const refused = await login(one, 'u5', '192.0.2.20');
    expect(refused.statusCode).toBe(429); // 5th for the address
    expect(refused.headers['retry-after']).toBeDefined();

    await sleep(1_100);
    expect((await login(two, 'u6', '192.0.2.20')).statusCode).toBe(200);
  });
});
