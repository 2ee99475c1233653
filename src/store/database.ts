import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/** Something SQL can be sent to: the pool itself, or one transaction's connection. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(
    text: string | QueryConfig<unknown[]>,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}

export type EngineName = 'pglite' | 'postgres';

/**
 * The one storage handle the service uses. Both engines speak through node-postgres, so every
 * query in `store/queries` runs unchanged on the embedded PGlite and on a PostgreSQL server.
 */
export interface Database extends Queryable {
  readonly engine: EngineName;
  /**
   * Runs `work` inside BEGIN … COMMIT on one connection; any throw rolls everything back. A state
   * change and its audit rows belong in the same call.
   */
  transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Pool usage for metrics. */
  poolStats(): { total: number; idle: number; waiting: number };
  close(): Promise<void>;
}

/** SQLSTATE codes the service reacts to. PGlite's error classes are minified: compare codes. */
export const SqlState = {
  uniqueViolation: '23505',
  checkViolation: '23514',
  foreignKeyViolation: '23503',
  notNullViolation: '23502',
  invalidTextRepresentation: '22P02',
  insufficientPrivilege: '42501',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
} as const;

export function sqlStateOf(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return undefined;
}
