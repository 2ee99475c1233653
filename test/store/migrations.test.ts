import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/store/database.js';
import { openPglite } from '../../src/store/engines/pglite.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { loadMigrations, migrate, migrationsCurrent } from '../../src/store/migrate.js';
import { openTestDatabase, testEngine, type TestDatabase } from '../support/test-database.js';
import { count, createEmptyPostgresDatabase } from '../support/fixtures.js';

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

  it('finds a current database current in one read: no transaction, no lock (each start of the service)', async () => {
    const statements: string[] = [];
    const watched: Database = {
      engine: db.engine,
      query: ((text: string, values?: unknown[]) => {
        statements.push(text);
        return db.query(text, values);
      }) as Database['query'],
      reads: db.reads,
      reports: db.reports,
      transaction: () => Promise.reject(new Error('a current database needs no transaction')),
      poolStats: () => db.poolStats(),
      close: async () => {},
    };
    expect(await migrate(watched)).toEqual([]);
    expect(statements).toHaveLength(2);
    expect(statements.join('\n')).not.toMatch(/advisory/);
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

describe('004_security_hardening on a database with clear-text device ids', () => {
  it('revokes clear-text trust and leaves no device id in clear', async () => {
    let fresh: Database;
    let cleanup: () => Promise<void>;
    if (testEngine() === 'postgres') {
      const made = await createEmptyPostgresDatabase('ciam_mig004');
      fresh = await openPostgres({ connectionString: made.url, poolMax: 2, statementTimeoutMs: 30_000 });
      cleanup = async () => {
        await fresh.close();
        await made.drop();
      };
    } else {
      fresh = await openPglite({});
      cleanup = () => fresh.close();
    }
    try {
      await migrate(fresh, shipped.filter((m) => m.version < 4));
      const device = 'clear-device-id-42';
      const { rows: ctx } = await fresh.query<{ context_id: string }>(
        `INSERT INTO auth_contexts (cupid, app_id, app_version, device_fingerprint, ip_address)
         VALUES ('CUPID_X', 'web-banking', '1.0', $1, '127.0.0.1') RETURNING context_id`,
        [device],
      );
      const contextId = ctx[0]!.context_id;
      await fresh.query(
        `INSERT INTO sessions (context_id, cupid, client_id, device_fingerprint, ip_address) VALUES ($1, 'CUPID_X', 'web-banking', $2, '127.0.0.1')`,
        [contextId, device],
      );
      await fresh.query(
        `INSERT INTO drs_evaluations (context_id, cupid, action_token_hash, device_id, recommendation, risk_score, raw_response)
         VALUES ($1, 'CUPID_X', repeat('a', 64), $2, 'ALLOW', 20, '{}')`,
        [contextId, device],
      );
      await fresh.query(
        `INSERT INTO trusted_devices (cupid, device_fingerprint, device_fingerprint_hash)
         VALUES ('CUPID_X', $1, encode(sha256(convert_to($1, 'UTF8')), 'hex'))`,
        [device],
      );

      expect(await migrate(fresh)).toEqual(shipped.filter((m) => m.version >= 4).map((m) => m.name));

      const { rows: trusted } = await fresh.query<{ status: string; revoked: boolean; device_fingerprint: string }>(
        `SELECT status::text AS status, revoked_at IS NOT NULL AS revoked, device_fingerprint FROM trusted_devices`,
      );
      expect(trusted).toEqual([{ status: 'REVOKED', revoked: true, device_fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      for (const sql of [
        'SELECT device_fingerprint AS v FROM auth_contexts',
        'SELECT device_fingerprint AS v FROM sessions',
        'SELECT device_id AS v FROM drs_evaluations',
      ]) {
        const { rows } = await fresh.query<{ v: string }>(sql);
        expect(rows.map((r) => r.v), sql).toEqual([expect.stringMatching(/^[0-9a-f]{64}$/)]);
        expect(rows[0]!.v).not.toContain(device);
      }
      const { rows: cols } = await fresh.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM information_schema.columns
          WHERE (table_name, column_name) IN (('auth_contexts', 'client_id'), ('auth_transactions', 'wrong_secrets'),
                ('password_failures', 'consecutive_failures'), ('password_failures', 'hard_locked_at'), ('mfa_counters', 'wrong_codes'))`,
      );
      expect(cols[0]!.n).toBe(5);
    } finally {
      await cleanup();
    }
    // Migrating a fresh database from nothing takes a while on a busy machine.
  }, 180_000);
});
