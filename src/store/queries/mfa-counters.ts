import type { Queryable } from '../database.js';

/**
 * Per-customer MFA counters (table mfa_counters), shared by every journey, channel and instance.
 * Each update is one atomic upsert whose row lock serializes concurrent callers, so two codes
 * sent (or two wrong codes, counted in code-settlement.ts) at the same moment from two journeys
 * are both counted.
 */

/**
 * Counts one code about to be sent in the customer's current hour-long window (a window older than
 * an hour starts afresh with this code). Returns the count, this code included, and the seconds
 * until the window ends.
 */
export async function countCodeSent(
  db: Queryable,
  cupid: string,
  windowSeconds: number,
): Promise<{ sent: number; windowEndsInSeconds: number }> {
  const { rows } = await db.query<{ codes_sent: number; ends_in: number }>({
    name: 'mfa_code_sent',
    text: `INSERT INTO mfa_counters AS c (cupid, codes_sent, codes_window_start) VALUES ($1, 1, now())
     ON CONFLICT (cupid) DO UPDATE SET
       codes_sent = CASE WHEN c.codes_window_start <= now() - make_interval(secs => $2) THEN 1 ELSE c.codes_sent + 1 END,
       codes_window_start = CASE WHEN c.codes_window_start <= now() - make_interval(secs => $2) THEN now() ELSE c.codes_window_start END
     RETURNING codes_sent,
       ceil(extract(epoch FROM codes_window_start + make_interval(secs => $2) - now()))::int AS ends_in`,
    values: [cupid, windowSeconds],
  });
  return { sent: rows[0]!.codes_sent, windowEndsInSeconds: Math.max(1, rows[0]!.ends_in) };
}
