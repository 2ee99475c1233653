import { recordAudit, type RequestOrigin } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import { findAuthContext } from '../../store/queries/auth-contexts.js';
import { closeStep, countWrongSecret, markPushApproved } from '../../store/queries/auth-transactions.js';
import { advance } from '../advance.js';
import type { PollAnswer } from '../answers.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { isUuid, sameDigest, sha256Hex } from '../secrets.js';
import { clientOf, failWith, isCallersJourney, lockStep, PHONE_WITH_SECRET, throwIfFailure, type LockedStep } from '../step-guard.js';

/**
 * Push with number matching. The phone approves (or denies) with the one-time secret only it
 * received; the step stays PENDING with verification_result APPROVED until the browser's poll
 * collects it — the poll is what consumes the step and opens the session, because only the
 * browser may receive the tokens.
 */

/** Wrong approval secrets a push step tolerates before it is rejected. */
const MAX_WRONG_SECRETS = 3;

export interface PollRequest {
  contextId: string;
  transactionId: string;
  origin: RequestOrigin;
}

export async function pollPush(deps: JourneyDeps, req: PollRequest): Promise<PollAnswer> {
  const { contextId, origin } = req;
  const known = isUuid(contextId) ? await findAuthContext(deps.db, contextId) : undefined;
  if (!known || !isCallersJourney(known, clientOf(req.origin))) throw new CiamError('CIAM_E01_03_001', { contextId });

  const waiting = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, clientOf(req.origin), ['MFA_PUSH_VERIFY']);
    assertPushOpen(locked, 'poll');
    return locked.step.verification_result === null ? locked.step : undefined;
  });
  if (waiting) {
    return { kind: 'MFA_PENDING', transactionId: waiting.transaction_id, expiresAt: waiting.expires_at, retryAfterMs: deps.settings.pushPollIntervalMs };
  }

  // Approved: look up what comes next before taking the journey lock again.
  const pendingDocumentId = await fromProvider(() => deps.agreements.pendingMandatoryDocument(known.cupid), contextId);
  return deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, clientOf(req.origin), ['MFA_PUSH_VERIFY']);
    assertPushOpen(locked, 'poll');
    const consumed = await closeStep(tx, locked.step.transaction_id, 'CONSUMED', {}, { verificationResult: 'APPROVED' });
    if (!consumed) throw new CiamError('CIAM_E01_03_003', { contextId });
    return advance(deps, tx, { context: locked.context, after: 'MFA', parentTransactionId: consumed.transaction_id, pendingDocumentId, origin });
  });
}

export interface ApproveRequest {
  contextId: string;
  transactionId: string;
  selectedNumber: number;
  approvalSecret: string;
  origin: RequestOrigin;
}

export interface PhoneAnswer {
  success: boolean;
  transactionId: string;
}

/** The phone's answer. A wrong number rejects the step, as a denial does. */
export async function approvePush(deps: JourneyDeps, req: ApproveRequest): Promise<PhoneAnswer> {
  return answerFromPhone(deps, req, 'APPROVE');
}

export async function denyPush(deps: JourneyDeps, req: Omit<ApproveRequest, 'selectedNumber'>): Promise<PhoneAnswer> {
  return answerFromPhone(deps, { ...req, selectedNumber: 0 }, 'DENY');
}

async function answerFromPhone(deps: JourneyDeps, req: ApproveRequest, intent: 'APPROVE' | 'DENY'): Promise<PhoneAnswer> {
  const { contextId, origin } = req;
  const result = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, PHONE_WITH_SECRET, ['MFA_PUSH_VERIFY']);
    const { step, context } = locked;
    assertPushOpen(locked, 'phone');
    const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };

    // Whoever lacks the secret (the browser knows the context id and the number) is told nothing.
    // A few wrong secrets reject the step: someone is guessing, and the browser's poll sees it gone.
    if (!sameDigest(sha256Hex(req.approvalSecret), step.approval_secret_hash ?? '')) {
      const wrongSecrets = await countWrongSecret(tx, step.transaction_id);
      await recordAudit(tx, { ...base, type: 'MFA_PUSH_APPROVAL_REFUSED', data: { reason: 'INVALID_APPROVAL_SECRET', intent, wrong_secrets: wrongSecrets } });
      if (wrongSecrets >= MAX_WRONG_SECRETS) {
        await closeStep(tx, step.transaction_id, 'REJECTED', { verificationResult: 'REJECTED' }, { verificationResult: null });
        await recordAudit(tx, { ...base, type: 'MFA_PUSH_REJECTED', data: { reason: 'TOO_MANY_WRONG_SECRETS' } });
      }
      return failWith(new CiamError('CIAM_E01_03_001', { contextId }));
    }

    if (intent === 'APPROVE' && req.selectedNumber === step.display_number) {
      const approved = await markPushApproved(tx, step.transaction_id, req.selectedNumber);
      if (!approved) throw new CiamError('CIAM_E01_03_003', { contextId });
      await recordAudit(tx, { ...base, type: 'MFA_PUSH_APPROVED' });
      return { success: true, transactionId: step.transaction_id };
    }

    const rejected = await closeStep(
      tx,
      step.transaction_id,
      'REJECTED',
      { verificationResult: 'REJECTED', ...(intent === 'APPROVE' ? { selectedNumber: req.selectedNumber } : {}) },
      { verificationResult: null },
    );
    if (!rejected) throw new CiamError('CIAM_E01_03_003', { contextId });
    await recordAudit(tx, { ...base, type: 'MFA_PUSH_REJECTED', data: { reason: intent === 'DENY' ? 'DENIED_ON_PHONE' : 'NUMBER_MISMATCH' } });
    return { success: intent === 'DENY', transactionId: step.transaction_id };
  });
  return throwIfFailure(result);
}

/**
 * The poll sees a consumed step as processed and a rejected or expired one as gone (410); the
 * phone also sees an answered step as processed.
 */
function assertPushOpen({ step, context }: LockedStep, who: 'poll' | 'phone'): void {
  const contextId = context.context_id;
  if (step.transaction_status === 'CONSUMED') throw new CiamError('CIAM_E01_03_003', { contextId });
  if (who === 'phone' && (step.transaction_status === 'REJECTED' || step.verification_result !== null)) {
    throw new CiamError('CIAM_E01_03_003', { contextId });
  }
  if (step.transaction_status !== 'PENDING' || step.is_expired || !context.is_open) {
    throw new CiamError('CIAM_E01_03_002', { contextId });
  }
}
