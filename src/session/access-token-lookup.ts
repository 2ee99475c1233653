import type DataLoader from 'dataloader';
import { batchedLoader } from '../store/batched-loader.js';
import type { ReadOnlyQueryable } from '../store/database.js';
import { isDatabaseBusy } from '../store/database-busy.js';
import { liveAccessTokens, type LiveAccessToken } from '../store/queries/tokens.js';

/**
 * Looks access tokens up by hash; the lookups that arrive together go to the database as one
 * query (see batchedLoader). Under load this turns dozens of round trips — each a pool checkout,
 * a socket write and a result parse — into one. Nothing is remembered between batches, so a
 * revocation is never missed.
 */
export class AccessTokenLookup {
  private readonly loader: DataLoader<string, LiveAccessToken | undefined>;

  constructor(db: ReadOnlyQueryable, options = { maxBatchSize: 64, maxInFlight: 4 }) {
    const lookUp = async (hashes: readonly string[]) => {
      const rows = await liveAccessTokens(db, [...new Set(hashes)]);
      const found = new Map(rows.map((r) => [r.token_value_hash, r]));
      return hashes.map((h) => found.get(h));
    };
    this.loader = batchedLoader(async (hashes) => {
      try {
        return await lookUp(hashes);
      } catch (err) {
        // A failed batch is asked again one hash at a time, so only a lookup that fails on its own
        // answers with an error — unless the database is busy, which more queries would not help.
        if (hashes.length === 1 || isDatabaseBusy(err)) return hashes.map(() => err as Error);
        return Promise.all(hashes.map((h) => lookUp([h]).then(([row]) => row, (e: unknown) => e as Error)));
      }
    }, options);
  }

  find(hash: string): Promise<LiveAccessToken | undefined> {
    return this.loader.load(hash);
  }
}
