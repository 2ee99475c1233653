import { recordAudit, type RequestOrigin } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import type { Queryable } from '../../store/database.js';
import { findAuthContext, finishAuthContext, type AuthContextRow } from '../../store/queries/auth-contexts.js';
import { closeStep, findStep, insertStep, type StepRow } from '../../store/queries/auth-transactions.js';
import { clearWrongCodes, countWrongCode } from '../../store/queries/mfa-counters.js';
import { isMfaLocked, lockMfa } from '../../store/queries/mfa-lockouts.js';
import { advance } from '../advance.js';
import type { JourneyAnswer } from '../answers.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { hashOneTimeCode, isUuid, sameDigest } from '../secrets.js';
import { assertUsable, clientOf, failWith, isCallersJourney, lockStep, throwIfFailure } from '../step-guard.js';

export interface VerifyRequest {
  contextId: string;
  transactionId: string;
  code: string;
  origin: RequestOrigin;
}

/**
 * POST /auth/mfa/otp/verify. The step is single-use either way: a right code moves the journey
 * on and clears the customer's count of wrong codes; a wrong one consumes the step as INCORRECT,
 * counts against the customer (whatever the journey or channel) and opens a new MFA_INITIATE
 * step — until the customer's consecutive wrong codes reach the limit, which fails the journey
 * and locks MFA for the customer. While MFA is locked no code is checked at all.
 */
export async function verifyOtp(deps: JourneyDeps, req: VerifyRequest): Promise<JourneyAnswer> {
  const { contextId, origin } = req;
  const known = isUuid(contextId) ? await findAuthContext(deps.db, contextId) : undefined;
  if (!known || !isCallersJourney(known, clientOf(req.origin))) throw new CiamError('CIAM_E01_03_001', { contextId });
  const pendingDocumentId = await fromProvider(() => deps.agreements.pendingMandatoryDocument(known.cupid), contextId);

  const result = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, clientOf(req.origin), ['MFA_VERIFY', 'MFA_PUSH_VERIFY']);
    if (locked.step.transaction_type === 'MFA_PUSH_VERIFY') throw new CiamError('CIAM_E01_01_018', { contextId });
    assertUsable(locked);
    const { step, context } = locked;
    if (await isMfaLocked(tx, context.cupid)) throw new CiamError('CIAM_E01_01_005', { contextId });
    const expected = step.otp_code_hash ?? '';
    const correct = sameDigest(hashOneTimeCode(deps.otpKey, step.transaction_id, req.code), expected);
    const closed = await closeStep(tx, step.transaction_id, 'CONSUMED', { verificationResult: correct ? 'CORRECT' : 'INCORRECT' });
    if (!closed) throw new CiamError('CIAM_E01_03_002', { contextId });
    const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };

    if (correct) {
      await clearWrongCodes(tx, context.cupid);
      await recordAudit(tx, { ...base, type: 'MFA_VERIFY_SUCCESS', data: { method: step.mfa_method, attempt_number: step.attempt_number } });
      return advance(deps, tx, { context, after: 'MFA', parentTransactionId: step.transaction_id, pendingDocumentId, origin });
    }
    await recordAudit(tx, { ...base, type: 'MFA_VERIFY_FAILED', data: { method: step.mfa_method, attempt_number: step.attempt_number } });
    return wrongCode(deps, tx, context, step, origin);
  });
  return throwIfFailure(result);
}

async function wrongCode(deps: JourneyDeps, tx: Queryable, context: AuthContextRow, step: StepRow, origin: RequestOrigin) {
  const contextId = context.context_id;
  const attempt = step.attempt_number ?? 1;
  // Counted in the database before it is compared (Ory Kratos does the same): concurrent wrong
  // codes in other journeys or on other instances are all counted, none slips under the limit.
  const wrongCodes = await countWrongCode(tx, context.cupid);
  if (wrongCodes >= deps.settings.mfaMaxAttempts) {
    await finishAuthContext(tx, contextId, 'FAILED');
    await lockMfa(tx, context.cupid, deps.settings.mfaLockSeconds, contextId, 'TOO_MANY_WRONG_CODES');
    const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };
    await recordAudit(tx, {
      ...base,
      type: 'MFA_LOCKED',
      data: { attempts: wrongCodes, journey_attempts: attempt, lock_seconds: deps.settings.mfaLockSeconds },
    });
    await recordAudit(tx, { ...base, type: 'JOURNEY_FAILED', data: { reason: 'MFA_ATTEMPTS_EXHAUSTED' } });
    return failWith(new CiamError('CIAM_E01_01_005', { contextId }));
  }
  // The retry step offers what the original MFA_INITIATE step offered.
  const initiate = step.parent_transaction_id ? await findStep(tx, step.parent_transaction_id) : undefined;
  const retry = await insertStep(tx, {
    contextId,
    parentTransactionId: step.transaction_id,
    type: 'MFA_INITIATE',
    phase: 'MFA',
    ttlSeconds: deps.settings.lifetimes.mfaStep,
    mfaOptions: initiate?.mfa_options ?? [],
    mobileApproveStatus: initiate?.mobile_approve_status ?? undefined,
    attemptNumber: attempt + 1,
  });
  return failWith(new CiamError('CIAM_E01_01_017', { contextId, body: { transaction_id: retry.transaction_id } }));
}
