import pg from 'pg';
import type { Database, ReadOnlyQueryable } from '../database.js';
import { PoolSaturatedError } from '../database-busy.js';
import { poolDatabase } from './pool-database.js';

/** What is between the service and PostgreSQL: nothing, or PgBouncer in transaction pooling mode. */
export type Pooler = 'none' | 'transaction';

/** One pool's limits. */
export interface PoolLimits {
  poolMax: number;
  statementTimeoutMs: number;
  /** How long an unused connection stays open (node-postgres closes it after this). */
  idleTimeoutMs?: number;
  /** How long a statement waits for a row or table lock before failing with 55P03. */
  lockTimeoutMs?: number;
  /** How long a request waits for a free connection before failing (pg.Pool connectionTimeoutMillis). */
  acquireTimeoutMs?: number;
  /** Requests allowed to wait for a connection; one more is refused at once (PoolSaturatedError). */
  maxWaiting?: number;
}

export interface PostgresOptions extends PoolLimits {
  connectionString: string;
  pooler?: Pooler;
  /** A separate pool for statements that never write (Database.reads); same server unless `connectionString` is given. */
  reads?: PoolLimits & { connectionString?: string };
  /** A pool on a streaming replica for the agent reports (Database.reports). */
  reports?: PoolLimits & { connectionString: string };
}

// timestamptz and inet come back as strings we control; bigint counts as numbers (counts stay small).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number.parseInt(v, 10));

const DEFAULT_ACQUIRE_TIMEOUT_MS = 5_000;

export async function openPostgres(options: PostgresOptions): Promise<Database> {
  const pooler = options.pooler ?? 'none';
  const writes = newPool('write', options.connectionString, options, pooler);
  const reads = options.reads ? newPool('read', options.reads.connectionString ?? options.connectionString, options.reads, pooler) : undefined;
  const reports = options.reports ? newPool('report', options.reports.connectionString, options.reports, pooler) : undefined;
  try {
    await writes.query('SELECT 1');
    await reads?.query('SELECT 1');
    // A replica that is down must not keep the service from starting: its reports answer 503 until it is back.
  } catch (err) {
    await Promise.allSettled([writes.end(), reads?.end(), reports?.end()]);
    throw err;
  }
  const db = poolDatabase('postgres', writes, async () => {
    await Promise.all([reads?.end(), reports?.end()]);
  });
  // Behind PgBouncer's transaction pooling nothing may be set for the session (the next transaction
  // may run on another server connection): the timeouts travel with each transaction instead.
  const plainTransaction = db.transaction;
  const transaction: Database['transaction'] =
    pooler === 'transaction'
      ? (work) =>
          plainTransaction(async (tx) => {
            await tx.query(localTimeouts(options));
            return work(tx);
          })
      : plainTransaction;
  return Object.assign(db, {
    transaction,
    ...(reads ? { reads: readsOn(reads) } : {}),
    ...(reports ? { reports: readsOn(reports) } : {}),
  });
}

function readsOn(pool: pg.Pool): ReadOnlyQueryable {
  return { query: (text, values) => pool.query(text as never, values as never) as never, readOnly: true };
}

function localTimeouts(limits: PoolLimits): string {
  const sets = [`SET LOCAL statement_timeout = ${Math.trunc(limits.statementTimeoutMs)}`];
  if (limits.lockTimeoutMs) sets.push(`SET LOCAL lock_timeout = ${Math.trunc(limits.lockTimeoutMs)}`);
  return sets.join('; ');
}

function newPool(role: 'write' | 'read' | 'report', connectionString: string, limits: PoolLimits, pooler: Pooler): pg.Pool {
  const maxWaiting = limits.maxWaiting ?? Number.POSITIVE_INFINITY;

  /**
   * Refuses a checkout at once when every connection is busy and `maxWaiting` requests already
   * wait: a request queued behind that many would wait past any client's timeout, and a full
   * queue says the database is not keeping up. pg-pool has no bound on its queue; its `query`
   * checks out through `connect`, so this one override covers both.
   */
  class BoundedPool extends pg.Pool {
    override connect(): Promise<pg.PoolClient>;
    override connect(callback: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void): void;
    override connect(callback?: (err: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void) {
      // Queued checkouts that an idle connection or a connection still to be opened will serve do not wait.
      const free = this.idleCount + Math.max(0, limits.poolMax - this.totalCount);
      if (this.waitingCount >= maxWaiting + free) {
        const err = new PoolSaturatedError(role, this.waitingCount - free);
        if (callback) return void process.nextTick(() => callback(err, undefined, () => {}));
        return Promise.reject(err);
      }
      return callback ? super.connect(callback as never) : super.connect();
    }
  }

  const pool = new BoundedPool({
    connectionString,
    max: limits.poolMax,
    // Startup parameters are session state, which PgBouncer refuses in transaction pooling.
    ...(pooler === 'none'
      ? { statement_timeout: limits.statementTimeoutMs, ...(limits.lockTimeoutMs ? { lock_timeout: limits.lockTimeoutMs } : {}) }
      : {}),
    connectionTimeoutMillis: limits.acquireTimeoutMs ?? DEFAULT_ACQUIRE_TIMEOUT_MS,
    idleTimeoutMillis: limits.idleTimeoutMs ?? 30_000,
    application_name: role === 'write' ? 'ciam-backend' : `ciam-backend-${role}`,
    ...(pooler === 'transaction' ? { Client: UnnamedStatementClient } : {}),
  });
  // An idle client losing its server must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return pool;
}

/**
 * A client that sends every statement unnamed. The hot queries are named prepared statements
 * (parsed once per connection); behind PgBouncer's transaction pooling (1.18 here; named statements
 * only from 1.21 with max_prepared_statements) the next execution may reach a server connection
 * that never saw the statement ("prepared statement does not exist").
 */
class UnnamedStatementClient extends pg.Client {
  override query(...args: unknown[]): never {
    const [config] = args;
    if (config && typeof config === 'object' && 'name' in config && typeof (config as { submit?: unknown }).submit !== 'function') {
      const { name: _unnamed, ...rest } = config as { name?: string };
      args[0] = rest;
    }
    return (super.query as (...a: unknown[]) => never)(...args);
  }
}
