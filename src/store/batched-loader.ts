import DataLoader from 'dataloader';

export interface BatchedLoaderOptions {
  /** Largest batch; a full batch is dispatched and the next calls open another. */
  maxBatchSize: number;
  /** Batches running at once; further batches wait, and keep gathering calls while they wait. */
  maxInFlight: number;
}

/**
 * A DataLoader without a cache whose batches go to the database at most `maxInFlight` at a time.
 *
 * Calls arriving in the same turn of the event loop share one batch — one query, one round trip,
 * one commit. While the database is busy with `maxInFlight` batches, new calls gather into the
 * next one instead of each taking a connection: the busier the database, the larger the batches
 * (group commit). An idle service still dispatches a batch of one in the next turn. Nothing is
 * remembered between batches: every answer comes from a query sent after its call arrived.
 */
export function batchedLoader<K, V>(
  load: (keys: readonly K[]) => Promise<readonly (V | Error)[]>,
  options: BatchedLoaderOptions,
): DataLoader<K, V> {
  let inFlight = 0;
  const waiting: (() => void)[] = [];
  const dispatch = (run: () => void) => {
    inFlight++;
    run();
  };
  return new DataLoader<K, V>(
    async (keys) => {
      try {
        return await load(keys);
      } finally {
        inFlight--;
        const next = waiting.shift();
        if (next) dispatch(next);
      }
    },
    {
      cache: false,
      maxBatchSize: options.maxBatchSize,
      batchScheduleFn: (run) => setImmediate(() => (inFlight < options.maxInFlight ? dispatch(run) : waiting.push(run))),
    },
  );
}
