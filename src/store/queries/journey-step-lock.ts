import type { Queryable } from '../database.js';
import { journeyColumns, type AuthContextRow } from './auth-contexts.js';
import { stepColumns, type StepRow } from './auth-transactions.js';

const STEP = 'step.';

/**
 * The journey locked for the rest of the transaction, and then the step of it that the caller
 * names, read after the lock is held — so as the lock's previous holder left it. One round trip;
 * why it goes through two functions is in migration 007.
 */
const LOCK_STEP = `
SELECT ${journeyColumns('j')}, ${stepColumns('s', STEP)}
FROM journey_locked($1) j LEFT JOIN LATERAL journey_step(j.context_id, $2) s ON true`;

export interface JourneyAndStep {
  /** Undefined when there is no such journey. */
  context?: AuthContextRow;
  /** Undefined when the journey has no such step. */
  step?: StepRow;
}

export async function lockJourneyAndFindStep(db: Queryable, contextId: string, transactionId: string): Promise<JourneyAndStep> {
  const { rows } = await db.query<Record<string, unknown>>({ name: 'journey_step_lock', text: LOCK_STEP, values: [contextId, transactionId] });
  const row = rows[0];
  if (!row) return {};
  const context: Record<string, unknown> = {};
  const step: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith(STEP)) step[key.slice(STEP.length)] = value;
    else context[key] = value;
  }
  return { context: context as unknown as AuthContextRow, step: step.transaction_id === null ? undefined : (step as unknown as StepRow) };
}
