import {
  cupidOf,
  correlationOf,
  deviceOf,
  hashMod,
  hex64,
  idTokenValue,
  ipOf,
  isFailedJourney,
  isOpenJourney,
  isUnfinishedJourney,
  journeyAt,
  journeyCustomer,
  journeyDoneAt,
  journeyId,
  journeyKind,
  refreshTokenValue,
  accessTokenValue,
  sessionAt,
  sessionId,
  sessionJourney,
  sha256Hex,
  T0,
  timeOrderedId,
  USER_AGENT,
  VOLUME,
} from './shape.js';

/**
 * One day at the seed's rates, as set-based statements over generate_series($2, $3) — $1 is the
 * day's end — so that a table can be filled in chunks on more than one connection.
 */
export interface FillStatement {
  table: string;
  /** The ordinals the statement runs over (split into chunks by the caller). */
  count: number;
  sql: string;
}

/** The open journeys and their open steps stay open for six hours, the length of a run, so that their steps can be taken. */
const openUntil = (j: string, expiry: string) => `CASE WHEN ${isOpenJourney(j)} THEN ${T0} + interval '6 hours' ELSE ${expiry} END`;

export const journeysOfDay: FillStatement = {
  table: 'auth_contexts',
  count: VOLUME.journeys,
  sql: `
    INSERT INTO auth_contexts (context_id, cupid, app_id, app_version, device_fingerprint, ip_address, correlation_id,
      requires_additional_steps, auth_outcome, completed_at, created_at, expires_at, client_id)
    SELECT ${journeyId('j')}, ${cupidOf(journeyCustomer('j'))},
           CASE WHEN j % 3 = 0 THEN 'web' ELSE 'mobile' END, '4.12.' || (j % 7), ${deviceOf('j')}, ${ipOf('j')}, ${correlationOf('j')},
           ${journeyKind('j')} > 0,
           CASE WHEN ${isUnfinishedJourney('j')} THEN NULL WHEN ${isFailedJourney('j')} THEN 'FAILED' ELSE 'SUCCESS' END,
           CASE WHEN ${isUnfinishedJourney('j')} THEN NULL ELSE ${journeyDoneAt('j')} END,
           ${journeyAt('j')}, ${openUntil('j', `${journeyAt('j')} + interval '15 minutes'`)}, 'web-banking'
    FROM generate_series($2::int, $3::int) AS j`,
};

/**
 * The steps of each journey kind: MFA by SMS or voice, push, a wrong code then the right one, eSign
 * and device binding after MFA (kind, sequence, type, phase, method, result, eSign, bind).
 */
const STEP_PATTERNS = `(VALUES
  (1,1,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (1,2,'MFA_VERIFY','MFA','sms','CORRECT',NULL,NULL),
  (2,1,'MFA_INITIATE','MFA','voice',NULL,NULL,NULL), (2,2,'MFA_VERIFY','MFA','voice','CORRECT',NULL,NULL),
  (3,1,'MFA_INITIATE','MFA','push',NULL,NULL,NULL), (3,2,'MFA_PUSH_VERIFY','MFA','push','APPROVED',NULL,NULL),
  (4,1,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (4,2,'MFA_VERIFY','MFA','sms','CORRECT',NULL,NULL),
  (4,3,'DEVICE_BIND','DEVICE_BIND',NULL,NULL,NULL,'ACCEPTED'),
  (5,1,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (5,2,'MFA_VERIFY','MFA','sms','CORRECT',NULL,NULL),
  (5,3,'ESIGN_PRESENT','ESIGN',NULL,NULL,'ACCEPTED',NULL),
  (6,1,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (6,2,'MFA_VERIFY','MFA','sms','CORRECT',NULL,NULL),
  (6,3,'ESIGN_PRESENT','ESIGN',NULL,NULL,'ACCEPTED',NULL), (6,4,'DEVICE_BIND','DEVICE_BIND',NULL,NULL,NULL,'DECLINED'),
  (7,1,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (7,2,'MFA_VERIFY','MFA','sms','INCORRECT',NULL,NULL),
  (7,3,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (7,4,'MFA_VERIFY','MFA','sms','CORRECT',NULL,NULL),
  (8,1,'MFA_INITIATE','MFA','push',NULL,NULL,NULL), (8,2,'MFA_PUSH_VERIFY','MFA','push','APPROVED',NULL,NULL),
  (8,3,'ESIGN_PRESENT','ESIGN',NULL,NULL,'ACCEPTED',NULL), (8,4,'DEVICE_BIND','DEVICE_BIND',NULL,NULL,NULL,'ACCEPTED'),
  (9,1,'MFA_INITIATE','MFA','sms',NULL,NULL,NULL), (9,2,'MFA_VERIFY','MFA','sms','INCORRECT',NULL,NULL),
  (9,3,'MFA_INITIATE','MFA','voice',NULL,NULL,NULL), (9,4,'MFA_VERIFY','MFA','voice','CORRECT',NULL,NULL),
  (9,5,'ESIGN_PRESENT','ESIGN',NULL,NULL,'ACCEPTED',NULL), (9,6,'DEVICE_BIND','DEVICE_BIND',NULL,NULL,NULL,'ACCEPTED')
) AS p(kind, seq, type, phase, method, result, esign, bind)`;

