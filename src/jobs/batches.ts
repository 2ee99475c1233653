import type { Queryable } from '../store/database.js';
import { limitLockWait, type BoundedMaintenance } from '../store/queries/maintenance.js';
import type { JobContext } from './job.js';

/**
 * Calls a bounded maintenance function until it changes fewer rows than the batch size. Each call
 * is its own short transaction, so a backlog of millions never holds locks or bloats one
 * transaction; a lock it cannot get within the lock timeout fails the batch instead of queueing
 * the service's own writes behind it.
 */
export async function repeatInBatches(ctx: JobContext, maintenance: BoundedMaintenance): Promise<number> {
  const limit = ctx.settings.batchSize;
  const fn = maintenance.fn;
  let total = 0;
  for (let batch = 1; ; batch++) {
    if (ctx.signal.aborted) {
      ctx.log.info({ fn, total }, 'maintenance stopped between batches (shutdown)');
      return total;
    }
    const n = await ctx.db.transaction(async (tx) => {
      await limitLockWait(tx, ctx.settings.lockTimeoutMs);
      return maintenance.call(tx, limit);
    });
    ctx.changed(n);
    total += n;
    if (n < limit) return total;
    if (batch >= ctx.settings.maxBatches) {
      ctx.log.warn({ fn, total, batches: batch }, 'maintenance backlog larger than one run allows; the next run continues');
      return total;
    }
  }
}

/** One call of an unbounded function (partition management), in a transaction with the lock timeout. */
export async function callOnce(ctx: JobContext, call: (tx: Queryable) => Promise<number>): Promise<number> {
  const n = await ctx.db.transaction(async (tx) => {
    await limitLockWait(tx, ctx.settings.lockTimeoutMs);
    return call(tx);
  });
  ctx.changed(n);
  return n;
}
