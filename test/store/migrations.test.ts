import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.js';
import { openPglite } from '../../src/store/engines/pglite.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { loadMigrations, migrate, migrationsCurrent } from '../../src/store/migrate.js';
import { openTestDatabase, testEngine, type TestDatabase } from '../support/test-database.js';
import { count, createEmptyPostgresDatabase } from './fixtures.js';

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  db = await openTestDatabase();
  dir = mkdtempSync(join(tmpdir(), 'ciam-migrations-'));
});
afterAll(async () => {
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const shipped = loadMigrations();

async function tableExists(q: Database, name: string): Promise<boolean> {
  const { rows } = await q.query<{ present: boolean }>('SELECT to_regclass($1) IS NOT NULL AS present', [name]);
  return rows[0]!.present;
}

describe('migrate', () => {
  it('applies nothing to a database that is current', async () => {
    expect(await migrate(db)).toEqual([]);
    expect(await migrationsCurrent(db)).toBe(true);
    expect(await count(db, 'SELECT version FROM schema_migrations')).toBe(shipped.length);
  });

  it('lets two instances migrate a fresh database at once: both succeed, each version is applied once', async () => {
    let first: Database;
    let second: Database;
    let cleanup: () => Promise<void>;
    if (testEngine() === 'postgres') {
      const fresh = await createEmptyPostgresDatabase('ciam_mig');
      const open = () => openPostgres({ connectionString: fresh.url, poolMax: 2, statementTimeoutMs: 30_000 });
      [first, second] = [await open(), await open()];
      cleanup = async () => {
        await first.close();
        await second.close();
        await fresh.drop();
      };
    } else {
      // One embedded engine per process: both callers share it, as two requests would.
      first = second = await openPglite({});
      cleanup = () => first.close();
    }
    try {
      const [a, b] = await Promise.all([migrate(first), migrate(second)]);
      expect([...a, ...b].sort()).toEqual(shipped.map((m) => m.name));
      const { rows } = await first.query<{ version: number; n: number }>(
        'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
      );
      expect(rows).toEqual(shipped.map((m) => ({ version: m.version, n: 1 })));
      expect(await migrationsCurrent(second)).toBe(true);
    } finally {
      await cleanup();
    }
  });

  it('refuses a migration whose file changed after it was applied, and applies nothing after it', async () => {
    writeFileSync(join(dir, '901_fake_first.sql'), 'CREATE TABLE fake_first (id integer);');
    expect(await migrate(db, loadMigrations(dir))).toEqual(['901_fake_first']);

    writeFileSync(join(dir, '901_fake_first.sql'), 'CREATE TABLE fake_first (id bigint);');
    writeFileSync(join(dir, '902_fake_second.sql'), 'CREATE TABLE fake_second (id integer);');
    await expect(migrate(db, loadMigrations(dir))).rejects.toThrow(/901_fake_first was changed after it was applied/);
    expect(await tableExists(db, 'fake_second')).toBe(false);
    expect(await count(db, 'SELECT 1 FROM schema_migrations WHERE version = 902')).toBe(0);
  });

  it('rolls a failing migration back whole and does not record it', async () => {
    const failing = mkdtempSync(join(tmpdir(), 'ciam-migrations-'));
    try {
      writeFileSync(join(failing, '903_half_done.sql'), 'CREATE TABLE half_done (id integer);\nSELECT 1 / 0;');
      await expect(migrate(db, loadMigrations(failing))).rejects.toMatchObject({ code: '22012' });
      expect(await tableExists(db, 'half_done')).toBe(false);
      expect(await count(db, 'SELECT 1 FROM schema_migrations WHERE version = 903')).toBe(0);
    } finally {
      rmSync(failing, { recursive: true, force: true });
    }
  });

  it('loads only files named NNN_name.sql, in version order', () => {
    const odd = mkdtempSync(join(tmpdir(), 'ciam-migrations-'));
    try {
      for (const file of ['002_b.sql', '001_a.sql', 'README.md', '3_short.sql', '004_Upper.sql']) {
        writeFileSync(join(odd, file), 'SELECT 1;');
      }
      expect(loadMigrations(odd).map((m) => m.name)).toEqual(['001_a', '002_b']);
      expect(shipped.map((m) => m.version)).toEqual([...new Set(shipped.map((m) => m.version))].sort((x, y) => x - y));
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  });
});
