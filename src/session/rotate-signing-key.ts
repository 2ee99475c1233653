import { recordAudit } from '../audit/record.js';
import type { Database } from '../store/database.js';
import type { SigningKeys } from './signing-keys.js';

/**
 * Makes a fresh key the ID-token signing key, audited as SIGNING_KEY_ROTATED in the same
 * transaction. The retired key stays in the JWKS until every ID token it signed has expired.
 */
export async function rotateSigningKey(db: Database, keys: SigningKeys, operator: string) {
  return db.transaction(async (tx) => {
    const result = await keys.rotate(tx);
    await recordAudit(tx, {
      type: 'SIGNING_KEY_ROTATED',
      data: { new_kid: result.kid, retired_kids: result.retired, published_for_seconds: result.publishUntilSeconds, operator },
    });
    return result;
  });
}
