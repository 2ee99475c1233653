import { z } from 'zod';
import { nonNegativeInt, oneOf, optionalUrl, positiveInt, readEnv, SettingsError, type Env } from './fields.js';

/** Where the data lives and how the pools to it behave. */
const DatabaseEnv = z.object({
  /** PostgreSQL connection string. Unset → the embedded PGlite database in CIAM_DATA_DIR. */
  DATABASE_URL: optionalUrl(),
  /** Connections in the PostgreSQL pool per instance. */
  DATABASE_POOL_MAX: positiveInt(20),
  /** Server-side statement timeout, so no query can hold a connection forever. */
  DATABASE_STATEMENT_TIMEOUT_MS: positiveInt(10_000),
  /** How long a statement of the write pool waits for a row or table lock before it fails (503 with Retry-After). */
  DATABASE_LOCK_TIMEOUT_MS: positiveInt(2_000),
  /** How long a request waits for a free connection of either pool before it is answered 503 with Retry-After. */
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: positiveInt(2_000),
  /** Requests allowed to queue for a connection of either pool; the next one is answered 503 with Retry-After at once. */
  DATABASE_POOL_MAX_WAITING: nonNegativeInt(100),
  /** Connections in the read pool (token verify, JWKS, userinfo), apart from DATABASE_POOL_MAX. */
  DATABASE_READ_POOL_MAX: positiveInt(10),
  /** Statement timeout of the read pool: its statements are single indexed lookups. */
  DATABASE_READ_STATEMENT_TIMEOUT_MS: positiveInt(5_000),
  /** What sits between the service and PostgreSQL: `none`, or `transaction` for PgBouncer's transaction pooling. */
  DATABASE_POOLER: oneOf(['none', 'transaction'], 'none'),
  /** A streaming replica for the agent API's reports (audit timeline, high-risk logins, session and device lists); unset → the primary. */
  DATABASE_READ_URL: optionalUrl(),
  /** A direct (not pooled) connection string for migrations and the jobs' leader lock; required with DATABASE_POOLER=transaction. */
  DATABASE_DIRECT_URL: optionalUrl(),
});

export interface DatabaseSettings {
  /** PostgreSQL (possibly through PgBouncer); unset → the embedded PGlite in dataDir. */
  url?: string;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  acquireTimeoutMs: number;
  maxWaiting: number;
  read: { poolMax: number; statementTimeoutMs: number };
  pooler: 'none' | 'transaction';
  /** A streaming replica for the agent reports; never used on a login or token path. */
  reportsUrl?: string;
  /** Where work that needs a session of its own connects (migrations, advisory locks): the direct URL, else `url`. */
  sessionUrl?: string;
}

/** `dataDir` is CIAM_DATA_DIR: the embedded database lives below it. */
export function readDatabaseSettings(env: Env, dataDir: string): DatabaseSettings {
  const e = readEnv(DatabaseEnv, env);
  if (e.DATABASE_LOCK_TIMEOUT_MS >= e.DATABASE_STATEMENT_TIMEOUT_MS) {
    throw new SettingsError('DATABASE_LOCK_TIMEOUT_MS must be shorter than DATABASE_STATEMENT_TIMEOUT_MS (a lock wait is part of a statement).');
  }
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) {
    throw new SettingsError('DATABASE_READ_URL needs DATABASE_URL (a replica of the PostgreSQL primary; the embedded database has none).');
  }
  if (e.DATABASE_POOLER === 'transaction' && !e.DATABASE_URL) {
    throw new SettingsError('DATABASE_POOLER=transaction needs DATABASE_URL (the PgBouncer address).');
  }
  if (e.DATABASE_POOLER === 'transaction' && !e.DATABASE_DIRECT_URL) {
    throw new SettingsError(
      'DATABASE_POOLER=transaction needs DATABASE_DIRECT_URL: migrations and the jobs\' leader lock hold a session, which transaction pooling does not keep.',
    );
  }
  return {
    url: e.DATABASE_URL,
    dataDir: `${dataDir}/pglite`,
    poolMax: e.DATABASE_POOL_MAX,
    statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
    lockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
    acquireTimeoutMs: e.DATABASE_POOL_ACQUIRE_TIMEOUT_MS,
    maxWaiting: e.DATABASE_POOL_MAX_WAITING,
    read: { poolMax: e.DATABASE_READ_POOL_MAX, statementTimeoutMs: e.DATABASE_READ_STATEMENT_TIMEOUT_MS },
    pooler: e.DATABASE_POOLER,
    sessionUrl: e.DATABASE_DIRECT_URL ?? e.DATABASE_URL,
    reportsUrl: e.DATABASE_READ_URL,
  };
}
