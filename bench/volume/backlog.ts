import type { FillStatement } from './day.js';
import { cupidOf, hashMod, hex64, ipOf, sha256Hex, T0, timeOrderedId, USER_AGENT, VOLUME } from './shape.js';

/**
 * Rows older than the day, there for the maintenance jobs to find: finished journeys past their
 * 90-day retention (half with a session ended since), sessions whose 30 days ran out in the last
 * three hours, and audit rows in monthly partitions older than two years. The day itself brings
 * the expiry jobs' backlog (abandoned journeys with their open steps past expiry).
 */
const H = VOLUME.retentionJourneys;
const E = VOLUME.expiringSessions;

const oldAt = `(${T0} - interval '91 days' - interval '1 hour' + h::float8 / ${H} * interval '1 hour')`;
const oldJourney = timeOrderedId(oldAt, 'octx', 'h');
const oldCupid = cupidOf(hashMod('h', VOLUME.customers, 101));

export const retentionJourneys: FillStatement = {
  table: 'auth_contexts (past retention)',
  count: H,
  sql: `
    WITH j AS (
      INSERT INTO auth_contexts (context_id, cupid, app_id, app_version, ip_address, requires_additional_steps, auth_outcome,
        completed_at, created_at, expires_at, client_id)
      SELECT ${oldJourney}, ${oldCupid}, 'mobile', '4.11.0', ${ipOf('h')}, true, 'SUCCESS', ${oldAt} + interval '40 seconds',
             ${oldAt}, ${oldAt} + interval '15 minutes', 'web-banking'
      FROM generate_series($2::int, $3::int) AS h
      RETURNING 1
    ), steps AS (
      INSERT INTO auth_transactions (transaction_id, context_id, transaction_type, transaction_status, sequence_number, phase,
        mfa_method, verification_result, attempt_number, consumed_at, created_at, expires_at)
      SELECT ${timeOrderedId(oldAt, 'ostp', 'h * 2 + seq')}, ${oldJourney},
             CASE WHEN seq = 1 THEN 'MFA_INITIATE' ELSE 'MFA_VERIFY' END::transaction_type, 'CONSUMED', seq, 'MFA', 'sms',
             CASE WHEN seq = 2 THEN 'CORRECT' END, 1, ${oldAt} + seq * interval '15 seconds', ${oldAt}, ${oldAt} + interval '5 minutes'
      FROM generate_series($2::int, $3::int) AS h CROSS JOIN generate_series(1, 2) AS seq
      RETURNING 1
    ), drs AS (
      INSERT INTO drs_evaluations (evaluation_id, context_id, cupid, action_token_hash, recommendation, risk_score, raw_response, created_at)
      SELECT ${timeOrderedId(oldAt, 'odrs', 'h')}, ${oldJourney}, ${oldCupid}, ${hex64(`'oaid-' || h`)}, 'ALLOW', 20,
             '{"recommendation":{"type":"ALLOW"},"risk_score":20}'::jsonb, ${oldAt}
      FROM generate_series($2::int, $3::int) AS h
      RETURNING 1
    ), ses AS (
      INSERT INTO sessions (session_id, context_id, cupid, client_id, ip_address, user_agent, status, created_at, last_activity_at,
        expires_at, ended_at)
      SELECT ${timeOrderedId(oldAt, 'oses', 'h')}, ${oldJourney}, ${oldCupid}, 'web-banking', ${ipOf('h')}, ${USER_AGENT}, 'LOGGED_OUT',
             ${oldAt} + interval '40 seconds', ${oldAt} + interval '1 day', ${oldAt} + interval '30 days', ${oldAt} + interval '1 day'
      FROM generate_series($2::int, $3::int) AS h WHERE h % 2 = 0
      RETURNING session_id, created_at
    )
    INSERT INTO tokens (token_id, session_id, token_type, token_value_hash, status, created_at, expires_at)
    SELECT ${timeOrderedId('ses.created_at', 'otok', `ses.session_id::text || t.type`)}, ses.session_id, t.type::token_type,
           ${sha256Hex(`'bench-old-' || ses.session_id::text || t.type`)}, 'EXPIRED', ses.created_at, ses.created_at + interval '15 minutes'
    FROM ses CROSS JOIN (VALUES ('ACCESS'), ('REFRESH')) AS t(type)`,
};

