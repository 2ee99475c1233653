import type { Queryable } from '../database.js';

export interface TrustedDeviceRow {
  device_id: string;
  cupid: string;
  device_fingerprint: string;
  device_fingerprint_hash: string;
  device_name: string | null;
  device_type: string | null;
  status: 'ACTIVE' | 'REVOKED' | 'EXPIRED';
  trusted_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** The one predicate that makes a device trusted for a customer. */
const activeFor = `cupid = $1 AND device_fingerprint_hash = $2 AND status = 'ACTIVE'`;

export async function findTrustedDevice(db: Queryable, cupid: string, fingerprintHash: string): Promise<TrustedDeviceRow | undefined> {
  const { rows } = await db.query<TrustedDeviceRow>(`SELECT * FROM trusted_devices WHERE ${activeFor}`, [cupid, fingerprintHash]);
  return rows[0];
}

export async function touchTrustedDevice(db: Queryable, deviceId: string): Promise<void> {
  await db.query(`UPDATE trusted_devices SET last_used_at = now() WHERE device_id = $1`, [deviceId]);
}

/** Trusts a device, or reuses the customer's existing active trust for it (concurrent binds included). */
export async function trustDevice(
  db: Queryable,
  d: { cupid: string; fingerprint: string; fingerprintHash: string; name: string; type: string },
): Promise<TrustedDeviceRow> {
  const { rows } = await db.query<TrustedDeviceRow>(
    `INSERT INTO trusted_devices (cupid, device_fingerprint, device_fingerprint_hash, device_name, device_type, last_used_at)
     VALUES ($1, $2, $3, $4, $5, now())
     ON CONFLICT (cupid, device_fingerprint_hash) WHERE status = 'ACTIVE'
     DO UPDATE SET last_used_at = now(), device_name = EXCLUDED.device_name
     RETURNING *`,
    [d.cupid, d.fingerprint, d.fingerprintHash, d.name, d.type],
  );
  return rows[0]!;
}
