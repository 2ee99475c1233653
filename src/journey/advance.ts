import { v7 as timeOrderedUuid } from 'uuid';
import { recordAudit, type RequestOrigin } from '../audit/record.js';
import type { AuditEventType } from '../audit/events.js';
import { CiamError } from '../errors/catalogue.js';
import type { Queryable } from '../store/database.js';
import { finishAuthContext, type AuthContextRow } from '../store/queries/auth-contexts.js';
import { insertStep, stepsOfJourney, type NewStep, type StepRow } from '../store/queries/auth-transactions.js';
import { findTrustedDevice } from '../store/queries/trusted-devices.js';
import type { JourneyAnswer } from './answers.js';
import type { JourneyDeps } from './journey-deps.js';
import { nextStep, type JourneyFacts, type NextStep } from './policy.js';
import { failWith, type Failure } from './step-guard.js';

/** Where a journey stands when its next step is opened. */
export interface Position {
  context: AuthContextRow;
  /** The step just taken (parent of the next one); null at the login. */
  parentTransactionId: string | null;
  origin: RequestOrigin;
  /** The login resumed this journey (it keeps its count of wrong codes). */
  resumed?: boolean;
}

/** Asks the policy what comes next and opens it, inside the caller's transaction. */
export async function advance(deps: JourneyDeps, tx: Queryable, at: Position, facts: JourneyFacts): Promise<JourneyAnswer | Failure> {
  return open(deps, tx, at, nextStep(facts));
}

export function open(deps: JourneyDeps, tx: Queryable, at: Position, next: NextStep): Promise<JourneyAnswer | Failure> {
  // A Record over every kind: a new kind in the policy does not compile until it is opened here.
  const openings: { [K in NextStep['kind']]: (n: Extract<NextStep, { kind: K }>) => Promise<JourneyAnswer | Failure> } = {
    DENIED: (n) => endFailed(tx, at, 'LOGIN_DENIED', { reason: n.reason }, 'CIAM_E01_01_010'),
    // MFA is required but the customer has no way to receive it: nothing to offer.
    NO_MFA_METHOD: () => endFailed(tx, at, 'JOURNEY_FAILED', { reason: 'NO_MFA_METHOD' }, 'CIAM_E01_01_005'),
    MFA: (n) => offerMfa(deps, tx, at, n),
    ESIGN: (n) => presentDocument(deps, tx, at, n.documentId),
    DEVICE_BIND: () => offerDeviceBind(deps, tx, at),
    SESSION: () => complete(deps, tx, at.context, at.origin, at.parentTransactionId),
  };
  return (openings[next.kind] as (n: NextStep) => Promise<JourneyAnswer | Failure>)(next);
}

/**
 * The facts of a journey past its login, from its own rows: what the login decided is behind it.
 * Trust and an earlier second factor matter only to a device the risk service named.
 */
export async function journeySoFar(
  tx: Queryable,
  context: AuthContextRow,
  known: { mfaDone?: boolean; pendingDocumentId?: string | null; deviceBindAnswered?: boolean },
): Promise<JourneyFacts> {
  const device = context.device_fingerprint;
  const pendingDocumentId = known.pendingDocumentId ?? null;
  const deviceBindAnswered = known.deviceBindAnswered ?? false;
  const mfaDone = known.mfaDone ?? (device ? await mfaPassedIn(tx, context.context_id) : false);
  const trustMatters = device !== null && mfaDone && !pendingDocumentId && !deviceBindAnswered;
  return {
    denied: null,
    directoryAsksMfa: false,
    riskChallenges: false,
    // device_fingerprint already holds the keyed hash, which is what trust is keyed on.
    deviceTrusted: trustMatters ? Boolean(await findTrustedDevice(tx, context.cupid, device)) : false,
    deviceKnown: device !== null,
    mfaMethods: { otp: [], push: 'NOT_REGISTERED' },
    mfaDone,
    pendingDocumentId,
    deviceBindAnswered,
  };
}

async function mfaPassedIn(tx: Queryable, contextId: string): Promise<boolean> {
  const steps = await stepsOfJourney(tx, contextId);
  return steps.some((s) => s.phase === 'MFA' && (s.verification_result === 'CORRECT' || s.verification_result === 'APPROVED'));
}

