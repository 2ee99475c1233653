import { recordAudit, type RequestOrigin } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import type { Queryable } from '../../store/database.js';
import { closeStep, countWrongSecret, markPushApproved, type StepRow } from '../../store/queries/auth-transactions.js';
import { advance, journeySoFar } from '../advance.js';
import type { PollAnswer } from '../answers.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { sameDigest, sha256Hex } from '../secrets.js';
import { failWith, findStepOf, PHONE_WITH_SECRET, type Failure, type LockedStep } from '../step-guard.js';
import { runStep, type StepCall } from '../step-runner.js';

type AuditBase = { cupid: string; contextId: string; transactionId: string; origin: RequestOrigin };

/**
 * Push with number matching. The phone approves (or denies) with the one-time secret only it
 * received; the step stays PENDING with verification_result APPROVED until the browser's poll
 * collects it — the poll is what consumes the step and opens the session, because only the
 * browser may receive the tokens.
 */

/** Wrong approval secrets a push step tolerates before it is rejected. */
const MAX_WRONG_SECRETS = 3;

export type PollRequest = StepCall;

/** What is known before the transaction: whether the phone approved, and only then the documents. */
type Looked = { approved: false } | { approved: true; pendingDocumentId: string | null };

export function pollPush(deps: JourneyDeps, req: PollRequest): Promise<PollAnswer> {
  const { origin } = req;
  return runStep(deps, req, {
    accepts: ['MFA_PUSH_VERIFY'],
    // Only an approved step needs the agreement service; a waiting one must not depend on it.
    prepare: async (journey): Promise<Looked> => {
      const step = await findStepOf(deps.db, journey, req.transactionId);
      if (step?.verification_result !== 'APPROVED') return { approved: false };
      const pending = await fromProvider(() => deps.agreements.pendingMandatoryDocument(journey.cupid), req.contextId);
      return { approved: true, pendingDocumentId: pending ?? null };
    },
    usable: (locked) => assertPushOpen(locked, 'poll'),
    take: async (tx, locked, looked) => {
      const { step, context } = locked;
      // Approved after the look: the next poll collects it, with the documents looked up.
      if (!looked.approved || step.verification_result === null) {
        return { kind: 'MFA_PENDING', transactionId: step.transaction_id, expiresAt: step.expires_at, retryAfterMs: deps.settings.pushPollIntervalMs };
      }
      const consumed = await closeStep(tx, step.transaction_id, 'CONSUMED', {}, { verificationResult: 'APPROVED' });
      if (!consumed) throw new CiamError('CIAM_E01_03_003', { contextId: context.context_id });
      const facts = await journeySoFar(tx, context, { mfaDone: true, pendingDocumentId: looked.pendingDocumentId });
      return advance(deps, tx, { context, parentTransactionId: consumed.transaction_id, origin }, facts);
    },
  });
}

export interface ApproveRequest extends StepCall {
  selectedNumber: number;
  approvalSecret: string;
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

function answerFromPhone(deps: JourneyDeps, req: ApproveRequest, intent: 'APPROVE' | 'DENY'): Promise<PhoneAnswer> {
  const { contextId, origin } = req;
  return runStep(deps, req, {
    accepts: ['MFA_PUSH_VERIFY'],
    caller: PHONE_WITH_SECRET,
    usable: (locked) => assertPushOpen(locked, 'phone'),
    take: async (tx, { step, context }) => {
      const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };
      // Whoever lacks the secret (the browser knows the context id and the number) is told nothing.
      if (!sameDigest(sha256Hex(req.approvalSecret), step.approval_secret_hash ?? '')) return wrongSecret(tx, step, base, intent);

      if (intent === 'APPROVE' && req.selectedNumber === step.display_number) {
        const approved = await markPushApproved(tx, step.transaction_id, req.selectedNumber);
        if (!approved) throw new CiamError('CIAM_E01_03_003', { contextId });
        await recordAudit(tx, { ...base, type: 'MFA_PUSH_APPROVED' });
        return { success: true, transactionId: step.transaction_id };
      }

      const answered = { verificationResult: 'REJECTED' as const, ...(intent === 'APPROVE' ? { selectedNumber: req.selectedNumber } : {}) };
      const rejected = await closeStep(tx, step.transaction_id, 'REJECTED', answered, { verificationResult: null });
      if (!rejected) throw new CiamError('CIAM_E01_03_003', { contextId });
      await recordAudit(tx, { ...base, type: 'MFA_PUSH_REJECTED', data: { reason: intent === 'DENY' ? 'DENIED_ON_PHONE' : 'NUMBER_MISMATCH' } });
      return { success: intent === 'DENY', transactionId: step.transaction_id };
    },
  });
}

/** A few wrong secrets reject the step: someone is guessing, and the browser's poll sees it gone. */
async function wrongSecret(tx: Queryable, step: StepRow, base: AuditBase, intent: 'APPROVE' | 'DENY'): Promise<Failure> {
  const wrongSecrets = await countWrongSecret(tx, step.transaction_id);
  await recordAudit(tx, { ...base, type: 'MFA_PUSH_APPROVAL_REFUSED', data: { reason: 'INVALID_APPROVAL_SECRET', intent, wrong_secrets: wrongSecrets } });
  if (wrongSecrets >= MAX_WRONG_SECRETS) {
    await closeStep(tx, step.transaction_id, 'REJECTED', { verificationResult: 'REJECTED' }, { verificationResult: null });
    await recordAudit(tx, { ...base, type: 'MFA_PUSH_REJECTED', data: { reason: 'TOO_MANY_WRONG_SECRETS' } });
  }
  return failWith(new CiamError('CIAM_E01_03_001', { contextId: base.contextId }));
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
