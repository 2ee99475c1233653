import type DataLoader from 'dataloader';
import { originData, recordAuditInStatement, type RequestOrigin } from '../audit/record.js';
import { batchedLoader } from '../store/batched-loader.js';
import type { Queryable } from '../store/database.js';
import { rotateLiveRefreshTokens, type RotationRequest, type RotationRow } from '../store/queries/refresh-rotation.js';
import { clientScopesJson, type ClientScopes } from './client-scopes.js';

/** One refresh for the batch: the presented token's hash, its successors' hashes, who asks. */
export interface LiveRotation {
  presentedHash: string;
  newAccessHash: string;
  newRefreshHash: string;
  origin: RequestOrigin;
}

/**
 * The ordinary refresh — a live refresh token of a live session, bound to the asking client — for
 * many requests at once: the refreshes that arrive together are rotated by one statement
 * (rotateLiveRefreshTokens), which writes their TOKEN_REFRESHED rows too. It only picks the plain
 * cases, by the same SQL rules the careful path uses (queries/token-rules.ts); undefined means
 * "not picked", and the caller's careful path, the one judge of every token, decides.
 */
export class LiveRefreshRotation {
  private readonly loader: DataLoader<LiveRotation, RotationRow | undefined>;

  constructor(
    db: Queryable,
    grants: { clients: ClientScopes; lifetimes: { accessToken: number; refreshToken: number } },
    // Two batches in flight: one executing while the other waits for its commit to reach the disk.
    // More would make the batches smaller (more statements for the same work); measured in bench/.
    options = { maxBatchSize: 64, maxInFlight: 2 },
  ) {
    const settings = {
      accessSeconds: grants.lifetimes.accessToken,
      refreshSeconds: grants.lifetimes.refreshToken,
      clientScopesJson: clientScopesJson(grants.clients),
    };
    this.loader = batchedLoader(async (rotations) => {
      // The same token twice (two tabs): only the first rotates here; the second, on the careful
      // path after this batch commits, finds it just rotated and is judged by the grace window.
      const first = new Map<string, LiveRotation>();
      for (const r of rotations) if (!first.has(r.presentedHash)) first.set(r.presentedHash, r);
      let rows: RotationRow[];
      try {
        rows = await recordAuditInStatement(
          'TOKEN_REFRESHED',
          (event) => rotateLiveRefreshTokens(db, settings, event, [...first.values()].map(rotationRequest)),
          (written) => written.map((row) => refreshedEntry(row, first.get(row.presented_hash)!.origin)),
        );
      } catch {
        // Whatever failed the batch — a concurrent rotation on the one-active-token index, a
        // deadlock, a lock or statement timeout, one request's bad value — nothing of it
        // committed, and it must not become every request's failure: each request goes to the
        // careful path on its own, where only the request that caused it can fail.
        return rotations.map(() => undefined);
      }
      const byHash = new Map(rows.map((row) => [row.presented_hash, row]));
      return rotations.map((r) => (first.get(r.presentedHash) === r ? byHash.get(r.presentedHash) : undefined));
    }, options);
  }

  rotate(rotation: LiveRotation): Promise<RotationRow | undefined> {
    return this.loader.load(rotation);
  }
}

function rotationRequest(r: LiveRotation): RotationRequest {
  return {
    presentedHash: r.presentedHash,
    clientId: r.origin.clientId ?? null,
    newAccessHash: r.newAccessHash,
    newRefreshHash: r.newRefreshHash,
    correlationId: r.origin.correlationId,
    ipAddress: r.origin.ipAddress,
    userAgent: r.origin.userAgent ?? null,
    auditDataJson: JSON.stringify(originData(r.origin)),
  };
}

/** The TOKEN_REFRESHED row the statement wrote for one rotation, as its listeners are told of it. */
function refreshedEntry(row: RotationRow, origin: RequestOrigin) {
  return {
    origin,
    cupid: row.cupid,
    contextId: row.context_id,
    sessionId: row.session_id,
    data: {
      ...originData(origin),
      rotated_refresh_token_id: row.rotated_refresh_token_id,
      rotated_access_token_id: row.rotated_access_token_id,
      new_access_token_id: row.new_access_token_id,
      new_refresh_token_id: row.new_refresh_token_id,
    },
  };
}
