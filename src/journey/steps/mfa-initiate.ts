import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import type { Phone } from '../../providers/directory/port.js';
import { DeliveryUnconfirmedError, ProviderRefusedError } from '../../providers/errors.js';
import type { Queryable } from '../../store/database.js';
import { finishAuthContext, type AuthContextRow } from '../../store/queries/auth-contexts.js';
import { closeStep, insertStep, type StepRow } from '../../store/queries/auth-transactions.js';
import { countCodeSent } from '../../store/queries/mfa-counters.js';
import { isMfaLocked } from '../../store/queries/mfa-lockouts.js';
import type { ChallengeAnswer } from '../answers.js';
import { reofferMfa } from '../advance.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { reportingJourneyEnd } from '../risk-outcome.js';
import { hashOneTimeCode, newApprovalSecret, newDisplayNumber, newOneTimeCode, numberChoices, sha256Hex } from '../secrets.js';
import { clientOf, consumeStep, failWith, lockStep, type Failure, type LockedStep } from '../step-guard.js';
import { takeStep, type StepCall } from '../step-runner.js';

/** The window of CIAM_MFA_CODES_PER_HOUR. */
const CODE_CAP_WINDOW_SECONDS = 3600;

export interface InitiateRequest extends StepCall {
  method: 'sms' | 'voice' | 'push';
  mfaOptionId?: number;
}

/**
 * POST /auth/mfa/initiate: consumes the MFA_INITIATE step, opens the verification step and sends
 * the code or the push. The message goes out after the commit. If it cannot be delivered, the
 * verification step is withdrawn and a fresh MFA_INITIATE step lets the customer ask again (503).
 * If the provider refuses the phone for good (invalid, opted out, a landline), the fresh step no
 * longer offers that phone (400 CIAM_E01_01_019): the customer picks another phone or push. If the
 * send's outcome is unknown, the code may have arrived, so the step stays and stays usable.
 */
export function initiateMfa(deps: JourneyDeps, req: InitiateRequest): Promise<ChallengeAnswer> {
  const challenge: Challenge = {
    transactionId: randomUUID(),
    code: newOneTimeCode(),
    displayNumber: newDisplayNumber(),
    approvalSecret: newApprovalSecret(),
  };
  return reportingJourneyEnd(deps, req.contextId, async () => {
    const opened = await takeStep(deps, req, {
      accepts: ['MFA_INITIATE'],
      prepare: (journey) => phoneOf(deps, req, journey),
      take: (tx, locked, phone) => openChallenge(deps, tx, locked, req, phone, challenge),
    });
    await deliver(deps, req, opened, challenge);
    const { next } = opened;
    return req.method === 'push'
      ? { kind: 'PUSH_VERIFY_REQUIRED', transactionId: next.transaction_id, expiresAt: next.expires_at, displayNumber: challenge.displayNumber }
      : { kind: 'OTP_VERIFY_REQUIRED', transactionId: next.transaction_id, expiresAt: next.expires_at };
  });
}

interface Challenge {
  transactionId: string;
  code: string;
  displayNumber: number;
  approvalSecret: string;
}

interface Opened {
  step: StepRow;
  next: StepRow;
  cupid: string;
  phone: Phone | undefined;
}

/** The phone number is looked up now, never stored: only the CUPID lives in this database. */
async function phoneOf(deps: JourneyDeps, req: InitiateRequest, journey: AuthContextRow): Promise<Phone | undefined> {
  if ((req.method === 'sms' || req.method === 'voice') && req.mfaOptionId === undefined) {
    throw new CiamError('CIAM_E01_05_001', { contextId: req.contextId });
  }
  if (req.method === 'push') return undefined;
  return fromProvider(async () => {
    const user = await deps.directory.findByCupid(journey.cupid);
    return user?.phones.find((p) => p.optionId === req.mfaOptionId);
  }, req.contextId);
}

