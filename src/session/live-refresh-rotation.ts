import type DataLoader from 'dataloader';
import { batchedLoader } from '../store/batched-loader.js';
import type { Queryable } from '../store/database.js';
import {
  rotateLiveRefreshTokens,
  type RotationRequest,
  type RotationRow,
  type RotationSettings,
} from '../store/queries/refresh-rotation.js';

/**
 * The ordinary refresh — a live refresh token of a live session — for many requests at once:
 * the refreshes that arrive together are rotated by one statement (rotateLiveRefreshTokens).
 * Undefined means "not an ordinary live token": the caller takes the careful path, which tells
 * every other case apart.
 */
export class LiveRefreshRotation {
  private readonly loader: DataLoader<RotationRequest, RotationRow | undefined>;

  constructor(
    db: Queryable,
    settings: RotationSettings,
    // Two batches in flight: one executing while the other waits for its commit to reach the disk.
    // More would make the batches smaller (more statements for the same work); measured in bench/.
    options = { maxBatchSize: 64, maxInFlight: 2 },
  ) {
    this.loader = batchedLoader(async (requests) => {
      // The same token twice (two tabs): only the first rotates here; the second, on the careful
      // path after this batch commits, finds it just rotated and is judged by the grace window.
      const first = new Map<string, RotationRequest>();
      for (const r of requests) if (!first.has(r.presentedHash)) first.set(r.presentedHash, r);
      let rows: RotationRow[];
      try {
        rows = await rotateLiveRefreshTokens(db, settings, [...first.values()]);
      } catch {
        // Whatever failed the batch — a concurrent rotation on the one-active-token index, a
        // deadlock, a lock or statement timeout, one request's bad value — nothing of it
        // committed, and it must not become every request's failure: each request goes to the
        // careful path on its own, where only the request that caused it can fail.
        return requests.map(() => undefined);
      }
      const byHash = new Map(rows.map((row) => [row.presented_hash, row]));
      return requests.map((r) => (first.get(r.presentedHash) === r ? byHash.get(r.presentedHash) : undefined));
    }, options);
  }

  rotate(request: RotationRequest): Promise<RotationRow | undefined> {
    return this.loader.load(request);
  }
}
