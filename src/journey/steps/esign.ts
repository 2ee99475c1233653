import { recordAudit, type RequestOrigin } from '../../audit/record.js';
import { CiamError } from '../../errors/catalogue.js';
import type { AgreementDocument } from '../../providers/agreements/port.js';
import { findAuthContext, finishAuthContext } from '../../store/queries/auth-contexts.js';
import { closeStep, findStep } from '../../store/queries/auth-transactions.js';
import { insertAcceptance } from '../../store/queries/esign-acceptances.js';
import { advance } from '../advance.js';
import type { JourneyAnswer } from '../answers.js';
import type { JourneyDeps } from '../journey-deps.js';
import { fromProvider } from '../provider-call.js';
import { isUuid } from '../secrets.js';
import { assertUsable, clientOf, failWith, isCallersJourney, lockStep, throwIfFailure } from '../step-guard.js';

export async function getDocument(deps: JourneyDeps, documentId: string): Promise<AgreementDocument> {
  const doc = await fromProvider(() => deps.agreements.getDocument(documentId));
  if (!doc) throw new CiamError('CIAM_E01_04_001');
  return doc;
}

export interface EsignRequest {
  contextId: string;
  transactionId: string;
  documentId: string;
  /** What the client claims; kept in the audit row only — the server's own IP and clock are recorded. */
  claimedIp?: string;
  claimedTimestamp?: string;
  origin: RequestOrigin;
}

export type EsignAcceptAnswer = { answer: JourneyAnswer; acceptedAt: Date };

/**
 * POST /auth/esign/accept: records the acceptance (document id and version, CUPID, time, IP) in
 * the same transaction as the step, tells the agreement service, and moves the journey on.
 */
export async function acceptDocument(deps: JourneyDeps, req: EsignRequest): Promise<EsignAcceptAnswer> {
  const { contextId, origin } = req;
  const { cupid, doc } = await presentedDocument(deps, req);
  const acceptedAt = new Date();
  // The agreement service is told first: if it is down nothing changes here and the step stays open.
  await fromProvider(
    () =>
      deps.agreements.recordAcceptance({ cupid, documentId: doc.document_id, version: doc.version, acceptedAt, ipAddress: origin.ipAddress, contextId }),
    contextId,
  );

  return deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, clientOf(req.origin), ['ESIGN_PRESENT'], 'CIAM_E01_04_002');
    assertUsable(locked);
    const { step, context } = locked;
    if (step.esign_document_id !== req.documentId) throw new CiamError('CIAM_E01_04_002', { contextId });
    const stored = await insertAcceptance(tx, {
      cupid: context.cupid,
      documentId: doc.document_id,
      version: doc.version,
      contextId,
      transactionId: step.transaction_id,
      ipAddress: origin.ipAddress,
    });
    const closed = await closeStep(tx, step.transaction_id, 'CONSUMED', { esignAction: 'ACCEPTED' });
    if (!closed) throw new CiamError('CIAM_E01_03_002', { contextId });
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
    const answer = await advance(deps, tx, { context, after: 'ESIGN', parentTransactionId: step.transaction_id, pendingDocumentId: undefined, origin });
    return { answer, acceptedAt: stored };
  });
}

/** Declining a mandatory document ends the journey: the customer cannot continue without it. */
export async function declineDocument(deps: JourneyDeps, req: EsignRequest): Promise<never> {
  const { contextId, origin } = req;
  const result = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, contextId, req.transactionId, clientOf(req.origin), ['ESIGN_PRESENT'], 'CIAM_E01_04_002');
    assertUsable(locked);
    const { step, context } = locked;
    if (step.esign_document_id !== req.documentId) throw new CiamError('CIAM_E01_04_002', { contextId });
    const closed = await closeStep(tx, step.transaction_id, 'CONSUMED', { esignAction: 'DECLINED' });
    if (!closed) throw new CiamError('CIAM_E01_03_002', { contextId });
    await finishAuthContext(tx, contextId, 'FAILED');
    const base = { cupid: context.cupid, contextId, transactionId: step.transaction_id, origin };
    await recordAudit(tx, { ...base, type: 'ESIGN_DECLINED', data: { document_id: req.documentId } });
    await recordAudit(tx, { ...base, type: 'JOURNEY_FAILED', data: { reason: 'MANDATORY_DOCUMENT_DECLINED' } });
    return failWith(new CiamError('CIAM_E01_04_003', { contextId }));
  });
  throwIfFailure(result);
  throw new Error('unreachable');
}

/** The step's document, checked before any outside call: the step must be an open eSign step. */
async function presentedDocument(deps: JourneyDeps, req: EsignRequest) {
  const contextId = req.contextId;
  const context = isUuid(contextId) ? await findAuthContext(deps.db, contextId) : undefined;
  const step = context && isUuid(req.transactionId) ? await findStep(deps.db, req.transactionId) : undefined;
  if (!context || !isCallersJourney(context, clientOf(req.origin)) || !step || step.context_id !== context.context_id) {
    throw new CiamError('CIAM_E01_03_001', { contextId });
  }
  if (step.transaction_type !== 'ESIGN_PRESENT' || step.esign_document_id !== req.documentId) {
    throw new CiamError('CIAM_E01_04_002', { contextId });
  }
  assertUsable({ context, step });
  const doc = await fromProvider(() => deps.agreements.getDocument(req.documentId), contextId);
  if (!doc) throw new CiamError('CIAM_E01_04_002', { contextId });
  return { cupid: context.cupid, doc };
}