/** Consumes the MFA_INITIATE step and opens the verification step, within the customer's limits. */
async function openChallenge(
  deps: JourneyDeps,
  tx: Queryable,
  locked: LockedStep,
  req: InitiateRequest,
  phone: Phone | undefined,
  challenge: Challenge,
): Promise<Opened | Failure> {
  const { step, context } = locked;
  const contextId = context.context_id;
  validateMethod(step, req, phone);
  if (await isMfaLocked(tx, context.cupid)) throw new CiamError('CIAM_E01_01_005', { contextId });
  const capped = req.method === 'push' ? undefined : await codeCapReached(deps, tx, locked, req);
  if (capped) return capped;

  await consumeStep(tx, locked, { mfaMethod: req.method, mfaOptionId: req.mfaOptionId });
  const isPush = req.method === 'push';
  const next = await insertStep(tx, {
    transactionId: challenge.transactionId,
    contextId,
    parentTransactionId: step.transaction_id,
    type: isPush ? 'MFA_PUSH_VERIFY' : 'MFA_VERIFY',
    phase: 'MFA',
    ttlSeconds: isPush ? deps.settings.lifetimes.pushStep : deps.settings.lifetimes.mfaStep,
    mfaMethod: req.method,
    mfaOptionId: req.mfaOptionId,
    attemptNumber: step.attempt_number ?? 1,
    ...(isPush
      ? { displayNumber: challenge.displayNumber, approvalSecretHash: sha256Hex(challenge.approvalSecret) }
      : { otpCodeHash: hashOneTimeCode(deps.otpKey, challenge.transactionId, challenge.code) }),
  });
  const resent = (step.attempt_number ?? 1) > 1 || step.parent_transaction_id !== null;
  await recordAudit(tx, {
    type: isPush ? 'MFA_PUSH_SENT' : resent ? 'MFA_CHALLENGE_RESENT' : 'MFA_CHALLENGE_SENT',
    cupid: context.cupid,
    contextId,
    transactionId: next.transaction_id,
    origin: req.origin,
    data: { method: req.method, mfa_option_id: req.mfaOptionId ?? null, attempt_number: next.attempt_number },
  });
  return { step, next, cupid: context.cupid, phone };
}

/** Codes cost money and can be pumped to premium numbers: a cap per customer, whatever the journey. */
async function codeCapReached(deps: JourneyDeps, tx: Queryable, { step, context }: LockedStep, req: InitiateRequest): Promise<Failure | undefined> {
  const cap = await countCodeSent(tx, context.cupid, CODE_CAP_WINDOW_SECONDS);
  if (cap.sent <= deps.settings.mfaCodesPerHour) return undefined;
  await recordAudit(tx, {
    type: 'MFA_CODE_CAP_REACHED',
    cupid: context.cupid,
    contextId: context.context_id,
    transactionId: step.transaction_id,
    origin: req.origin,
    data: { method: req.method, codes_per_hour: deps.settings.mfaCodesPerHour, retry_after_seconds: cap.windowEndsInSeconds },
  });
  const headers = { 'Retry-After': String(cap.windowEndsInSeconds) };
  return failWith(new CiamError('CIAM_E00_00_005', { contextId: context.context_id, headers }));
}

/** Sends the code or the push after the commit; a failed send withdraws the step (see initiateMfa). */
async function deliver(deps: JourneyDeps, req: InitiateRequest, opened: Opened, challenge: Challenge): Promise<void> {
  const contextId = req.contextId;
  try {
    if (req.method === 'push') {
      await deps.pushSender.sendPush({
        cupid: opened.cupid,
        contextId,
        transactionId: opened.next.transaction_id,
        numberChoices: numberChoices(challenge.displayNumber),
        approvalSecret: challenge.approvalSecret,
        expiresAt: opened.next.expires_at,
        displayNumber: challenge.displayNumber,
      });
    } else {
      await deps.codeSender.sendCode({
        channel: req.method,
        cupid: opened.cupid,
        transactionId: opened.next.transaction_id,
        phoneNumber: opened.phone!.number,
        code: challenge.code,
      });
    }
  } catch (err) {
    if (err instanceof DeliveryUnconfirmedError) {
      // Sent once, answer lost: sending again could deliver twice, withdrawing would void a code
      // the customer may be reading. The breaker has counted it; the step goes on.
      await deps.db.transaction((tx) =>
        recordAudit(tx, {
          type: 'MFA_DELIVERY_UNCONFIRMED',
          cupid: opened.cupid,
          contextId,
          transactionId: opened.next.transaction_id,
          origin: req.origin,
          data: { method: req.method, mfa_option_id: req.mfaOptionId ?? null },
        }),
      );
    } else if (err instanceof ProviderRefusedError && err.permanent && req.method !== 'push') {
      throw await withdrawRefusedPhone(deps, req, opened.step, opened.next, err);
    } else {
      throw await withdrawUndelivered(deps, req, opened.step, opened.next, err);
    }
  }
}

