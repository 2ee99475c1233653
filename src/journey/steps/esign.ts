import { recordAudit } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import type { AgreementDocument } from '../../providers/agreements/port.js';
import { finishAuthContext, type AuthContextRow } from '../../store/queries/auth-contexts.js';
import { insertAcceptance } from '../../store/queries/esign-acceptances.js';
import { advance, journeySoFar } from '../advance.js';
import type { JourneyAnswer } from '../answers.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { assertUsable, consumeStep, failWith, findStepOf, isFailure, type LockedStep } from '../step-guard.js';
import { runStep, type StepCall } from '../step-runner.js';

export async function getDocument(deps: JourneyDeps, documentId: string): Promise<AgreementDocument> {
  const doc = await fromProvider(() => deps.agreements.getDocument(documentId));
  if (!doc) throw new CiamError('CIAM_E01_04_001');
  return doc;
}

export interface EsignRequest extends StepCall {
  documentId: string;
  /** What the client claims; kept in the audit row only — the server's own IP and clock are recorded. */
  claimedIp?: string;
  claimedTimestamp?: string;
}

export type EsignAcceptAnswer = { answer: JourneyAnswer; acceptedAt: Date };

/** An eSign step is taken only for the document it presented. */
const esignStep = (req: EsignRequest) => ({
  accepts: ['ESIGN_PRESENT' as const],
  wrongKind: 'CIAM_E01_04_002' as const,
  usable: (locked: LockedStep) => {
    assertUsable(locked);
    if (locked.step.esign_document_id !== req.documentId) throw new CiamError('CIAM_E01_04_002', { contextId: req.contextId });
  },
});

/**
 * POST /auth/esign/accept: records the acceptance (document id and version, CUPID, time, IP) in
 * the same transaction as the step, tells the agreement service, and moves the journey on.
 */
export function acceptDocument(deps: JourneyDeps, req: EsignRequest): Promise<EsignAcceptAnswer> {
  const { contextId, origin } = req;
  return runStep(deps, req, {
    ...esignStep(req),
    prepare: async (journey) => {
      const doc = await presentedDocument(deps, req, journey);
      // The agreement service is told first: if it is down nothing changes here and the step stays open.
      const acceptedAt = new Date();
      const acceptance = { cupid: journey.cupid, documentId: doc.document_id, version: doc.version, acceptedAt, ipAddress: origin.ipAddress, contextId };
      await fromProvider(() => deps.agreements.recordAcceptance(acceptance), contextId);
      return doc;
    },
    take: async (tx, locked, doc) => {
      const { step, context } = locked;
      const acceptance = { cupid: context.cupid, documentId: doc.document_id, version: doc.version, contextId, transactionId: step.transaction_id };
      const stored = await insertAcceptance(tx, { ...acceptance, ipAddress: origin.ipAddress });
      await consumeStep(tx, locked, { esignAction: 'ACCEPTED' });
      await recordAudit(tx, {
        type: 'ESIGN_ACCEPTED',
        cupid: context.cupid,
        contextId,
        transactionId: step.transaction_id,
        origin,
        data: {
          document_id: doc.document_id,
          version: doc.version,
          claimed_acceptance_ip: req.claimedIp ?? null,
          claimed_acceptance_timestamp: req.claimedTimestamp ?? null,
        },
      });
      const facts = await journeySoFar(tx, context, { pendingDocumentId: null });
      const answer = await advance(deps, tx, { context, parentTransactionId: step.transaction_id, origin }, facts);
      return isFailure(answer) ? answer : { answer, acceptedAt: stored };
    },
  });
}

/** Declining a mandatory document ends the journey: the customer cannot continue without it. */
export function declineDocument(deps: JourneyDeps, req: EsignRequest): Promise<never> {
  const { contextId, origin } = req;
  return runStep<undefined, never>(deps, req, {
    ...esignStep(req),
    take: async (tx, locked) => {
      const { step, context } = locked;
      await consumeStep(tx, locked, { esignAction: 'DECLINED' });
      await finishAuthContext(tx, contextId, 'FAILED');
      const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };
      await recordAudit(tx, { ...base, type: 'ESIGN_DECLINED', data: { document_id: req.documentId } });
      await recordAudit(tx, { ...base, type: 'JOURNEY_FAILED', data: { reason: 'MANDATORY_DOCUMENT_DECLINED' } });
      return failWith(new CiamError('CIAM_E01_04_003', { contextId }));
    },
  });
}

/** The step's document, checked before any outside call: the step must be an open eSign step. */
async function presentedDocument(deps: JourneyDeps, req: EsignRequest, journey: AuthContextRow): Promise<AgreementDocument> {
  const contextId = req.contextId;
  const step = await findStepOf(deps.db, journey, req.transactionId);
  if (!step) throw new CiamError('CIAM_E01_03_001', { contextId });
  if (step.transaction_type !== 'ESIGN_PRESENT' || step.esign_document_id !== req.documentId) {
    throw new CiamError('CIAM_E01_04_002', { contextId });
  }
  assertUsable({ context: journey, step });
  const doc = await fromProvider(() => deps.agreements.getDocument(req.documentId), contextId);
  if (!doc) throw new CiamError('CIAM_E01_04_002', { contextId });
  return doc;
}
