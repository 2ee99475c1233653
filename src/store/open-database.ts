import type { Database } from './database.js';
import { openPglite } from './engines/pglite.js';
import { openPostgres } from './engines/postgres.js';

export interface DatabaseSettings {
  url?: string;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
}

/** DATABASE_URL selects PostgreSQL; without it the embedded PGlite in the data directory. */
export function openDatabase(settings: DatabaseSettings): Promise<Database> {
  if (settings.url) {
    return openPostgres({
      connectionString: settings.url,
      poolMax: settings.poolMax,
      statementTimeoutMs: settings.statementTimeoutMs,
    });
  }
  return openPglite({ dataDir: settings.dataDir });
}
