import type { RequestOrigin } from '../audit/record.js';
import { recordAudit } from '../audit/record.js';
import type { Database } from '../store/database.js';
import { deviceOwner, revokeDeviceOf } from '../store/queries/trusted-devices.js';

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
