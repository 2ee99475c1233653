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
  },
): Promise<string> {
  const { rows } = await db.query<{ evaluation_id: string }>(
    `INSERT INTO drs_evaluations (context_id, cupid, action_token_hash, device_id, recommendation, risk_score,
       signals, device_attributes, raw_response)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING evaluation_id`,
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
    ],
  );
  return rows[0]!.evaluation_id;
}
