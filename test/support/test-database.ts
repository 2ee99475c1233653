import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database, EngineName } from '../../src/store/database.js';
import { openPglite } from '../../src/store/engines/pglite.js';
import { openPostgres, type PostgresOptions } from '../../src/store/engines/postgres.js';
import { adminUrl, databaseUrl } from './postgres-urls.js';

export function testEngine(): EngineName {
  const engine = process.env.CIAM_TEST_ENGINE;
  if (engine !== 'pglite' && engine !== 'postgres') throw new Error('CIAM_TEST_ENGINE must be pglite or postgres');
  return engine;
}

export interface TestDatabase extends Database {
  /** PostgreSQL only: the URL of this test's own database (for a second pool, an app role …). */
  url?: string;
}

/**
 * A freshly migrated database of its own for one test file (or one test). `pools` replaces the
 * PostgreSQL pools' limits (a lock timeout, a read pool …); PGlite has no pools to shape.
 */
export async function openTestDatabase(pools: Partial<Omit<PostgresOptions, 'connectionString'>> = {}): Promise<TestDatabase> {
  if (testEngine() === 'pglite') {
    const snapshot = readFileSync(inject('pgliteSnapshot'));
    return openPglite({ loadDataDir: new Blob([snapshot]) });
  }
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
  const db = await openPostgres({ connectionString: url, poolMax: 10, statementTimeoutMs: 30_000, ...pools });
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
