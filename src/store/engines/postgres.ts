import pg from 'pg';
import type { Database } from '../database.js';
import { poolDatabase } from './pool-database.js';

export interface PostgresOptions {
  connectionString: string;
  poolMax: number;
  statementTimeoutMs: number;
  /** How long an unused connection stays open (node-postgres closes it after this). */
  idleTimeoutMs?: number;
}

// timestamptz and inet come back as strings we control; bigint counts as numbers (counts stay small).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.poolMax,
    statement_timeout: options.statementTimeoutMs,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    application_name: 'ciam-backend',
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  await pool.query('SELECT 1');
  return poolDatabase('postgres', pool, async () => {});
}
