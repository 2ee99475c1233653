import type { Queryable } from '../database.js';

export interface OperationalCounts {
  open_steps: number;
  expired_open_steps: number;
  open_journeys: number;
  expired_open_journeys: number;
  active_sessions: number;
  high_risk_logins_last_hour: number;
}

/**
 * The alert gauges of the seed in one round trip. Each count is served by an index: steps by
 * (transaction_status, expires_at), open journeys by the partial expiry index, sessions by
 * (status, expires_at), DRS rows by created_at DESC.
 */
export async function operationalCounts(db: Queryable): Promise<OperationalCounts> {
  const { rows } = await db.query<OperationalCounts>({
    name: 'operational_counts',
    text: `SELECT
      (SELECT count(*) FROM auth_transactions WHERE transaction_status = 'PENDING')::int AS open_steps,
      (SELECT count(*) FROM auth_transactions WHERE transaction_status = 'PENDING' AND expires_at <= now())::int
        AS expired_open_steps,
      (SELECT count(*) FROM auth_contexts WHERE auth_outcome IS NULL)::int AS open_journeys,
      (SELECT count(*) FROM auth_contexts WHERE auth_outcome IS NULL AND expires_at <= now())::int AS expired_open_journeys,
      (SELECT count(*) FROM sessions WHERE status = 'ACTIVE' AND expires_at > now())::int AS active_sessions,
      (SELECT count(*) FROM drs_evaluations WHERE created_at > now() - interval '1 hour' AND risk_score >= 70)::int
        AS high_risk_logins_last_hour`,
  });
  return rows[0]!;
}
