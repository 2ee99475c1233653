import { CiamError } from '../errors/catalogue.js';
import { seal, unseal } from '../session/key-sealing.js';
import { takeUnreportedActions } from '../store/queries/drs-evaluations.js';
import type { JourneyDeps } from './journey-deps.js';

/**
 * Transmit learns how every assessed login ended — which challenged logins were genuine — whatever
 * step ends the journey: the password, a one-time code, a push, eSign, device binding, or a failure
 * or lock on the way. Its action-result call needs the action token itself, so the login keeps it
 * sealed on the DRS evaluation (never in clear, bound to the journey) until the end is reported.
 */

/** The sealed form kept in drs_evaluations.action_token_sealed; null when there is nothing to report. */
export function sealActionToken(deps: JourneyDeps, contextId: string, actionToken: string): string | null {
  if (!deps.risk.reportOutcome) return null;
  return seal(deps.actionTokenKey, `drs-action:${contextId}`, actionToken);
}

/**
 * Runs one journey call, then — answer or error — reports the journey's end to the risk service if
 * the call ended it. The report leaves after the answer is settled and never delays or changes it.
 */
export async function reportingJourneyEnd<T>(deps: JourneyDeps, contextId: string | undefined, call: () => Promise<T>): Promise<T> {
  try {
    const answer = await call();
    reportIfEnded(deps, contextIdOf(answer) ?? contextId);
    return answer;
  } catch (error) {
    reportIfEnded(deps, (error instanceof CiamError ? error.details.contextId : undefined) ?? contextId);
    throw error;
  }
}

function reportIfEnded(deps: JourneyDeps, contextId: string | undefined): void {
  const report = deps.risk.reportOutcome;
  if (!report || !contextId) return;
  void (async () => {
    for (const action of await takeUnreportedActions(deps.db, contextId)) {
      const actionToken = unseal(deps.actionTokenKey, `drs-action:${contextId}`, action.action_token_sealed);
      await report.call(deps.risk, { actionToken, cupid: action.cupid, success: action.auth_outcome === 'SUCCESS' });
    }
  })().catch(() => {
    // Best effort: the journey has ended, and the customer's answer must not depend on the report.
  });
}

function contextIdOf(answer: unknown): string | undefined {
  const id = (answer as { contextId?: unknown } | undefined)?.contextId;
  return typeof id === 'string' ? id : undefined;
}
