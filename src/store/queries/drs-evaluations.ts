import type { Queryable } from '../database.js';

export async function insertDrsEvaluation(
  db: Queryable,
  e: {
    contextId: string;
    cupid: string;
    actionTokenHash: string;
    deviceId: string | null;
    recommendation: string;
    riskScore: number;
    signals: unknown;
    deviceAttributes: unknown;
    raw: unknown;
    /** The action token sealed for the report at the journey's end; null when nothing is to be reported. */
    actionTokenSealed?: string | null;
  },
): Promise<string> {
  const { rows } = await db.query<{ evaluation_id: string }>(
    `INSERT INTO drs_evaluations (context_id, cupid, action_token_hash, device_id, recommendation, risk_score,
       signals, device_attributes, raw_response, action_token_sealed)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING evaluation_id`,
    [
      e.contextId,
      e.cupid,
      e.actionTokenHash,
      e.deviceId,
      e.recommendation,
      e.riskScore,
      JSON.stringify(e.signals ?? []),
      e.deviceAttributes === undefined ? null : JSON.stringify(e.deviceAttributes),
      JSON.stringify(e.raw),
      e.actionTokenSealed ?? null,
    ],
  );
  return rows[0]!.evaluation_id;
}

export interface UnreportedAction {
  evaluation_id: string;
  cupid: string;
  action_token_sealed: string;
  auth_outcome: string;
}

/**
 * Takes the sealed action tokens of a journey that has ended, clearing them in the same statement:
 * of two callers racing at a journey's end, exactly one gets them, so the end is reported once.
 * Nothing while the journey is still open.
 */
export async function takeUnreportedActions(db: Queryable, contextId: string): Promise<UnreportedAction[]> {
  const { rows } = await db.query<UnreportedAction>(
    `UPDATE drs_evaluations d SET action_token_sealed = NULL
       FROM auth_contexts c, drs_evaluations old
      WHERE d.context_id = $1 AND d.action_token_sealed IS NOT NULL
        AND c.context_id = d.context_id AND c.auth_outcome IS NOT NULL
        AND old.evaluation_id = d.evaluation_id
      RETURNING d.evaluation_id, d.cupid, old.action_token_sealed, c.auth_outcome`,
    [contextId],
  );
  return rows;
}
