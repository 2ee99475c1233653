import { SqlState, sqlStateOf } from './database.js';

/** How long a caller refused because the database is busy is asked to wait (Retry-After, seconds). */
export const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * Refused at once because the pool already has as many requests waiting for a connection as it
 * may: waiting longer would only outlast the client's own timeout.
 */
export class PoolSaturatedError extends Error {
  override name = 'PoolSaturatedError';
  constructor(pool: string, waiting: number) {
    super(`the ${pool} database pool is saturated (${waiting} requests already waiting)`);
  }
}

/** Refused at once because requests for the same row are already waiting for it (see oneAtATime). */
export class RowBusyError extends Error {
  override name = 'RowBusyError';
  constructor() {
    super('requests for the same row are already waiting for it');
  }
}

// pg-pool's message when connectionTimeoutMillis passes before a connection is free; it has no code.
const ACQUIRE_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/**
 * True when a failure says "the database is busy, try again shortly" — no connection free in
 * time, too many waiting, a lock not granted within lock_timeout, a statement past
 * statement_timeout — rather than "the database is down" or a bug. Such answers carry Retry-After.
 * Looks through `cause` chains, since callers wrap database errors.
 */
export function isDatabaseBusy(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof PoolSaturatedError || e instanceof RowBusyError) return true;
    const state = sqlStateOf(e);
    if (state === SqlState.lockNotAvailable || state === SqlState.queryCanceled) return true;
    if (e instanceof Error && e.message === ACQUIRE_TIMEOUT_MESSAGE) return true;
    const next: unknown = (e as { cause?: unknown }).cause ?? (e as { details?: { cause?: unknown } }).details?.cause;
    e = next;
  }
  return false;
}
