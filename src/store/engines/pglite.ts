import { PGlite } from '@electric-sql/pglite';
import { createPgConfig, PglitePgConnection } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import type { Database } from '../database.js';
import { DataDirLock } from './data-dir-lock.js';
import { poolDatabase } from './pool-database.js';

export interface PgliteOptions {
  /** A directory on disk, or undefined for an in-memory database (tests). */
  dataDir?: string;
  /** A snapshot from `dumpDataDir()` to start from (tests load a migrated template this way). */
  loadDataDir?: Blob;
}

/**
 * The embedded engine: PostgreSQL compiled to WASM, in this process. It runs one statement at a
 * time, so the pool has exactly one connection and transactions queue behind each other.
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  const lock = options.dataDir ? DataDirLock.acquire(options.dataDir) : undefined;
  try {
    const pglite = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
    const pool = pglitePool(pglite);
    pool.on('error', () => {});
    return poolDatabase('pglite', pool, async () => {
      await pglite.close();
      lock?.release();
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
}

/** A migrated database as a snapshot, so each test can start from it in about half a second. */
export async function snapshotPglite(build: (db: Database) => Promise<void>): Promise<Blob> {
  const pglite = await PGlite.create();
  const pool = pglitePool(pglite);
  const db = poolDatabase('pglite', pool, async () => {});
  await build(db);
  await pool.end();
  const blob = await pglite.dumpDataDir('none');
  await pglite.close();
  return blob;
}

/**
 * One pool connection over the PGlite instance. pg-pool discards a client whose query failed, and
 * ending a client ends its connection object: with the one connection object that
 * `createPgConfig` shares between all clients, the client created next received that late `end`
 * and its first query failed ("Connection terminated unexpectedly"). Each client therefore gets a
 * connection object of its own; ending one never closes the PGlite instance.
 */
function pglitePool(pglite: PGlite): pg.Pool {
  class PgliteClient extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connection: new PglitePgConnection({ pglite }) } as pg.ClientConfig);
    }
  }
  return new pg.Pool({ ...createPgConfig(pglite), max: 1, Client: PgliteClient } as pg.PoolConfig);
}
