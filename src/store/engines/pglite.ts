import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig, PglitePgConnection } from '@electric-sql/pglite/node-postgres';
import pg from 'pg';
import type { Database } from '../database.js';
import { DataDirLock } from './data-dir-lock.js';
import { singleConnectionDatabase } from './single-connection.js';
import { keepWasmOnBaselineTier } from './wasm-tiering.js';

export interface PgliteOptions {
  /** A directory on disk, or undefined for an in-memory database (tests). */
  dataDir?: string;
  /** A snapshot from `dumpDataDir()` to start from (tests load a migrated template this way). */
  loadDataDir?: Blob;
}

/**
 * PGlite's own start parameters, with a smaller buffer cache. PostgreSQL's default of 128 MB is for
 * a server of its own; here the cache lives inside the service's process and is zeroed at every
 * start — about half a second of CPU and 100 MB of resident memory at 128 MB. The data files
 * still sit in the operating system's page cache (PGlite reads them through the file system).
 */
const START_PARAMS = [...PGlite.defaultStartParams, '-c', 'shared_buffers=32MB'];

/**
 * The cluster initdb makes, written by the build beside the built engine (scripts/pglite-initdb.mjs):
 * a new data directory starts from it instead of running initdb in the service — most of a first
 * start's CPU. Absent when running from the sources; then PGlite runs initdb itself.
 */
const INITDB_SNAPSHOT = fileURLToPath(new URL('./pglite-initdb.tar.gz', import.meta.url));

function initdbSnapshotFor(dataDir: string): Blob | undefined {
  if (existsSync(join(dataDir, 'PG_VERSION')) || !existsSync(INITDB_SNAPSHOT)) return undefined;
  return new Blob([readFileSync(INITDB_SNAPSHOT)]);
}

/**
 * The embedded engine: PostgreSQL compiled to WASM, in this process — one backend session, so one
 * connection for the life of the process (see singleConnectionDatabase); callers queue behind it.
 */
export async function openPglite(options: PgliteOptions): Promise<Database> {
  keepWasmOnBaselineTier();
  const lock = options.dataDir ? DataDirLock.acquire(options.dataDir) : undefined;
  try {
    const loadDataDir = options.loadDataDir ?? (options.dataDir ? initdbSnapshotFor(options.dataDir) : undefined);
    const pglite = await PGlite.create({
      startParams: START_PARAMS,
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
    });
    return singleConnectionDatabase('pglite', () => pgliteClient(pglite), async () => {
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
  keepWasmOnBaselineTier();
  const pglite = await PGlite.create({ startParams: START_PARAMS });
  const db = singleConnectionDatabase('pglite', () => pgliteClient(pglite), async () => {});
  await build(db);
  await db.close();
  const blob = await pglite.dumpDataDir('none');
  await pglite.close();
  return blob;
}

/**
 * A node-postgres client speaking to the PGlite instance in process. Each client gets a
 * connection object of its own (the one `createPgConfig` offers is shared): ending a replaced
 * client must not end its successor's connection.
 */
function pgliteClient(pglite: PGlite): pg.Client {
  const { connection: _shared, ...config } = createPgConfig(pglite);
  return new pg.Client({ ...config, connection: new PglitePgConnection({ pglite }) } as pg.ClientConfig);
}
