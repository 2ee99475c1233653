import { CiamError, type CiamErrorCode } from '../errors/catalogue.js';
import type { Queryable } from '../store/database.js';
import { findAuthContext, type AuthContextRow } from '../store/queries/auth-contexts.js';
import { closeStep, findStep, type StepOutcomeFields, type StepRow, type StepType } from '../store/queries/auth-transactions.js';
import { lockJourneyAndFindStep } from '../store/queries/journey-step-lock.js';
import type { RequestOrigin } from '../audit/record.js';
import { isUuid } from './secrets.js';

export interface LockedStep {
  context: AuthContextRow;
  step: StepRow;
}

/**
 * Which registered client may take a journey's steps: the one that started it (its x-client-id),
 * or `PHONE_WITH_SECRET` for the push answer, which comes from the customer's phone — another
 * client — and is authorised by the one-time approval secret instead.
 */
export type StepCaller = string | typeof PHONE_WITH_SECRET;
export const PHONE_WITH_SECRET = Symbol('phone with approval secret');

/** The caller's client for a step call (an unregistered caller never reaches a journey route). */
export function clientOf(origin: RequestOrigin): StepCaller {
  return origin.clientId ?? '';
}

/** A journey answers only the client that started it; to any other it does not exist. */
export function isCallersJourney(context: AuthContextRow, caller: StepCaller): boolean {
  return caller === PHONE_WITH_SECRET || (context.client_id !== null && context.client_id === caller);
}

/** The journey a caller names, read without a lock; unknown to any caller but the client that started it. */
export async function findCallersJourney(db: Queryable, contextId: string, caller: StepCaller): Promise<AuthContextRow> {
  const context = isUuid(contextId) ? await findAuthContext(db, contextId) : undefined;
  if (!context || !isCallersJourney(context, caller)) throw new CiamError('CIAM_E01_03_001', { contextId });
  return context;
}

/** A step of that journey, read without a lock, or undefined; for a look before the transaction only. */
export async function findStepOf(db: Queryable, context: AuthContextRow, transactionId: string): Promise<StepRow | undefined> {
  const step = isUuid(transactionId) ? await findStep(db, transactionId) : undefined;
  return step && step.context_id === context.context_id ? step : undefined;
}

/**
 * Finds the step a caller names and locks its journey for the rest of the transaction, so steps
 * of one journey advance one at a time. Throws the contract's error when the step is unknown,
 * belongs to another journey or to a journey another client started (both indistinguishable from
 * unknown), or is of another kind.
 */
export async function lockStep(
  tx: Queryable,
  contextId: string,
  transactionId: string,
  caller: StepCaller,
  accept: StepType[],
  wrongKind: CiamErrorCode = 'CIAM_E01_03_001',
): Promise<LockedStep> {
  const notFound = new CiamError('CIAM_E01_03_001', { contextId });
  if (!isUuid(contextId) || !isUuid(transactionId)) throw notFound;
  const { context, step } = await lockJourneyAndFindStep(tx, contextId, transactionId);
  if (!context || !isCallersJourney(context, caller)) throw notFound;
  if (!step) throw notFound;
  if (!accept.includes(step.transaction_type)) throw new CiamError(wrongKind, { contextId });
  return { context, step };
}

/** A step can be used only while it and its journey are open. */
export function assertUsable({ context, step }: LockedStep): void {
  const contextId = context.context_id;
  if (step.transaction_status === 'CONSUMED') throw new CiamError('CIAM_E01_03_003', { contextId });
  if (step.transaction_status !== 'PENDING' || step.is_expired) throw new CiamError('CIAM_E01_03_002', { contextId });
  if (!context.is_open) throw new CiamError('CIAM_E01_03_002', { contextId });
}

/** Consumes a locked, usable step; the conditional update keeps it single-use whatever else runs. */
export async function consumeStep(tx: Queryable, { context, step }: LockedStep, fields: StepOutcomeFields): Promise<StepRow> {
  const closed = await closeStep(tx, step.transaction_id, 'CONSUMED', fields);
  if (!closed) throw new CiamError('CIAM_E01_03_002', { contextId: context.context_id });
  return closed;
}

/**
 * A journey transaction that must commit its changes (a consumed step, audit rows) and still
 * answer with an error returns `failWith(error)`; the caller throws it after the commit.
 */
export interface Failure {
  failure: CiamError;
}

export function failWith(error: CiamError): Failure {
  return { failure: error };
}

export function isFailure<T>(result: T | Failure): result is Failure {
  return Boolean(result && typeof result === 'object' && 'failure' in result);
}

export function throwIfFailure<T>(result: T | Failure): T {
  if (isFailure(result)) throw result.failure;
  return result;
}
