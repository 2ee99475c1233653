import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/** Something SQL can be sent to: the pool itself, or one transaction's connection. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}

/**
 * A handle for statements that never write. Its calls are Queryable's; the mark keeps a
 * transaction or the write pool from being handed where one of Database's read handles (`reads`,
 * `reports`) belongs, so which pool a read path uses is decided in one place, the engine.
 */
export interface ReadOnlyQueryable extends Queryable {
  readonly readOnly: true;
}

/** Marks `q` as used only for reads (see ReadOnlyQueryable); the engines make their read handles with it. */
export function readOnly(q: Queryable): ReadOnlyQueryable {
  return { query: (text, values) => q.query(text, values), readOnly: true };
}

export type EngineName = 'pglite' | 'postgres';

/**
 * The one storage handle the service uses. Both engines speak through node-postgres, so every
 * query in `store/queries` runs unchanged on the embedded PGlite and on a PostgreSQL server.
 * Writes (and reads that must see them at once) go through `query` and `transaction`, on the
 * write pool.
 */
export interface Database extends Queryable {
  readonly engine: EngineName;
  /**
   * Where the hot statements that never write go (the gateway's token check, userinfo and /me
   * authentication, JWKS): on PostgreSQL a pool of its own on the primary
   * (DATABASE_READ_POOL_MAX), so writes stalled on a lock cannot take every connection from
   * them; on PGlite the one connection that serves everything.
   */
  readonly reads: ReadOnlyQueryable;
  /**
   * Where the agent API's reports go (audit timeline, high-risk logins, a customer's sessions and
   * devices): a streaming replica when DATABASE_READ_URL is set, which may lag the primary by a
   * moment; otherwise the write pool. Never anything on a login or token path.
   */
  readonly reports: ReadOnlyQueryable;
  /**
   * Runs `work` inside BEGIN … COMMIT on one connection; any throw rolls everything back. A state
   * change and its audit rows belong in the same call.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Pool usage for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** SQLSTATE codes the service (and its store tests) react to. PGlite's error classes are minified: compare codes. */
export const SqlState = {
  uniqueViolation: '23505',
  checkViolation: '23514',
  insufficientPrivilege: '42501',
  deadlockDetected: '40P01',
  /** lock_timeout expired (or NOWAIT found the row locked). */
  lockNotAvailable: '55P03',
  /** statement_timeout expired (or the statement was cancelled). */
  queryCanceled: '57014',
} as const;

export function sqlStateOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}
