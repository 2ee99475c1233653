import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import type { Database, EngineName } from '../../src/store/database.js';
import { openPglite } from '../../src/store/engines/pglite.js';
import { openPostgres, type PostgresOptions } from '../../src/store/engines/postgres.js';
import { lateBound } from './late-bound.js';
import { adminUrl, databaseUrl } from './postgres-urls.js';

/** The engine under test; the `pgbouncer` project is PostgreSQL reached through PgBouncer. */
export function testEngine(): EngineName {
  const engine = process.env.CIAM_TEST_ENGINE;
  if (engine === 'pgbouncer') return 'postgres';
  if (engine !== 'pglite' && engine !== 'postgres') throw new Error('CIAM_TEST_ENGINE must be pglite, postgres or pgbouncer');
  return engine;
}

/** True in the `pgbouncer` project: the service's pools reach PostgreSQL through PgBouncer in transaction pooling mode. */
export function testThroughPgbouncer(): boolean {
  return process.env.CIAM_TEST_ENGINE === 'pgbouncer';
}

export interface TestDatabase extends Database {
  /**
   * PostgreSQL only: the URL of this test's own database (for a second pool, an app role, a
   * connection holding a lock …) — always the server itself, never through PgBouncer.
   */
  url?: string;
}

/**
 * A freshly migrated database of its own for one test file (or one test). `pools` replaces the
 * PostgreSQL pools' limits (a lock timeout, a read pool …); PGlite has no pools to shape.
 */
export async function openTestDatabase(
  pools: Partial<Omit<PostgresOptions, 'connectionString'>> & {
    /** A reports pool (Database.reports) given the new database's URL, e.g. on a replica. */
    reportsOn?: (url: string) => PostgresOptions['reports'];
  } = {},
): Promise<TestDatabase> {
  if (testEngine() === 'pglite') {
    const snapshot = readFileSync(inject('pgliteSnapshot'));
    return openPglite({ loadDataDir: new Blob([snapshot]) });
  }
  const { reportsOn, ...options } = pools;
  const template = inject('postgresTemplate');
  const name = `${template}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const port = inject('pgbouncerPort');
  const through = port ? Object.assign(new URL(url), { hostname: '127.0.0.1', port: String(port) }).toString() : url;
  const db = await openPostgres({
    connectionString: through,
    poolMax: 10,
    statementTimeoutMs: 30_000,
    ...options,
    ...(reportsOn ? { reports: reportsOn(url) } : {}),
    ...(port ? { pooler: 'transaction' as const } : {}),
  });
  const close = db.close.bind(db);
  return Object.assign(db, {
    url,
    async close() {
      await close();
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
    },
  });
}

/**
 * A fresh database for the tests of one file or describe block (`perTest`: for each test),
 * opened before and closed after them; the returned object reads the open one.
 */
export function useTestDatabase(options: { perTest?: boolean } = {}): TestDatabase {
  let db: TestDatabase | undefined;
  const [before, after] = options.perTest ? [beforeEach, afterEach] : [beforeAll, afterAll];
  before(async () => {
    db = await openTestDatabase();
  });
  after(async () => {
    await db?.close();
    db = undefined;
  });
  return lateBound(() => db, 'the test database');
}