const stepAt = (seq: string) => `(${journeyAt('j')} + (${seq}) * interval '15 seconds')`;
const stepId = (seq: string) => timeOrderedId(stepAt(seq), 'stp', `(j::int8 * 8 + (${seq}))`);

/**
 * Finished journeys' steps are all consumed. An unfinished journey stopped at its second step,
 * which is still PENDING: live for the open ones, past its expiry for the abandoned ones.
 */
export const stepsOfDay: FillStatement = {
  table: 'auth_transactions',
  count: VOLUME.journeys,
  sql: `
    INSERT INTO auth_transactions (transaction_id, context_id, parent_transaction_id, transaction_type, transaction_status,
      sequence_number, phase, mfa_method, mfa_option_id, mfa_options, mobile_approve_status, display_number, selected_number,
      verification_result, attempt_number, otp_code_hash, esign_document_id, esign_action, device_bind_decision,
      consumed_at, created_at, expires_at)
    SELECT ${stepId('p.seq')}, ${journeyId('j')}, CASE WHEN p.seq > 1 THEN ${stepId('p.seq - 1')} END,
           p.type::transaction_type, CASE WHEN pending THEN 'PENDING' ELSE 'CONSUMED' END::transaction_status,
           p.seq, p.phase, p.method, CASE WHEN p.method IN ('sms','voice') THEN 1 END,
           CASE WHEN p.type = 'MFA_INITIATE' THEN '[{"value":"***-***-4321","mfa_option_id":1},{"value":"***-***-8765","mfa_option_id":2}]'::jsonb END,
           CASE WHEN p.phase = 'MFA' THEN 'ENABLED' END,
           CASE WHEN p.type = 'MFA_PUSH_VERIFY' THEN 1 + j % 99 END,
           CASE WHEN p.type = 'MFA_PUSH_VERIFY' AND NOT pending THEN 1 + j % 99 END,
           CASE WHEN pending THEN NULL ELSE p.result END,
           CASE WHEN p.phase = 'MFA' THEN 1 + (p.seq - 1) / 2 END,
           CASE WHEN p.type = 'MFA_VERIFY' THEN ${hex64(`'otp-' || j || '-' || p.seq`)} END,
           CASE WHEN p.phase = 'ESIGN' THEN 'terms-v1-2025' END,
           CASE WHEN p.phase = 'ESIGN' THEN CASE WHEN pending THEN 'PRESENTED' ELSE p.esign END END,
           CASE WHEN p.phase = 'DEVICE_BIND' THEN CASE WHEN pending THEN 'OFFERED' ELSE p.bind END END,
           CASE WHEN pending THEN NULL ELSE ${stepAt('p.seq')} + interval '10 seconds' END,
           ${stepAt('p.seq')}, ${openUntil('j', `${stepAt('p.seq')} + interval '5 minutes'`)}
    FROM generate_series($2::int, $3::int) AS j
    JOIN ${STEP_PATTERNS} ON p.kind = ${journeyKind('j')}
    CROSS JOIN LATERAL (SELECT ${isUnfinishedJourney('j')} AND p.seq = 2 AS pending) AS x
    WHERE NOT ${isUnfinishedJourney('j')} OR p.seq <= 2
    ORDER BY j, p.seq`,
};

