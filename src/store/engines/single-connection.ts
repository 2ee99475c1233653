import type pg from 'pg';
import { readOnly, type Database, type EngineName, type Queryable } from '../database.js';

/**
 * A Database over exactly one node-postgres client that lives as long as the process, for an
 * engine that is a single PostgreSQL session (PGlite).
 *
 * Why not a pg.Pool of one: a pool replaces its client after an idle timeout or a failed query,
 * and a new client believes no named statement is prepared while the one backend session still
 * holds them all, so the next named statement failed with 42P05 "already exists" — for good. A
 * session that is never replaced cannot disagree with itself. Callers queue here in arrival order;
 * a transaction keeps the connection until it commits or rolls back, so nobody's statement lands
 * inside somebody else's transaction.
 */
export function singleConnectionDatabase(
  engine: EngineName,
  newClient: () => pg.Client,
  onClose: () => Promise<void>,
): Database {
  let client: Promise<pg.Client> | undefined;
  let tail: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  let busy = false;
  let closed = false;

  /**
   * Connects on first use. A client is replaced only when its connection reports an error (the
   * engine failed underneath it); the replacement starts the session afresh — outside any
   * transaction, no prepared statements — so its empty statement cache is true again.
   */
  function connection(): Promise<pg.Client> {
    if (!client) {
      const fresh = newClient();
      fresh.on('error', () => {
        if (client === pending) client = undefined;
      });
      const pending = fresh.connect().then(async () => {
        await fresh.query('ROLLBACK');
        await fresh.query('DEALLOCATE ALL');
        return fresh;
      });
      pending.catch(() => {
        if (client === pending) client = undefined;
      });
      client = pending;
    }
    return client;
  }

  /** Runs `work` when every earlier caller is done. */
  function serially<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
    if (closed) return Promise.reject(new Error('database closed'));
    waiting += 1;
    const run = tail.then(async () => {
      waiting -= 1;
      busy = true;
      try {
        return await work(await connection());
      } finally {
        busy = false;
      }
    });
    tail = run.catch(() => {});
    return run;
  }

  async function inTransaction<T>(c: pg.Client, work: (tx: Queryable) => Promise<T>): Promise<T> {
    await c.query('BEGIN');
    try {
      const result = await work(c);
      await c.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await c.query('ROLLBACK');
      } catch {
        // The session is unusable: drop the client so the next caller gets a fresh one.
        client = undefined;
        await c.end().catch(() => {});
      }
      throw err;
    }
  }

  const query: Queryable['query'] = (text, values) => serially((c) => c.query(text as never, values as never)) as never;
  return {
    engine,
    query,
    // One connection serves everything: reads queue behind writes like any other statement.
    reads: readOnly({ query }),
    reports: readOnly({ query }),
    transaction: (work) => serially((c) => inTransaction(c, work)),
    poolStats: () => ({ total: client ? 1 : 0, idle: client && !busy ? 1 : 0, waiting }),
    async close() {
      await serially(async () => {});
      closed = true;
      const last = client;
      client = undefined;
      if (last) await (await last.catch(() => undefined))?.end().catch(() => {});
      await onClose();
    },
  };
}
