import type { RequestOrigin } from '../audit/record.js';
import type { CiamErrorCode } from '../errors/catalogue.js';
import type { Queryable } from '../store/database.js';
import type { AuthContextRow } from '../store/queries/auth-contexts.js';
import type { StepType } from '../store/queries/auth-transactions.js';
import type { JourneyDeps } from './journey-deps.js';
import { reportingJourneyEnd } from './risk-outcome.js';
import {
  assertUsable,
  clientOf,
  findCallersJourney,
  lockStep,
  throwIfFailure,
  type Failure,
  type LockedStep,
  type StepCaller,
} from './step-guard.js';

/** What every step call names: the journey, the step, and the request. */
export interface StepCall {
  contextId: string;
  transactionId: string;
  origin: RequestOrigin;
}

/** What one kind of step does of its own; the runner does the rest, the same way for every step. */
export interface StepSpec<Prepared, Taken> {
  /** The step types this call may take; another type answers `wrongKind` (404 CIAM_E01_03_001 by default). */
  accepts: StepType[];
  wrongKind?: CiamErrorCode;
  /** Who may take it: the client that started the journey, unless said otherwise. */
  caller?: StepCaller;
  /**
   * Outside calls and read-only looks, before the transaction: outside calls never run while one is
   * open. Gets the caller's journey as read without a lock.
   */
  prepare?: (journey: AuthContextRow) => Promise<Prepared>;
  /** Whether the locked step can be taken; `assertUsable` unless the step has its own rule. */
  usable?: (locked: LockedStep) => void;
  /** The step's own work, in the transaction, with the journey locked and the step usable. */
  take: (tx: Queryable, locked: LockedStep, prepared: Prepared) => Promise<Taken | Failure>;
}

/**
 * Runs one step call: the caller's journey → the outside calls → one transaction (lock the
 * journey, find the step, check it is usable, the step's own work) → the commit; a `Failure` is
 * thrown after the commit. Whatever the answer, the journey's end is reported to the risk service
 * if the call ended it.
 */
export function runStep<Prepared, Taken>(deps: JourneyDeps, call: StepCall, spec: StepSpec<Prepared, Taken>): Promise<Taken> {
  return reportingJourneyEnd(deps, call.contextId, () => takeStep(deps, call, spec));
}

/** `runStep` without the report, for a call that does more after the commit inside its own report. */
export async function takeStep<Prepared, Taken>(deps: JourneyDeps, call: StepCall, spec: StepSpec<Prepared, Taken>): Promise<Taken> {
  const caller = spec.caller ?? clientOf(call.origin);
  const prepared = spec.prepare ? await spec.prepare(await findCallersJourney(deps.db, call.contextId, caller)) : (undefined as Prepared);
  const result = await deps.db.transaction(async (tx) => {
    const locked = await lockStep(tx, call.contextId, call.transactionId, caller, spec.accepts, spec.wrongKind);
    (spec.usable ?? assertUsable)(locked);
    return spec.take(tx, locked, prepared);
  });
  return throwIfFailure(result);
}
