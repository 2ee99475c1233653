import { recordAudit, type RequestOrigin } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import { closeStep } from '../../store/queries/auth-transactions.js';
import { trustDevice } from '../../store/queries/trusted-devices.js';
import { complete } from '../advance.js';
import type { JourneyAnswer } from '../answers.js';
import { describeDevice } from '../../devices/device-identity.js';
import type { JourneyDeps } from '../journey-deps.js';
import { assertUsable, clientOf, lockStep } from '../step-guard.js';

export interface BindRequest {
  contextId: string;
  transactionId: string;
  bindDevice: boolean;
  origin: RequestOrigin;
}

/** POST /auth/device/bind: trust the device (or not) and finish the journey either way. */
export async function bindDevice(deps: JourneyDeps, req: BindRequest): Promise<{ answer: JourneyAnswer; deviceBound: boolean }> {
  const { contextId, origin } = req;
  return deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, clientOf(req.origin), ['DEVICE_BIND']);
    assertUsable(locked);
    const { step, context } = locked;
    const closed = await closeStep(tx, step.transaction_id, 'CONSUMED', { deviceBindDecision: req.bindDevice ? 'ACCEPTED' : 'DECLINED' });
    if (!closed) throw new CiamError('CIAM_E01_03_002', { contextId });
    const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };
    const fingerprint = context.device_fingerprint;
    if (req.bindDevice && fingerprint) {
      const description = describeDevice(origin.userAgent, origin.clientId);
      const device = await trustDevice(tx, {
        cupid: context.cupid,
        fingerprint,
        // The journey holds the keyed hash already; it is both the stored value and the lookup key.
        fingerprintHash: fingerprint,
        name: description.name,
        type: description.type,
      });
      await recordAudit(tx, { ...base, type: 'DEVICE_BIND_ACCEPTED', data: { device_id: device.device_id, device_type: device.device_type } });
    } else {
      await recordAudit(tx, { ...base, type: 'DEVICE_BIND_DECLINED' });
    }
    const answer = await complete(deps, tx, context, origin, step.transaction_id);
    return { answer, deviceBound: req.bindDevice && Boolean(fingerprint) };
  });
}
