import type { Queryable } from '../database.js';

/** What a customer or an agent sees of a trusted device (never the raw fingerprint). */
export interface DeviceListRow {
  device_id: string;
  device_name: string | null;
  device_type: string | null;
  status: 'ACTIVE' | 'REVOKED' | 'EXPIRED';
  trusted_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** The whole row, for the journey (which looks a device up by its identity's keyed hash). */
export interface TrustedDeviceRow extends DeviceListRow {
  cupid: string;
  device_fingerprint: string;
  device_fingerprint_hash: string;
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

const columns = 'device_id, device_name, device_type, status, trusted_at, last_used_at, revoked_at';

/** A customer's devices, newest trust first; only the active ones unless `all`. */
export async function devicesOf(db: Queryable, cupid: string, all: boolean): Promise<DeviceListRow[]> {
  const { rows } = await db.query<DeviceListRow>(
    `SELECT ${columns} FROM trusted_devices
     WHERE cupid = $1 AND ($2 OR status = 'ACTIVE')
     ORDER BY trusted_at DESC, device_id LIMIT 500`,
    [cupid, all],
  );
  return rows;
}

/** Revokes one active device of one customer; undefined when it is not that customer's device. */
export async function revokeDeviceOf(
  db: Queryable,
  cupid: string,
  deviceId: string,
): Promise<{ revoked: boolean; status: DeviceListRow['status'] } | undefined> {
  const { rows } = await db.query<{ status: DeviceListRow['status']; changed: boolean }>(
    `WITH target AS (
       SELECT device_id, status FROM trusted_devices WHERE device_id = $2 AND cupid = $1 FOR UPDATE
     ), changed AS (
       UPDATE trusted_devices d SET status = 'REVOKED', revoked_at = now()
       FROM target WHERE d.device_id = target.device_id AND target.status = 'ACTIVE'
       RETURNING d.device_id
     )
     SELECT CASE WHEN EXISTS (SELECT 1 FROM changed) THEN 'REVOKED' ELSE target.status::text END AS status,
            EXISTS (SELECT 1 FROM changed) AS changed
     FROM target`,
    [cupid, deviceId],
  );
  const row = rows[0];
  return row ? { revoked: row.changed, status: row.status } : undefined;
}

/** The owner of a device, for agent actions addressed by device id. */
export async function deviceOwner(db: Queryable, deviceId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ cupid: string }>('SELECT cupid FROM trusted_devices WHERE device_id = $1', [deviceId]);
  return rows[0]?.cupid;
}
