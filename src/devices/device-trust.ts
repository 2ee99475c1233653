import type { RequestOrigin } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import type { Database, Queryable } from '../store/database.js';
import { deviceOwner, devicesOf, revokeDeviceOf, type DeviceListRow } from '../store/queries/trusted-devices.js';

/**
 * A customer's trusted devices as the customer or an agent sees them (never the raw identity),
 * newest trust first: the active ones, or every one with `includeInactive`. `db` is the write pool
 * for the customer's own list and the agent reports' pool (a replica, if any) for an agent's.
 */
export function listTrustedDevices(db: Queryable, cupid: string, includeInactive: boolean): Promise<DeviceListRow[]> {
  return devicesOf(db, cupid, includeInactive);
}

/**
 * Withdraws trust from a device: the next login from it asks for MFA again. Restricted to the
 * device's owner when `owner` is given (a customer acting on their own devices); another
 * customer's device is "not found". Audited as DEVICE_REVOKED in the same transaction.
 */
export async function revokeTrustedDevice(
  db: Database,
  deviceId: string,
  by: { revokedBy: string; reason: string; origin: RequestOrigin; audit?: Record<string, unknown> },
  owner?: string,
): Promise<{ revoked: boolean; status: string } | undefined> {
  return db.transaction(async (tx) => {
    const cupid = owner ?? (await deviceOwner(tx, deviceId));
    if (!cupid) return undefined;
    const result = await revokeDeviceOf(tx, cupid, deviceId);
    if (!result) return undefined;
    if (result.revoked) {
      await recordAudit(tx, {
        type: 'DEVICE_REVOKED',
        origin: by.origin,
        cupid,
        data: { device_id: deviceId, revoked_by: by.revokedBy, reason: by.reason, ...by.audit },
      });
    }
    return result;
  });
}
