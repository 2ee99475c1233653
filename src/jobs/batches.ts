import type { JobContext } from './job.js';

/**
 * Calls a bounded maintenance function until it changes fewer rows than the batch size. Each call
 * is its own short transaction, so a backlog of millions never holds locks or bloats one
 * transaction; a lock it cannot get within the lock timeout fails the batch instead of queueing
 * the service's own writes behind it.
 *
 * `sql` must select one integer column `n` and take the batch size as $1 (further parameters follow).
 */
export async function repeatInBatches(ctx: JobContext, sql: string, params: unknown[] = []): Promise<number> {
  const limit = ctx.settings.batchSize;
  let total = 0;
  for (let batch = 1; ; batch++) {
    if (ctx.signal.aborted) {
      ctx.log.info({ sql, total }, 'maintenance stopped between batches (shutdown)');
      return total;
    }
    const n = await ctx.db.transaction(async (tx) => {
      await tx.query("SELECT set_config('lock_timeout', $1, true)", [`${ctx.settings.lockTimeoutMs}ms`]);
      const { rows } = await tx.query<{ n: number }>(sql, [limit, ...params]);
      return Number(rows[0]?.n ?? 0);
    });
    ctx.changed(n);
    total += n;
    if (n < limit) return total;
    if (batch >= ctx.settings.maxBatches) {
      ctx.log.warn({ sql, total, batches: batch }, 'maintenance backlog larger than one run allows; the next run continues');
      return total;
    }
  }
}

/** One call of an unbounded function (partition management), in a transaction with the lock timeout. */
export async function callOnce(ctx: JobContext, sql: string, params: unknown[] = []): Promise<number> {
  const n = await ctx.db.transaction(async (tx) => {
    await tx.query("SELECT set_config('lock_timeout', $1, true)", [`${ctx.settings.lockTimeoutMs}ms`]);
    const { rows } = await tx.query<{ n: number }>(sql, params);
    return Number(rows[0]?.n ?? 0);
  });
  ctx.changed(n);
  return n;
}