function validateMethod(step: StepRow, req: InitiateRequest, phone: Phone | undefined): void {
  const contextId = req.contextId;
  if (req.method === 'push') {
    if (step.mobile_approve_status !== 'ENABLED') throw new CiamError('CIAM_E01_01_009', { contextId });
    return;
  }
  const offered = (step.mfa_options ?? []).some((o) => o.mfa_option_id === req.mfaOptionId);
  if (!offered) throw new CiamError('CIAM_E01_05_001', { contextId });
  if (!phone) throw new CiamError('CIAM_E05_00_002', { contextId }); // the directory no longer has that phone
}

/** Delivery failed: the unsent challenge is withdrawn and a new MFA_INITIATE step offered. */
async function withdrawUndelivered(deps: JourneyDeps, req: InitiateRequest, initiate: StepRow, unsent: StepRow, cause: unknown) {
  const retry = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, req.contextId, unsent.transaction_id, clientOf(req.origin), ['MFA_VERIFY', 'MFA_PUSH_VERIFY']);
    const withdrawn = await closeStep(tx, unsent.transaction_id, 'EXPIRED', {});
    if (!withdrawn) return undefined;
    // A journey that ended meanwhile gets no new step, but the withdrawal is still audited.
    const next = locked.context.is_open
      ? await reofferMfa(deps, tx, { contextId: req.contextId, parentTransactionId: unsent.transaction_id, attemptNumber: initiate.attempt_number ?? 1 }, initiate)
      : undefined;
    await recordAudit(tx, {
      type: 'MFA_DELIVERY_FAILED',
      cupid: locked.context.cupid,
      contextId: req.contextId,
      transactionId: unsent.transaction_id,
      origin: req.origin,
      data: { method: req.method, reason: cause instanceof Error ? cause.name : 'unknown', retry_transaction_id: next?.transaction_id ?? null },
    });
    return next;
  });
  return new CiamError('CIAM_E05_00_002', {
    contextId: req.contextId,
    cause,
    body: retry ? { transaction_id: retry.transaction_id } : undefined,
  });
}

/**
 * The provider refused this phone for good: the unsent challenge is withdrawn and the new
 * MFA_INITIATE step offers every method but that phone. With nothing left to offer, the journey
 * fails. Either way the customer hears CIAM_E01_01_019, with the new step when there is one.
 */
async function withdrawRefusedPhone(deps: JourneyDeps, req: InitiateRequest, initiate: StepRow, unsent: StepRow, cause: ProviderRefusedError) {
  const remaining = (initiate.mfa_options ?? []).filter((o) => o.mfa_option_id !== req.mfaOptionId);
  const pushLeft = initiate.mobile_approve_status === 'ENABLED';
  const retry = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, req.contextId, unsent.transaction_id, clientOf(req.origin), ['MFA_VERIFY']);
    const withdrawn = await closeStep(tx, unsent.transaction_id, 'EXPIRED', {});
    if (!withdrawn) return undefined;
    const base = { cupid: locked.context.cupid, contextId: req.contextId, origin: req.origin };
    const canGoOn = locked.context.is_open && (remaining.length > 0 || pushLeft);
    const next = canGoOn
      ? await reofferMfa(deps, tx, { contextId: req.contextId, parentTransactionId: unsent.transaction_id, attemptNumber: initiate.attempt_number ?? 1 }, initiate, remaining)
      : undefined;
    await recordAudit(tx, {
      ...base,
      type: 'MFA_CHANNEL_REFUSED',
      transactionId: unsent.transaction_id,
      data: { method: req.method, mfa_option_id: req.mfaOptionId ?? null, reason: cause.reason, retry_transaction_id: next?.transaction_id ?? null },
    });
    if (!next && locked.context.is_open) {
      await finishAuthContext(tx, req.contextId, 'FAILED');
      await recordAudit(tx, { ...base, type: 'JOURNEY_FAILED', data: { reason: 'NO_MFA_METHOD' } });
    }
    return next;
  });
  return new CiamError('CIAM_E01_01_019', {
    contextId: req.contextId,
    cause,
    body: retry ? { transaction_id: retry.transaction_id, otp_methods: remaining, mobile_approve_status: initiate.mobile_approve_status } : undefined,
  });
}
