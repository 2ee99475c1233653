import { originData, recordAudit, recordAuditInStatement, type RequestOrigin } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import type { Queryable } from '../../store/database.js';
import { finishAuthContext, type AuthContextRow } from '../../store/queries/auth-contexts.js';
import { findStep, type StepRow } from '../../store/queries/auth-transactions.js';
import { settleCode } from '../../store/queries/code-settlement.js';
import { isMfaLocked, lockMfa } from '../../store/queries/mfa-lockouts.js';
import { advance, journeySoFar, reofferMfa } from '../advance.js';
import type { JourneyAnswer } from '../answers.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { hashOneTimeCode, sameDigest } from '../secrets.js';
import { assertUsable, failWith, findStepOf, type LockedStep } from '../step-guard.js';
import { runStep, type StepCall } from '../step-runner.js';

export interface VerifyRequest extends StepCall {
  code: string;
}

/** What is known before the transaction: whether the code is right, and only then the documents. */
type Looked = { codeRight: false } | { codeRight: true; pendingDocumentId: string | null };

/**
 * POST /auth/mfa/otp/verify. The step is single-use either way: a right code moves the journey
 * on and clears the customer's count of wrong codes; a wrong one consumes the step as INCORRECT,
 * counts against the customer (whatever the journey or channel) and opens a new MFA_INITIATE
 * step — until the customer's consecutive wrong codes reach the limit, which fails the journey
 * and locks MFA for the customer. While MFA is locked no code is checked at all.
 */
export function verifyOtp(deps: JourneyDeps, req: VerifyRequest): Promise<JourneyAnswer> {
  const { contextId, origin } = req;
  return runStep(deps, req, {
    accepts: ['MFA_VERIFY', 'MFA_PUSH_VERIFY'],
    prepare: (journey) => lookBeforeTaking(deps, req, journey),
    usable: (locked) => {
      if (locked.step.transaction_type === 'MFA_PUSH_VERIFY') throw new CiamError('CIAM_E01_01_018', { contextId });
      assertUsable(locked);
    },
    take: async (tx, locked, looked) => {
      const { step, context } = locked;
      const correct = isRightCode(deps, step, req.code);
      // The code's hash never changes, so the verdict differs from the look before only if the MFA
      // lock ended in between: the step stays as it was and the customer sends the code again.
      const settled = await settleVerdict(tx, locked, origin, correct, correct === looked.codeRight);
      if (settled.mfaLocked) throw new CiamError('CIAM_E01_01_005', { contextId });
      if (correct !== looked.codeRight) throw new CiamError('CIAM_E05_00_002', { contextId });
      if (!settled.closed) throw new CiamError('CIAM_E01_03_002', { contextId });
      // From here the verdict and the look before agree.
      if (!looked.codeRight) return wrongCode(deps, tx, context, step, origin, settled.wrongCodes!);
      const facts = await journeySoFar(tx, context, { mfaDone: true, pendingDocumentId: looked.pendingDocumentId });
      return advance(deps, tx, { context, parentTransactionId: step.transaction_id, origin }, facts);
    },
  });
}

/**
 * The code's verdict on a locked, usable step in one statement (store/queries/code-settlement.ts),
 * its audit row MFA_VERIFY_SUCCESS or MFA_VERIFY_FAILED told to the listeners once written. With
 * `proceed` false nothing changes.
 */
export function settleVerdict(tx: Queryable, { context, step }: LockedStep, origin: RequestOrigin, correct: boolean, proceed: boolean) {
  const data = { method: step.mfa_method, attempt_number: step.attempt_number };
  return recordAuditInStatement(
    correct ? 'MFA_VERIFY_SUCCESS' : 'MFA_VERIFY_FAILED',
    (event) =>
      settleCode(tx, {
        transactionId: step.transaction_id,
        contextId: context.context_id,
        cupid: context.cupid,
        correct,
        proceed,
        audit: {
          ...event,
          correlationId: origin.correlationId,
          ipAddress: origin.ipAddress,
          userAgent: origin.userAgent ?? null,
          dataJson: JSON.stringify({ ...originData(origin), ...data }),
        },
      }),
    (s) => (s.closed ? [{ cupid: context.cupid, contextId: context.context_id, transactionId: step.transaction_id, origin, data }] : []),
  );
}

/**
 * The factor is checked before any outside call: a wrong code is answered and counted without the
 * agreement service, which is asked only after a right one. Nothing is consumed here — the
 * transaction checks again under the journey's lock. While MFA is locked the code is not compared.
 */
async function lookBeforeTaking(deps: JourneyDeps, req: VerifyRequest, journey: AuthContextRow): Promise<Looked> {
  const step = await findStepOf(deps.db, journey, req.transactionId);
  if (!step || (await isMfaLocked(deps.db, journey.cupid)) || !isRightCode(deps, step, req.code)) return { codeRight: false };
  const pending = await fromProvider(() => deps.agreements.pendingMandatoryDocument(journey.cupid), req.contextId);
  return { codeRight: true, pendingDocumentId: pending ?? null };
}

function isRightCode(deps: JourneyDeps, step: StepRow, code: string): boolean {
  return sameDigest(hashOneTimeCode(deps.otpKey, step.transaction_id, code), step.otp_code_hash ?? '');
}

/**
 * After a wrong code was counted: `wrongCodes` came from the database's own count, taken before it
 * is compared with the limit (Ory Kratos does the same), so concurrent wrong codes in other
 * journeys or on other instances are all counted and none slips under the limit.
 */
async function wrongCode(deps: JourneyDeps, tx: Queryable, context: AuthContextRow, step: StepRow, origin: RequestOrigin, wrongCodes: number) {
  const contextId = context.context_id;
  const attempt = step.attempt_number ?? 1;
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
  const retry = await reofferMfa(deps, tx, { contextId, parentTransactionId: step.transaction_id, attemptNumber: attempt + 1 }, initiate);
  return failWith(new CiamError('CIAM_E01_01_017', { contextId, body: { transaction_id: retry.transaction_id } }));
}
