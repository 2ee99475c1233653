import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatabaseSettings } from '../config/settings.js';
import type { Database } from './database.js';
import { openDatabase } from './open-database.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

/** SQL files live next to this module in src/ and are copied beside the build in dist/. */
const migrationsDir = join(dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any value: the same on every instance, so two starting at once serialize on it.
const MIGRATION_LOCK_KEY = 7_342_001;

export function loadMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number.parseInt(file.slice(0, 3), 10),
        name: file.replace(/\.sql$/, ''),
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

/**
 * Applies every migration not yet recorded, each in its own transaction. A transaction-scoped
 * advisory lock makes concurrent instances wait for each other; a recorded migration whose file
 * changed afterwards stops start-up rather than leaving the schema ambiguous.
 */
export async function migrate(db: Database, migrations = loadMigrations()): Promise<string[]> {
  // Checked first: on PostgreSQL the service connects as a role that may not create tables, and
  // CREATE TABLE IF NOT EXISTS needs that right even when the table is there.
  const { rows: ledger } = await db.query<{ present: boolean }>(
    `SELECT to_regclass('schema_migrations') IS NOT NULL AS present`,
  );
  if (!ledger[0]?.present) await createLedger(db);
  // The usual start: everything recorded already, unchanged. One read instead of a transaction and
  // a lock per migration; anything else (new, or a file changed) takes the careful path below.
  if (await allRecorded(db, migrations)) return [];
  const applied: string[] = [];
  for (const migration of migrations) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const { rows } = await tx.query<{ checksum: string }>(
        'SELECT checksum FROM schema_migrations WHERE version = $1',
        [migration.version],
      );
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied (checksum differs).`);
        }
        return false;
      }
      await tx.query(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (done) applied.push(migration.name);
  }
  return applied;
}

async function allRecorded(db: Database, migrations: Migration[]): Promise<boolean> {
  const { rows } = await db.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations');
  const recorded = new Map(rows.map((r) => [r.version, r.checksum]));
  return migrations.every((m) => recorded.get(m.version) === m.checksum);
}

async function createLedger(db: Database): Promise<void> {
  // Under the migrations' lock: two instances starting on a fresh database would otherwise both run
  // CREATE TABLE IF NOT EXISTS, and the loser fails on the table's row type (42710 or 23505).
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name varchar(200) NOT NULL,
      checksum varchar(64) NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
  });
}

/** True when every known migration is recorded (readiness). */
export async function migrationsCurrent(db: Database, migrations = loadMigrations()): Promise<boolean> {
  // A named statement, as the hot paths use: readiness must fail exactly when they would.
  const { rows } = await db.query<{ n: number }>(
    {
      name: 'migrations_current',
      text: 'SELECT count(*)::int AS n FROM schema_migrations WHERE version = ANY($1::int[])',
    },
    [migrations.map((m) => m.version)],
  );
  return rows[0]?.n === migrations.length;
}

/**
 * Applies the migrations at start-up. On PostgreSQL over a connection of its own to the session
 * URL when DATABASE_DIRECT_URL is set: DDL under an advisory lock must not go through a transaction
 * pooler. On PGlite through the service's own handle, the only one its data directory allows.
 */
export async function migrateAtStartup(settings: DatabaseSettings, db: Database): Promise<string[]> {
  if (!settings.url || settings.sessionUrl === settings.url) return migrate(db);
  const direct = await openDatabase(settings, { direct: true });
  try {
    return await migrate(direct);
  } finally {
    await direct.close();
  }
}
