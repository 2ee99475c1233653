import { v7 as timeOrderedUuid } from 'uuid';
import { recordAudit, type RequestOrigin } from '../audit/record.js';
import type { Queryable } from '../store/database.js';
import type { AuthContextRow } from '../store/queries/auth-contexts.js';
import { insertStep, stepsOfJourney } from '../store/queries/auth-transactions.js';
import { findTrustedDevice } from '../store/queries/trusted-devices.js';
import type { JourneyAnswer } from './answers.js';
import type { JourneyDeps } from './journey-deps.js';

/** What the journey has done so far, which decides what comes next. */
export type Milestone = 'PASSWORD' | 'MFA' | 'ESIGN' | 'DEVICE_BIND';

export interface AdvanceInput {
  context: AuthContextRow;
  after: Milestone;
  /** The step just consumed (parent of the next one). */
  parentTransactionId: string | null;
  /** A mandatory document still to accept, looked up before the transaction began. */
  pendingDocumentId: string | undefined;
  origin: RequestOrigin;
}

/**
 * The journey's order: MFA → eSign → device bind → session. Given the milestone just passed,
 * opens the next step or completes the journey — inside the caller's transaction.
 */
export async function advance(deps: JourneyDeps, tx: Queryable, input: AdvanceInput): Promise<JourneyAnswer> {
  const { context, after, origin } = input;
  const base = { cupid: context.cupid, contextId: context.context_id, origin };

  if ((after === 'PASSWORD' || after === 'MFA') && input.pendingDocumentId) {
    const step = await insertStep(tx, {
      contextId: context.context_id,
      parentTransactionId: input.parentTransactionId,
      type: 'ESIGN_PRESENT',
      phase: 'ESIGN',
      ttlSeconds: deps.settings.lifetimes.esignStep,
      esignDocumentId: input.pendingDocumentId,
      esignAction: 'PRESENTED',
    });
    await recordAudit(tx, { ...base, type: 'ESIGN_PRESENTED', transactionId: step.transaction_id, data: { document_id: input.pendingDocumentId } });
    return { kind: 'ESIGN_REQUIRED', contextId: context.context_id, transactionId: step.transaction_id, documentId: input.pendingDocumentId };
  }

  if (after === 'MFA' || after === 'ESIGN') {
    const offerBind = await shouldOfferDeviceBind(tx, context, after);
    if (offerBind) {
      const step = await insertStep(tx, {
        contextId: context.context_id,
        parentTransactionId: input.parentTransactionId,
        type: 'DEVICE_BIND',
        phase: 'DEVICE_BIND',
        ttlSeconds: deps.settings.lifetimes.deviceBindStep,
        deviceBindDecision: 'OFFERED',
      });
      await recordAudit(tx, { ...base, type: 'DEVICE_BIND_OFFERED', transactionId: step.transaction_id });
      return { kind: 'DEVICE_BIND_REQUIRED', contextId: context.context_id, transactionId: step.transaction_id };
    }
  }

  return complete(deps, tx, context, origin, input.parentTransactionId);
}

/** Binding is offered after MFA, when the device-risk service named a device not yet trusted. */
async function shouldOfferDeviceBind(tx: Queryable, context: AuthContextRow, after: Milestone): Promise<boolean> {
  if (!context.device_fingerprint) return false;
  if (after === 'ESIGN') {
    const steps = await stepsOfJourney(tx, context.context_id);
    const mfaPassed = steps.some((s) => s.phase === 'MFA' && (s.verification_result === 'CORRECT' || s.verification_result === 'APPROVED'));
    if (!mfaPassed) return false;
  }
  // device_fingerprint already holds the keyed hash, which is what trust is keyed on.
  return !(await findTrustedDevice(tx, context.cupid, context.device_fingerprint));
}

/** Opens the session, issues the tokens and records the journey's success — one statement. */
export async function complete(
  deps: JourneyDeps,
  tx: Queryable,
  context: AuthContextRow,
  origin: RequestOrigin,
  lastTransactionId: string | null,
): Promise<JourneyAnswer> {
  const tokens = await deps.sessions.open(tx, {
    contextId: context.context_id,
    cupid: context.cupid,
    clientId: origin.clientId ?? context.app_id,
    deviceFingerprint: context.device_fingerprint,
    origin,
    journey: { kind: 'finish', lastTransactionId },
  });
  return {
    kind: 'SUCCESS',
    contextId: context.context_id,
    tokens,
    ...(lastTransactionId ? { transactionId: lastTransactionId } : {}),
  };
}

/** A journey with nothing after the password: its row is written finished, with the session. */
export interface JourneyEndingAtPassword {
  cupid: string;
  appId: string;
  appVersion: string;
  deviceFingerprint: string | null;
}

/**
 * Completes a journey that ends at the password in ONE statement and without a transaction (the
 * statement is atomic on its own): journey row, session, tokens and the audit row.
 */
export async function completeAtPassword(
  deps: JourneyDeps,
  db: Queryable,
  journey: JourneyEndingAtPassword,
  origin: RequestOrigin,
): Promise<JourneyAnswer> {
  const contextId = timeOrderedUuid();
  const tokens = await deps.sessions.open(db, {
    contextId,
    cupid: journey.cupid,
    clientId: origin.clientId ?? journey.appId,
    deviceFingerprint: journey.deviceFingerprint,
    origin,
    journey: { kind: 'start-finished', appId: journey.appId, appVersion: journey.appVersion, ttlSeconds: deps.settings.lifetimes.journey },
  });
  return { kind: 'SUCCESS', contextId, tokens };
}
