import type { Queryable } from '../database.js';

export interface SigningKeyRow {
  kid: string;
  alg: string;
  public_jwk: Record<string, unknown>;
  private_key_sealed: string;
  created_at: Date;
  retired_at: Date | null;
  publish_until: Date | null;
}

/** The key that signs: the newest one not retired. */
export async function currentSigningKey(db: Queryable): Promise<SigningKeyRow | undefined> {
  const { rows } = await db.query<SigningKeyRow>(
    `SELECT * FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid LIMIT 1`,
  );
  return rows[0];
}

/** Public keys a relying party may still meet: the signing key(s) and retired keys whose tokens may live. */
export async function publishedPublicKeys(db: Queryable): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query<{ public_jwk: Record<string, unknown> }>(
    `SELECT public_jwk FROM signing_keys
     WHERE retired_at IS NULL OR publish_until > now()
     ORDER BY created_at DESC, kid`,
  );
  return rows.map((r) => r.public_jwk);
}

export async function insertSigningKey(
  db: Queryable,
  key: { kid: string; alg: string; publicJwk: Record<string, unknown>; sealed: string },
): Promise<void> {
  await db.query(
    `INSERT INTO signing_keys (kid, alg, public_jwk, private_key_sealed) VALUES ($1, $2, $3, $4)`,
    [key.kid, key.alg, JSON.stringify(key.publicJwk), key.sealed],
  );
}

/** Retires every signing key; each stays published for `publishSeconds`. Returns the retired kids. */
export async function retireSigningKeys(db: Queryable, publishSeconds: number): Promise<string[]> {
  const { rows } = await db.query<{ kid: string }>(
    `UPDATE signing_keys SET retired_at = now(), publish_until = now() + make_interval(secs => $1)
     WHERE retired_at IS NULL RETURNING kid`,
    [publishSeconds],
  );
  return rows.map((r) => r.kid);
}

/** Serializes key creation and rotation across instances for the rest of the transaction. */
export async function lockSigningKeys(db: Queryable): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1)', [SIGNING_KEY_LOCK]);
}

// Any constant, the same on every instance; distinct from the migration lock.
const SIGNING_KEY_LOCK = 7_342_101;
