import { recordAudit } from '../../audit/record.js';
import { trustDevice } from '../../store/queries/trusted-devices.js';
import { advance, journeySoFar } from '../advance.js';
import type { JourneyAnswer } from '../answers.js';
import { describeDevice } from '../../devices/device-identity.js';
import type { JourneyDeps } from '../journey-deps.js';
import { consumeStep, isFailure } from '../step-guard.js';
import { runStep, type StepCall } from '../step-runner.js';

export interface BindRequest extends StepCall {
  bindDevice: boolean;
}

/** POST /auth/device/bind: trust the device (or not) and finish the journey either way. */
export function bindDevice(deps: JourneyDeps, req: BindRequest): Promise<{ answer: JourneyAnswer; deviceBound: boolean }> {
  const { origin } = req;
  return runStep(deps, req, {
    accepts: ['DEVICE_BIND'],
    take: async (tx, locked) => {
      const { step, context } = locked;
      await consumeStep(tx, locked, { deviceBindDecision: req.bindDevice ? 'ACCEPTED' : 'DECLINED' });
      const base = { cupid: context.cupid, contextId: context.context_id, transactionId: step.transaction_id, origin };
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
      const facts = await journeySoFar(tx, context, { mfaDone: true, deviceBindAnswered: true });
      const answer = await advance(deps, tx, { context, parentTransactionId: step.transaction_id, origin }, facts);
      return isFailure(answer) ? answer : { answer, deviceBound: req.bindDevice && Boolean(fingerprint) };
    },
  });
}
