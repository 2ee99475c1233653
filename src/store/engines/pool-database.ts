import type pg from 'pg';
import { readOnly, type Database, type EngineName, type Queryable } from '../database.js';

/**
 * A Database over a node-postgres pool. Its read handles are the same pool until the engine gives
 * them pools of their own (see openPostgres).
 */
export function poolDatabase(engine: EngineName, pool: pg.Pool, onClose: () => Promise<void>): Database {
  async function transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true; // the connection is unusable; let the pool discard it
      }
      throw err;
    } finally {
      client.release(broken);
    }
  }

  const query: Queryable['query'] = (text, values) => pool.query(text as never, values as never) as never;
  return {
    engine,
    query,
    reads: readOnly({ query }),
    reports: readOnly({ query }),
    transaction,
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async close() {
      await pool.end();
      await onClose();
    },
  };
}