/** One evaluation per journey: mostly ALLOW, some CHALLENGE, a few TRUST and DENY (risk ≥ 70). */
export const drsOfDay: FillStatement = {
  table: 'drs_evaluations',
  count: VOLUME.drsEvaluations,
  sql: `
    INSERT INTO drs_evaluations (evaluation_id, context_id, cupid, action_token_hash, device_id, recommendation, risk_score,
      signals, device_attributes, raw_response, created_at, action_token_sealed)
    SELECT ${timeOrderedId(journeyAt('j'), 'drs', 'j')}, ${journeyId('j')}, ${cupidOf(journeyCustomer('j'))},
           ${hex64(`'aid-' || j`)}, ${deviceOf('j')}, rec::drs_recommendation, risk,
           CASE WHEN risk >= 50 THEN '[{"type":"NEW_DEVICE","severity":"MEDIUM","description":"First login from this device"}]'::jsonb
                ELSE '[]'::jsonb END,
           '{"os":"iOS","os_version":"17.4","browser":"Safari","platform":"mobile"}'::jsonb,
           jsonb_build_object('recommendation', jsonb_build_object('type', rec), 'risk_score', risk,
             'context', jsonb_build_object('action', 'login', 'device_id', left(${deviceOf('j')}, 16))),
           ${journeyAt('j')}, CASE WHEN ${isOpenJourney('j')} THEN 'v1.' || md5('seal-' || j) END
    FROM generate_series($2::int, $3::int) AS j
    CROSS JOIN LATERAL (SELECT ${hashMod('j', 100, 53)} AS r) AS h
    CROSS JOIN LATERAL (SELECT CASE WHEN h.r < 2 THEN 'TRUST' WHEN h.r < 84 THEN 'ALLOW' WHEN h.r < 98 THEN 'CHALLENGE' ELSE 'DENY' END AS rec,
                               CASE WHEN h.r < 2 THEN 5 WHEN h.r < 84 THEN 10 + h.r % 30 WHEN h.r < 98 THEN 50 + h.r % 20 ELSE 90 + h.r % 10 END AS risk) AS d`,
};

export const sessionsOfDay: FillStatement = {
  table: 'sessions',
  count: VOLUME.sessions,
  sql: `
    INSERT INTO sessions (session_id, context_id, cupid, client_id, device_fingerprint, ip_address, user_agent, status,
      created_at, last_activity_at, expires_at)
    SELECT ${sessionId('i')}, ${journeyId(sessionJourney('i'))}, ${cupidOf(journeyCustomer(sessionJourney('i')))}, 'web-banking',
           ${deviceOf(sessionJourney('i'))}, ${ipOf(sessionJourney('i'))}, ${USER_AGENT}, 'ACTIVE',
           ${sessionAt('i')}, ${sessionAt('i')} + (${T0} - ${sessionAt('i')}) * (${hashMod('i', 1000, 61)} / 1000.0),
           ${sessionAt('i')} + interval '30 days'
    FROM generate_series($2::int, $3::int) AS i`,
};

/**
 * Each live session's ACCESS, REFRESH and ID token, hashed from the values the load presents. The
 * access and ID tokens stay valid for six hours — the length of a run — where the service's own
 * live 15 minutes; the refresh token lives as long as its session.
 */
export const tokensOfDay: FillStatement = {
  table: 'tokens',
  count: VOLUME.sessions,
  sql: `
    INSERT INTO tokens (token_id, session_id, token_type, token_value_hash, status, scopes, created_at, expires_at)
    SELECT ${timeOrderedId('s.at', 'tok', 'i::int8 * 3 + t.k')}, s.id, t.type::token_type, ${sha256Hex('t.value')}, 'ACTIVE',
           CASE WHEN t.type = 'ACCESS' THEN ARRAY['openid', 'profile'] END, s.at,
           CASE WHEN t.type = 'REFRESH' THEN ${sessionAt('i')} + interval '30 days' ELSE ${T0} + interval '6 hours' END
    FROM generate_series($2::int, $3::int) AS i
    CROSS JOIN LATERAL (SELECT ${sessionId('i')} AS id, ${sessionAt('i')} AS at) AS s
    CROSS JOIN LATERAL (VALUES (0, 'ACCESS', ${accessTokenValue('i')}), (1, 'REFRESH', ${refreshTokenValue('i')}),
                               (2, 'ID', ${idTokenValue('i')})) AS t(k, type, value)`,
};

/** Trusted devices bound over the past year, one in twenty since revoked. */
export const trustedDevices: FillStatement = {
  table: 'trusted_devices',
  count: VOLUME.trustedDevices,
  sql: `
    INSERT INTO trusted_devices (device_id, cupid, device_fingerprint, device_fingerprint_hash, device_name, device_type,
      status, trusted_at, last_used_at, revoked_at)
    SELECT ${timeOrderedId('at', 'tdv', 'd')}, ${cupidOf(hashMod('d', VOLUME.customers, 71))}, fp, fp,
           (ARRAY['iPhone 15','Pixel 8','Galaxy S24','iPad Air','Chrome on Windows'])[1 + d % 5],
           (ARRAY['MOBILE_APP','MOBILE_APP','MOBILE_APP','TABLET','BROWSER'])[1 + d % 5],
           CASE WHEN d % 20 = 0 THEN 'REVOKED' ELSE 'ACTIVE' END::device_status, at, at + interval '1 day',
           CASE WHEN d % 20 = 0 THEN at + interval '2 days' END
    FROM generate_series($2::int, $3::int) AS d
    CROSS JOIN LATERAL (SELECT ${T0} - interval '365 days' + d::float8 / ${VOLUME.trustedDevices} * interval '365 days' AS at,
                               ${hex64(`'tdv-' || d`)} AS fp) AS x`,
};

