import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientScopesJson, scopesOfClient } from '../../src/session/client-scopes.js';
import * as rules from '../../src/store/queries/token-rules.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * The shared token rules, evaluated by the engine on rows made up in VALUES: every statement that
 * builds its conditions from them (careful refresh, batched refresh, login completion, gateway
 * check) gets these answers.
 */
let db: TestDatabase;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(async () => {
  await db?.close();
});

async function one<T>(sql: string, values: unknown[] = []): Promise<T> {
  const { rows } = await db.query<{ v: T }>(sql, values);
  return rows[0]!.v;
}

describe('isLive and isExpired', () => {
  it.each([
    ['ACTIVE', '1 minute', true],
    ['ACTIVE', '-1 minute', false],
    ['ROTATED', '1 minute', false],
    ['REVOKED', '1 minute', false],
  ])('%s, expiring in %s: live %s', async (status, offset, live) => {
    const row = `(VALUES ($1::text, now() + $2::interval)) AS x(status, expires_at)`;
    expect(await one(`SELECT ${rules.isLive('x')} AS v FROM ${row}`, [status, offset])).toBe(live);
    expect(await one(`SELECT ${rules.isExpired('x')} AS v FROM ${row}`, [status, offset])).toBe(offset.startsWith('-'));
  });
});

describe('expiryCappedAtSession', () => {
  it('is the lifetime from now, or the session expiry when that comes first', async () => {
    const sql = `SELECT extract(epoch FROM ${rules.expiryCappedAtSession('$1::int', 'now() + $2::interval')} - now())::int AS v`;
    expect(await one(sql, [60, '1 hour'])).toBe(60);
    expect(await one(sql, [7200, '1 hour'])).toBe(3600);
  });
});

describe('refreshableBy', () => {
  it.each([
    ['web-banking', 'web-banking', true],
    ['web-banking', 'mobile-app', false],
    ['web-banking', null, false],
    [null, 'mobile-app', true],
    [null, null, true],
  ])('a session of %s, asked by %s: %s', async (sessionClient, asking, allowed) => {
    const sql = `SELECT ${rules.refreshableBy('s', '$2::varchar')} AS v FROM (VALUES ($1::varchar)) AS s(client_id)`;
    expect(await one(sql, [sessionClient, asking])).toBe(allowed);
  });
});

describe('scopesOfClient', () => {
  const clients = new Map([
    ['web-banking', ['openid', 'profile']],
    ['mobile-app', []],
  ]);

  it.each(['web-banking', 'mobile-app', 'unknown-client', null])('grants %s the same scopes in SQL as in the domain', async (client) => {
    const sql = `SELECT ${rules.scopesOfClient('$1::jsonb', '$2::varchar')} AS v`;
    expect(await one(sql, [clientScopesJson(clients), client])).toEqual(scopesOfClient(clients, client));
  });

  it('grants none without a client or to an unregistered one', () => {
    expect(scopesOfClient(clients, 'web-banking')).toEqual(['openid', 'profile']);
    expect(scopesOfClient(clients, undefined)).toEqual([]);
    expect(scopesOfClient(clients, null)).toEqual([]);
    expect(scopesOfClient(clients, 'other')).toEqual([]);
  });
});