async function endFailed(tx: Queryable, at: Position, type: AuditEventType, data: Record<string, unknown>, code: 'CIAM_E01_01_010' | 'CIAM_E01_01_005') {
  const contextId = at.context.context_id;
  await finishAuthContext(tx, contextId, 'FAILED');
  await recordAudit(tx, { cupid: at.context.cupid, contextId, origin: at.origin, type, data });
  return failWith(new CiamError(code, { contextId }));
}

/** Inserts the next step (parent: the step just taken) and its audit row. */
async function openStep(
  tx: Queryable,
  at: Position,
  step: Omit<NewStep, 'contextId' | 'parentTransactionId'>,
  audit: { type: AuditEventType; data?: Record<string, unknown> },
): Promise<string> {
  const contextId = at.context.context_id;
  const opened = await insertStep(tx, { ...step, contextId, parentTransactionId: at.parentTransactionId });
  await recordAudit(tx, { cupid: at.context.cupid, contextId, origin: at.origin, transactionId: opened.transaction_id, ...audit });
  return opened.transaction_id;
}

/**
 * A new MFA_INITIATE step after one that did not end the factor (a wrong code, an undelivered or
 * refused challenge): it offers what `offered` offered, or the `options` left, and carries the
 * journey's attempt number on. No audit row of its own: the caller records why.
 */
export function reofferMfa(
  deps: JourneyDeps,
  tx: Queryable,
  at: { contextId: string; parentTransactionId: string; attemptNumber: number },
  offered: Pick<StepRow, 'mfa_options' | 'mobile_approve_status'> | undefined,
  options = offered?.mfa_options ?? [],
): Promise<StepRow> {
  return insertStep(tx, {
    contextId: at.contextId,
    parentTransactionId: at.parentTransactionId,
    type: 'MFA_INITIATE',
    phase: 'MFA',
    ttlSeconds: deps.settings.lifetimes.mfaStep,
    mfaOptions: options,
    mobileApproveStatus: offered?.mobile_approve_status ?? undefined,
    attemptNumber: at.attemptNumber,
  });
}

async function offerMfa(deps: JourneyDeps, tx: Queryable, at: Position, mfa: Extract<NextStep, { kind: 'MFA' }>): Promise<JourneyAnswer> {
  const contextId = at.context.context_id;
  // A resumed journey keeps its count of wrong codes: starting over gives no fresh guesses.
  const wrongCodes = at.resumed ? (await stepsOfJourney(tx, contextId)).filter((s) => s.verification_result === 'INCORRECT').length : 0;
  const transactionId = await openStep(
    tx,
    at,
    { type: 'MFA_INITIATE', phase: 'MFA', ttlSeconds: deps.settings.lifetimes.mfaStep, mfaOptions: mfa.otp, mobileApproveStatus: mfa.push, attemptNumber: wrongCodes + 1 },
    { type: 'LOGIN_MFA_REQUIRED', data: { reason: mfa.reason, resumed: Boolean(at.resumed) } },
  );
  return { kind: 'MFA_REQUIRED', contextId, transactionId, otpMethods: mfa.otp, mobileApproveStatus: mfa.push };
}

async function presentDocument(deps: JourneyDeps, tx: Queryable, at: Position, documentId: string): Promise<JourneyAnswer> {
  const transactionId = await openStep(
    tx,
    at,
    { type: 'ESIGN_PRESENT', phase: 'ESIGN', ttlSeconds: deps.settings.lifetimes.esignStep, esignDocumentId: documentId, esignAction: 'PRESENTED' },
    { type: 'ESIGN_PRESENTED', data: { document_id: documentId } },
  );
  return { kind: 'ESIGN_REQUIRED', contextId: at.context.context_id, transactionId, documentId };
}

async function offerDeviceBind(deps: JourneyDeps, tx: Queryable, at: Position): Promise<JourneyAnswer> {
  const transactionId = await openStep(
    tx,
    at,
    { type: 'DEVICE_BIND', phase: 'DEVICE_BIND', ttlSeconds: deps.settings.lifetimes.deviceBindStep, deviceBindDecision: 'OFFERED' },
    { type: 'DEVICE_BIND_OFFERED' },
  );
  return { kind: 'DEVICE_BIND_REQUIRED', contextId: at.context.context_id, transactionId };
}

/** Opens the session, issues the tokens and records the journey's success — one statement. */
async function complete(
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