/**
 * Ten audit rows per journey's share of the day, in time order: the journey's own events (DRS,
 * MFA, login), the refreshes of live sessions (about half of all rows), logouts, failures and
 * the odd token reuse.
 */
const AUDIT_SLOTS = `(VALUES
  (0,'DRS_EVALUATION','SECURITY','INFO','{"recommendation":"ALLOW","risk_score":25}'::jsonb),
  (1,'LOGIN_MFA_REQUIRED','AUTH','INFO','{"reason":"DIRECTORY"}'::jsonb),
  (2,'MFA_CHALLENGE_SENT','MFA','INFO','{"method":"sms","mfa_option_id":1}'::jsonb),
  (3,'MFA_VERIFY_SUCCESS','MFA','INFO','{"method":"sms","attempt_number":1}'::jsonb),
  (4,'LOGIN_SUCCESS','AUTH','INFO','{"client_id":"web-banking","mfa":true}'::jsonb),
  (5,'TOKEN_REFRESHED','TOKEN','INFO','{"client_id":"web-banking"}'::jsonb),
  (6,'TOKEN_REFRESHED','TOKEN','INFO','{"client_id":"web-banking"}'::jsonb),
  (7,'TOKEN_REFRESHED','TOKEN','INFO','{"client_id":"web-banking"}'::jsonb),
  (8,'TOKEN_REFRESHED','TOKEN','INFO','{"client_id":"web-banking"}'::jsonb),
  (9,'TOKEN_REFRESHED','TOKEN','INFO','{"client_id":"web-banking"}'::jsonb)
) AS s(slot, type, category, severity, data)`;

export const auditOfDay: FillStatement = {
  table: 'audit_logs',
  count: VOLUME.auditRows,
  sql: `
    INSERT INTO audit_logs (audit_id, event_type, event_category, severity, cupid, context_id, transaction_id, session_id,
      correlation_id, ip_address, user_agent, event_data, created_at)
    SELECT ${timeOrderedId('at', 'aud', 'a')}, e.type, e.category, e.severity::event_severity,
           CASE WHEN journey_event THEN ${cupidOf(journeyCustomer('j'))} ELSE ${cupidOf(journeyCustomer(sessionJourney('i')))} END,
           CASE WHEN journey_event THEN ${journeyId('j')} END, NULL,
           CASE WHEN NOT journey_event THEN ${sessionId('i')} END,
           CASE WHEN journey_event THEN ${correlationOf('j')} ELSE md5('cor-a-' || a)::uuid END,
           ${ipOf('a / 10')}, ${USER_AGENT}, e.data, at
    FROM generate_series($2::int, $3::int) AS a
    CROSS JOIN LATERAL (SELECT (a / 10)::int AS j, ${hashMod('a', VOLUME.sessions, 83)} AS i,
                               ${T0} - interval '1 day' + a::float8 / ${VOLUME.auditRows} * interval '1 day' AS at) AS x
    JOIN ${AUDIT_SLOTS} ON s.slot = a % 10
    CROSS JOIN LATERAL (SELECT s.slot < 5 AS journey_event) AS y
    CROSS JOIN LATERAL (SELECT
        CASE WHEN s.slot = 9 AND j % 10 = 0 THEN 'SESSION_LOGGED_OUT' WHEN s.slot = 9 AND j % 100 = 99 THEN 'JOURNEY_FAILED'
             WHEN s.slot = 9 AND j % 1000 = 3 THEN 'TOKEN_REUSE_DETECTED'
             WHEN s.slot = 3 AND ${journeyKind('j')} IN (7, 9) THEN 'MFA_VERIFY_FAILED' ELSE s.type END AS type,
        CASE WHEN s.slot = 9 AND j % 10 = 0 THEN 'SESSION' WHEN s.slot = 9 AND j % 100 = 99 THEN 'AUTH'
             WHEN s.slot = 9 AND j % 1000 = 3 THEN 'SECURITY' ELSE s.category END AS category,
        CASE WHEN s.slot = 9 AND j % 100 = 99 THEN 'WARN' WHEN s.slot = 9 AND j % 1000 = 3 THEN 'CRITICAL'
             WHEN s.slot = 3 AND ${journeyKind('j')} IN (7, 9) THEN 'WARN' ELSE s.severity END AS severity,
        s.data) AS e`,
};

export const DAY: FillStatement[] = [journeysOfDay, stepsOfDay, drsOfDay, sessionsOfDay, tokensOfDay, trustedDevices, auditOfDay];
