import type { DatabaseSettings } from '../config/settings.js';
import type { Database } from './database.js';
import { openPglite } from './engines/pglite.js';
import { openPostgres } from './engines/postgres.js';

export type { DatabaseSettings };

/**
 * DATABASE_URL selects PostgreSQL — a write pool and a read pool, each with its own limits; without
 * it the embedded PGlite in the data directory. `direct` opens the session URL instead (migrations,
 * the jobs' leader lock), never through a transaction pooler, with one small pool.
 */
export function openDatabase(settings: DatabaseSettings, options: { direct?: boolean } = {}): Promise<Database> {
  if (settings.url && options.direct) {
    return openPostgres({
      connectionString: settings.sessionUrl ?? settings.url,
      poolMax: 2,
      statementTimeoutMs: settings.statementTimeoutMs,
      acquireTimeoutMs: settings.acquireTimeoutMs,
    });
  }
  if (settings.url) {
    const limits = { acquireTimeoutMs: settings.acquireTimeoutMs, maxWaiting: settings.maxWaiting };
    return openPostgres({
      connectionString: settings.url,
      pooler: settings.pooler,
      poolMax: settings.poolMax,
      statementTimeoutMs: settings.statementTimeoutMs,
      lockTimeoutMs: settings.lockTimeoutMs,
      ...limits,
      reads: { poolMax: settings.read.poolMax, statementTimeoutMs: settings.read.statementTimeoutMs, lockTimeoutMs: settings.lockTimeoutMs, ...limits },
      ...(settings.reportsUrl
        ? { reports: { connectionString: settings.reportsUrl, poolMax: settings.read.poolMax, statementTimeoutMs: settings.statementTimeoutMs, ...limits } }
        : {}),
    });
  }
  return openPglite({ dataDir: settings.dataDir });
}
