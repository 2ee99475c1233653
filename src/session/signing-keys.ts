import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Database, Queryable, ReadOnlyQueryable } from '../store/database.js';
import {
  currentSigningKey,
  insertSigningKey,
  lockSigningKeys,
  publishedPublicKeys,
  retireSigningKeys,
  type SigningKeyRow,
} from '../store/queries/signing-keys.js';
import { seal, unseal } from './key-sealing.js';

export const ID_TOKEN_ALG = 'ES256';

/**
 * How long an instance keeps signing with the key it loaded. After a rotation elsewhere, an
 * instance signs with the old key for at most this long, so a retired key stays published this
 * much longer than the ID token lifetime.
 */
export const SIGNING_KEY_CACHE_SECONDS = 30;

export interface SigningKey {
  kid: string;
  alg: typeof ID_TOKEN_ALG;
  privateKey: CryptoKey;
}

/**
 * ID-token signing keys, persisted in signing_keys with the private half sealed under the
 * key-encryption key. The first signature creates a key if there is none; an advisory lock makes
 * two instances starting together agree on one.
 */
export class SigningKeys {
  private cached?: { key: SigningKey; loadedAt: number };

  constructor(
    private readonly db: Database,
    private readonly kek: Buffer,
    private readonly idTokenLifetimeSeconds: number,
  ) {}

  /**
   * The key to sign with. `q` is the caller's transaction when there is one: a second connection
   * would deadlock on the embedded engine's single connection. A key created here commits or rolls
   * back with that transaction, so it is not cached until it has been read back.
   */
  async signingKey(q: Queryable = this.db): Promise<SigningKey> {
    const hit = this.cached;
    if (hit && Date.now() - hit.loadedAt < SIGNING_KEY_CACHE_SECONDS * 1000) return hit.key;
    const row = await currentSigningKey(q);
    if (row) {
      const key = await this.open(row);
      this.cached = { key, loadedAt: Date.now() };
      return key;
    }
    await lockSigningKeys(q);
    const raced = await currentSigningKey(q);
    if (raced) return this.open(raced);
    return this.create(q);
  }

  /** Public JWKs of every key a valid ID token may carry. Read on each call: never stale after a rotation. */
  async publicKeys(q: ReadOnlyQueryable = this.db.reads): Promise<JWK[]> {
    return (await publishedPublicKeys(q)) as JWK[];
  }

  /**
   * Makes a new key the signing key; the previous ones stay published until every ID token they
   * signed has expired. Runs in the caller's transaction (with its audit row).
   */
  async rotate(tx: Queryable): Promise<{ kid: string; retired: string[]; publishUntilSeconds: number }> {
    await lockSigningKeys(tx);
    const publishUntilSeconds = this.idTokenLifetimeSeconds + SIGNING_KEY_CACHE_SECONDS;
    const retired = await retireSigningKeys(tx, publishUntilSeconds);
    const key = await this.create(tx);
    this.cached = undefined;
    return { kid: key.kid, retired, publishUntilSeconds };
  }

  private async create(q: Queryable): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(ID_TOKEN_ALG, { extractable: true });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    await insertSigningKey(q, {
      kid,
      alg: ID_TOKEN_ALG,
      publicJwk: { ...publicJwk, kid, alg: ID_TOKEN_ALG, use: 'sig' },
      sealed: seal(this.kek, kid, JSON.stringify(privateJwk)),
    });
    return { kid, alg: ID_TOKEN_ALG, privateKey: privateKey as CryptoKey };
  }

  private async open(row: SigningKeyRow): Promise<SigningKey> {
    if (row.alg !== ID_TOKEN_ALG) throw new Error(`Signing key ${row.kid} has unsupported alg ${row.alg}.`);
    const jwk = JSON.parse(unseal(this.kek, row.kid, row.private_key_sealed)) as JWK;
    const privateKey = (await importJWK(jwk, ID_TOKEN_ALG)) as CryptoKey;
    return { kid: row.kid, alg: ID_TOKEN_ALG, privateKey };
  }
}
