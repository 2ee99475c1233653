import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { REDACTED_PATHS } from '../../src/http/logger.js';
import { createServices } from '../../src/services.js';
import { CLIENT_ID, testSettings } from '../support/test-app.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import type { FastifyInstance } from 'fastify';

let app: FastifyInstance;
let db: TestDatabase;
let dataDir: string;
const lines: string[] = [];

beforeAll(async () => {
  db = await openTestDatabase();
  const settings = testSettings({ LOG_LEVEL: 'debug' });
  dataDir = settings.dataDir;
  const services = await createServices(settings, db);
  app = await buildApp({
    settings,
    services,
    logger: { level: 'debug', redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, stream: { write: (l: string) => void lines.push(l) } },
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('logs', () => {
  it('carry the correlation id and never a password, code, token or cookie', async () => {
    const correlation = '6d1e3c52-1a8b-4c1e-9f62-3c1d2b7a9e01';
    const headers = { 'x-client-id': CLIENT_ID, 'x-correlation-id': correlation };
    const login = await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers,
      payload: { username: 'mfauser', password: 'SecurePass123!', transmit_aid: 'web' },
    });
    const { context_id, transaction_id } = login.json();
    const initiate = await app.inject({
      method: 'POST',
      url: '/auth/mfa/initiate',
      headers,
      payload: { context_id, transaction_id, method: 'sms', mfa_option_id: 1 },
    });
    const outbox = await app.inject({ method: 'GET', url: '/dev/outbox?cupid=CUPID_MFA_001', headers });
    const code = outbox.json().messages[0].code as string;
    const verify = await app.inject({
      method: 'POST',
      url: '/auth/mfa/otp/verify',
      headers: { ...headers, cookie: 'refresh_token=cookie-value-that-must-not-leak' },
      payload: { context_id, transaction_id: initiate.json().transaction_id, code },
    });
    expect(verify.statusCode).toBe(201);
    // A rejected body is logged with its validation error, not its content.
    await app.inject({ method: 'POST', url: '/auth/login', headers, payload: { username: 'x', password: 'AnotherSecret!9' } });

    const all = lines.join('\n');
    expect(lines.some((l) => JSON.parse(l).correlation_id === correlation)).toBe(true);
    for (const secret of ['SecurePass123!', 'AnotherSecret!9', verify.json().access_token, 'cookie-value-that-must-not-leak']) {
      expect(all).not.toContain(secret);
    }
    // Quoted, so that six digits inside a timestamp cannot match by chance.
    expect(all).not.toContain(`"${code}"`);
  });

  it('keep the error codes an operator needs: SQLSTATE, error type, Fastify codes', async () => {
    lines.length = 0;
    let failure: unknown;
    try {
      await db.query({ name: 'redaction_probe', text: 'SELECT $1::int AS n' }, ['not a number']);
    } catch (err) {
      failure = err;
    }
    app.log.error({ err: failure }, 'probe failure');
    const logged = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'probe failure');
    expect(logged.err.code).toBe('22P02');
    expect(typeof logged.err.type).toBe('string');
    expect(logged.err.type).not.toBe('[redacted]');

    await app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { 'x-client-id': CLIENT_ID, 'content-type': 'application/json' },
      payload: '{"username": ',
    });
    const rejected = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request rejected before routing');
    expect(rejected.code).toMatch(/^FST_/);
  });

  it('redact a one-time code that arrives in a logged body', () => {
    lines.length = 0;
    app.log.info({ body: { code: '493817', context_id: 'c' }, req: { body: { code: '493817' } } }, 'body probe');
    const logged = JSON.parse(lines.find((l) => JSON.parse(l).msg === 'body probe')!);
    expect(logged.body).toEqual({ code: '[redacted]', context_id: 'c' });
    expect(JSON.stringify(logged)).not.toContain('493817');
  });
});
