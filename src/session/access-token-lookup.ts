import type { Queryable } from '../store/database.js';
import { liveAccessTokens, type LiveAccessToken } from '../store/queries/tokens.js';

type Waiter = { resolve: (row: LiveAccessToken | undefined) => void; reject: (err: unknown) => void };

/**
 * Looks access tokens up by hash, sending the lookups that arrive in the same turn of the event
 * loop to the database as one query (the DataLoader pattern). Under load this turns dozens of
 * round trips — each a pool checkout, a socket write and a result parse — into one; an idle
 * service still sends a lookup per call. Nothing is remembered between batches: each lookup is
 * answered from a query sent after it arrived, so a revocation is never missed.
 */
export class AccessTokenLookup {
  private pending?: Map<string, Waiter[]>;

  constructor(
    private readonly db: Queryable,
    /** Largest batch; a full batch is sent at once. */
    private readonly maxBatch = 64,
  ) {}

  find(hash: string): Promise<LiveAccessToken | undefined> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = new Map();
        setImmediate(() => this.flush());
      }
      const waiters = this.pending.get(hash);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(hash, [{ resolve, reject }]);
      if (this.pending.size >= this.maxBatch) this.flush();
    });
  }

  private flush(): void {
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    liveAccessTokens(this.db, [...batch.keys()]).then(
      (rows) => {
        const found = new Map(rows.map((r) => [r.token_value_hash, r]));
        for (const [hash, waiters] of batch) for (const w of waiters) w.resolve(found.get(hash));
      },
      (err) => {
        for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
      },
    );
  }
}