const expAt = `(${T0} - interval '30 days' - interval '3 hours' + e::float8 / ${E} * interval '3 hours')`;
const expJourney = timeOrderedId(expAt, 'ectx', 'e');
const expSession = timeOrderedId(expAt, 'eses', 'e');
const expCupid = cupidOf(hashMod('e', VOLUME.customers, 103));

export const expiringSessions: FillStatement = {
  table: 'sessions (past expiry)',
  count: E,
  sql: `
    WITH j AS (
      INSERT INTO auth_contexts (context_id, cupid, app_id, app_version, ip_address, auth_outcome, completed_at, created_at, expires_at, client_id)
      SELECT ${expJourney}, ${expCupid}, 'web', '4.10.2', ${ipOf('e')}, 'SUCCESS', ${expAt} + interval '10 seconds', ${expAt},
             ${expAt} + interval '15 minutes', 'web-banking'
      FROM generate_series($2::int, $3::int) AS e
      RETURNING 1
    ), ses AS (
      INSERT INTO sessions (session_id, context_id, cupid, client_id, ip_address, user_agent, status, created_at, last_activity_at, expires_at)
      SELECT ${expSession}, ${expJourney}, ${expCupid}, 'web-banking', ${ipOf('e')}, ${USER_AGENT}, 'ACTIVE',
             ${expAt} + interval '10 seconds', ${expAt} + interval '1 hour', ${expAt} + interval '10 seconds' + interval '30 days'
      FROM generate_series($2::int, $3::int) AS e
      RETURNING 1
    )
    INSERT INTO tokens (token_id, session_id, token_type, token_value_hash, status, scopes, created_at, expires_at)
    SELECT ${timeOrderedId(expAt, 'etok', `e::int8 * 3 + t.k`)}, ${expSession}, t.type::token_type,
           ${sha256Hex(`'bench-expiring-' || e || t.type`)}, 'ACTIVE', NULL, ${expAt} + interval '1 hour',
           CASE WHEN t.type = 'REFRESH' THEN ${expAt} + interval '10 seconds' + interval '30 days'
                ELSE ${expAt} + interval '1 hour 15 minutes' END
    FROM generate_series($2::int, $3::int) AS e CROSS JOIN (VALUES (0, 'ACCESS'), (1, 'REFRESH'), (2, 'ID')) AS t(k, type)`,
};

/** Months before the current (UTC) one whose partitions a two-year audit log holds; the last two are past retention. */
export const AUDIT_MONTHS_BACK = 26;
export const AGED_MONTHS = [25, 26];

/** Audit rows in the partitions past retention (created first with create_audit_partition). */
export function agedAuditRows(monthsBack: number): FillStatement {
  const P = VOLUME.agedAuditRowsPerMonth;
  const month = `(date_trunc('month', ${T0} AT TIME ZONE 'UTC') - interval '${monthsBack} months') AT TIME ZONE 'UTC'`;
  const at = `(${month} + p::float8 / ${P} * interval '28 days')`;
  return {
    table: `audit_logs (${monthsBack} months back)`,
    count: P,
    sql: `
      INSERT INTO audit_logs (audit_id, event_type, event_category, severity, cupid, correlation_id, ip_address, event_data, created_at)
      SELECT ${timeOrderedId(at, `old${monthsBack}`, 'p')}, 'LOGIN_SUCCESS', 'AUTH', 'INFO', ${cupidOf(hashMod('p', VOLUME.customers, 107))},
             md5('ocor-' || p)::uuid, ${ipOf('p')}, '{"client_id":"web-banking","mfa":false}'::jsonb, ${at}
      FROM generate_series($2::int, $3::int) AS p`,
  };
}
