-- CIAM schema, version 1: enums, the seven tables, views and maintenance functions.
-- Runs unchanged on PostgreSQL 15+ and on PGlite (no extensions: gen_random_uuid() is built in).

-- ---------------------------------------------------------------- enums
DO $$ BEGIN
  CREATE TYPE transaction_type AS ENUM ('MFA_INITIATE','MFA_VERIFY','MFA_PUSH_VERIFY','ESIGN_PRESENT','ESIGN_ACCEPT','DEVICE_BIND');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE transaction_status AS ENUM ('PENDING','CONSUMED','EXPIRED','REJECTED');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE token_type AS ENUM ('ACCESS','REFRESH','ID');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE token_status AS ENUM ('ACTIVE','ROTATED','REVOKED','EXPIRED');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE session_status AS ENUM ('ACTIVE','EXPIRED','REVOKED','LOGGED_OUT');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE device_status AS ENUM ('ACTIVE','REVOKED','EXPIRED');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE drs_recommendation AS ENUM ('ALLOW','CHALLENGE','DENY','TRUST');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;
DO $$ BEGIN
  CREATE TYPE event_severity AS ENUM ('INFO','WARN','ERROR','CRITICAL');
EXCEPTION WHEN duplicate_object THEN NULL; END $$;

-- ---------------------------------------------------------------- auth_contexts (one login journey)
CREATE TABLE IF NOT EXISTS auth_contexts (
  context_id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  cupid                     varchar(50)  NOT NULL,
  app_id                    varchar(50)  NOT NULL,
  app_version               varchar(20)  NOT NULL,
  device_fingerprint        text,
  ip_address                inet         NOT NULL,
  correlation_id            uuid,
  requires_additional_steps boolean      DEFAULT false,
  auth_outcome              varchar(50),
  completed_at              timestamptz,
  created_at                timestamptz  NOT NULL DEFAULT now(),
  expires_at                timestamptz  NOT NULL DEFAULT now() + interval '15 minutes',
  CONSTRAINT chk_auth_contexts_outcome
    CHECK (auth_outcome IS NULL OR auth_outcome IN ('SUCCESS','EXPIRED','ABANDONED','FAILED')),
  CONSTRAINT chk_auth_contexts_completed
    CHECK ((auth_outcome IS NULL AND completed_at IS NULL) OR (auth_outcome IS NOT NULL AND completed_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idx_auth_contexts_cupid       ON auth_contexts (cupid);
CREATE INDEX IF NOT EXISTS idx_auth_contexts_correlation ON auth_contexts (correlation_id);
CREATE INDEX IF NOT EXISTS idx_auth_contexts_open_expiry ON auth_contexts (expires_at) WHERE auth_outcome IS NULL;
CREATE INDEX IF NOT EXISTS idx_auth_contexts_created     ON auth_contexts (created_at DESC);

-- ---------------------------------------------------------------- auth_transactions (single-use steps)
CREATE TABLE IF NOT EXISTS auth_transactions (
  transaction_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  context_id             uuid NOT NULL REFERENCES auth_contexts (context_id) ON DELETE CASCADE,
  parent_transaction_id  uuid REFERENCES auth_transactions (transaction_id),
  transaction_type       transaction_type   NOT NULL,
  transaction_status     transaction_status NOT NULL DEFAULT 'PENDING',
  sequence_number        integer     NOT NULL,
  phase                  varchar(50) NOT NULL,
  mfa_method             varchar(10),
  mfa_option_id          smallint,
  mfa_options            jsonb,
  mobile_approve_status  varchar(20),
  display_number         integer,
  selected_number        integer,
  verification_result    varchar(20),
  attempt_number         integer,
  -- Additions to the seed: keyed hash of the one-time code and SHA-256 of the push approval
  -- secret. The clear values are never stored.
  otp_code_hash          varchar(64),
  approval_secret_hash   varchar(64),
  esign_document_id      varchar(100),
  esign_action           varchar(20),
  device_bind_decision   varchar(20),
  consumed_at            timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  expires_at             timestamptz NOT NULL DEFAULT now() + interval '5 minutes',
  CONSTRAINT chk_auth_tx_sequence   CHECK (sequence_number > 0),
  CONSTRAINT chk_auth_tx_phase      CHECK (phase IN ('MFA','ESIGN','DEVICE_BIND')),
  CONSTRAINT chk_auth_tx_method     CHECK (mfa_method IS NULL OR mfa_method IN ('sms','voice','push')),
  CONSTRAINT chk_auth_tx_option     CHECK (mfa_option_id IS NULL OR mfa_option_id BETWEEN 1 AND 6),
  CONSTRAINT chk_auth_tx_approve    CHECK (mobile_approve_status IS NULL OR mobile_approve_status IN ('NOT_REGISTERED','ENABLED','DISABLED')),
  CONSTRAINT chk_auth_tx_display    CHECK (display_number IS NULL OR display_number BETWEEN 1 AND 99),
  CONSTRAINT chk_auth_tx_result     CHECK (verification_result IS NULL OR verification_result IN ('CORRECT','INCORRECT','TIMEOUT','APPROVED','REJECTED')),
  CONSTRAINT chk_auth_tx_attempt    CHECK (attempt_number IS NULL OR attempt_number > 0),
  CONSTRAINT chk_auth_tx_esign      CHECK (esign_action IS NULL OR esign_action IN ('PRESENTED','ACCEPTED','DECLINED')),
  CONSTRAINT chk_auth_tx_bind       CHECK (device_bind_decision IS NULL OR device_bind_decision IN ('OFFERED','ACCEPTED','DECLINED')),
  CONSTRAINT chk_auth_tx_consumed   CHECK ((transaction_status = 'PENDING') = (consumed_at IS NULL))
);
CREATE INDEX IF NOT EXISTS idx_auth_tx_context_seq ON auth_transactions (context_id, sequence_number);
CREATE INDEX IF NOT EXISTS idx_auth_tx_parent      ON auth_transactions (parent_transaction_id);
CREATE INDEX IF NOT EXISTS idx_auth_tx_status_exp  ON auth_transactions (transaction_status, expires_at);
CREATE UNIQUE INDEX IF NOT EXISTS uq_auth_tx_one_pending
  ON auth_transactions (context_id) WHERE transaction_status = 'PENDING';

-- ---------------------------------------------------------------- sessions
CREATE TABLE IF NOT EXISTS sessions (
  session_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  context_id         uuid NOT NULL REFERENCES auth_contexts (context_id),
  cupid              varchar(50) NOT NULL,
  -- Addition: the registered client the session was opened for (drives token scopes).
  client_id          varchar(50),
  device_fingerprint text,
  ip_address         inet NOT NULL,
  user_agent         text,
  status             session_status NOT NULL DEFAULT 'ACTIVE',
  created_at         timestamptz NOT NULL DEFAULT now(),
  last_activity_at   timestamptz NOT NULL DEFAULT now(),
  expires_at         timestamptz NOT NULL DEFAULT now() + interval '30 days',
  revoked_at         timestamptz,
  revoked_by         varchar(100),
  revocation_reason  text,
  ended_at           timestamptz,
  CONSTRAINT chk_sessions_revoked CHECK ((status = 'REVOKED') = (revoked_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idx_sessions_cupid_active ON sessions (cupid) WHERE status = 'ACTIVE';
CREATE INDEX IF NOT EXISTS idx_sessions_context      ON sessions (context_id);
CREATE INDEX IF NOT EXISTS idx_sessions_status_exp   ON sessions (status, expires_at);
CREATE INDEX IF NOT EXISTS idx_sessions_created      ON sessions (created_at DESC);

-- ---------------------------------------------------------------- tokens (hashes only)
CREATE TABLE IF NOT EXISTS tokens (
  token_id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id       uuid NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
  parent_token_id  uuid REFERENCES tokens (token_id) ON DELETE SET NULL,
  token_type       token_type   NOT NULL,
  token_value_hash varchar(64)  NOT NULL,
  status           token_status NOT NULL DEFAULT 'ACTIVE',
  -- Addition: scopes granted to this token, checked by the gateway's verify call.
  scopes           text[],
  created_at       timestamptz NOT NULL DEFAULT now(),
  expires_at       timestamptz NOT NULL,
  -- Addition: when a token was superseded by rotation (the seed wrote revoked_at here,
  -- which its own check forbids for ROTATED rows).
  rotated_at       timestamptz,
  revoked_at       timestamptz,
  CONSTRAINT chk_tokens_hash    CHECK (token_value_hash ~ '^[0-9a-f]{64}$'),
  CONSTRAINT chk_tokens_revoked CHECK ((status = 'REVOKED') = (revoked_at IS NOT NULL)),
  CONSTRAINT chk_tokens_rotated CHECK (status <> 'ROTATED' OR rotated_at IS NOT NULL)
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_tokens_active_hash ON tokens (token_value_hash) WHERE status = 'ACTIVE';
CREATE INDEX IF NOT EXISTS idx_tokens_hash              ON tokens (token_value_hash);
CREATE INDEX IF NOT EXISTS idx_tokens_session_type      ON tokens (session_id, token_type);
CREATE INDEX IF NOT EXISTS idx_tokens_parent            ON tokens (parent_token_id);
CREATE INDEX IF NOT EXISTS idx_tokens_active_expiry     ON tokens (expires_at) WHERE status = 'ACTIVE';
CREATE UNIQUE INDEX IF NOT EXISTS uq_tokens_one_active_per_type
  ON tokens (session_id, token_type) WHERE status = 'ACTIVE';

-- ---------------------------------------------------------------- trusted_devices
CREATE TABLE IF NOT EXISTS trusted_devices (
  device_id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  cupid                   varchar(50)  NOT NULL,
  device_fingerprint      text         NOT NULL,
  device_fingerprint_hash varchar(64)  NOT NULL,
  device_name             varchar(200),
  device_type             varchar(50),
  status                  device_status NOT NULL DEFAULT 'ACTIVE',
  trusted_at              timestamptz NOT NULL DEFAULT now(),
  last_used_at            timestamptz,
  revoked_at              timestamptz,
  CONSTRAINT chk_devices_type    CHECK (device_type IS NULL OR device_type IN ('BROWSER','MOBILE_APP','TABLET','DESKTOP_APP')),
  CONSTRAINT chk_devices_revoked CHECK ((status = 'REVOKED') = (revoked_at IS NOT NULL))
);
CREATE INDEX IF NOT EXISTS idx_devices_cupid_active ON trusted_devices (cupid) WHERE status = 'ACTIVE';
CREATE INDEX IF NOT EXISTS idx_devices_fp_hash      ON trusted_devices (device_fingerprint_hash);
CREATE INDEX IF NOT EXISTS idx_devices_trusted      ON trusted_devices (trusted_at DESC);
-- Addition: one active trust per customer and device, so concurrent binds cannot duplicate it.
CREATE UNIQUE INDEX IF NOT EXISTS uq_devices_active_cupid_fp
  ON trusted_devices (cupid, device_fingerprint_hash) WHERE status = 'ACTIVE';

-- ---------------------------------------------------------------- drs_evaluations
CREATE TABLE IF NOT EXISTS drs_evaluations (
  evaluation_id     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  context_id        uuid NOT NULL REFERENCES auth_contexts (context_id) ON DELETE CASCADE,
  cupid             varchar(50)  NOT NULL,
  action_token_hash varchar(64)  NOT NULL,
  device_id         varchar(100),
  recommendation    drs_recommendation NOT NULL,
  risk_score        integer NOT NULL,
  signals           jsonb,
  device_attributes jsonb,
  raw_response      jsonb NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT chk_drs_risk CHECK (risk_score BETWEEN 0 AND 100)
);
CREATE INDEX IF NOT EXISTS idx_drs_context        ON drs_evaluations (context_id);
CREATE INDEX IF NOT EXISTS idx_drs_cupid_created  ON drs_evaluations (cupid, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_drs_recommendation ON drs_evaluations (recommendation);
CREATE INDEX IF NOT EXISTS idx_drs_risk           ON drs_evaluations (risk_score);
CREATE INDEX IF NOT EXISTS idx_drs_created        ON drs_evaluations (created_at DESC);

-- ---------------------------------------------------------------- audit_logs (monthly partitions)
CREATE TABLE IF NOT EXISTS audit_logs (
  audit_id        uuid         NOT NULL DEFAULT gen_random_uuid(),
  event_type      varchar(100) NOT NULL,
  event_category  varchar(50)  NOT NULL,
  severity        event_severity NOT NULL DEFAULT 'INFO',
  cupid           varchar(50),
  context_id      uuid,
  transaction_id  uuid,
  session_id      uuid,
  correlation_id  uuid,
  ip_address      inet,
  user_agent      text,
  event_data      jsonb        NOT NULL DEFAULT '{}'::jsonb,
  created_at      timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT chk_audit_category CHECK (event_category IN ('AUTH','MFA','ESIGN','DEVICE','TOKEN','SESSION','SECURITY')),
  PRIMARY KEY (audit_id, created_at)
) PARTITION BY RANGE (created_at);
CREATE INDEX IF NOT EXISTS idx_audit_cupid_time    ON audit_logs (cupid, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_audit_type_time     ON audit_logs (event_type, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_audit_category_time ON audit_logs (event_category, created_at DESC);
CREATE INDEX IF NOT EXISTS idx_audit_context       ON audit_logs (context_id);
CREATE INDEX IF NOT EXISTS idx_audit_transaction   ON audit_logs (transaction_id);
CREATE INDEX IF NOT EXISTS idx_audit_session       ON audit_logs (session_id);
CREATE INDEX IF NOT EXISTS idx_audit_correlation   ON audit_logs (correlation_id);
CREATE INDEX IF NOT EXISTS idx_audit_severe        ON audit_logs (severity, created_at DESC)
  WHERE severity IN ('ERROR','CRITICAL');
-- Safety net: a row for a month whose partition does not exist yet lands here instead of failing.
CREATE TABLE IF NOT EXISTS audit_logs_default PARTITION OF audit_logs DEFAULT;

-- Creates the partition for the month containing p_month; returns 1 if created, 0 if it existed.
-- Months are UTC months whatever the session's TimeZone, so that partitions created from sessions
-- with different settings never overlap or leave gaps.
-- Rows already sitting in the default partition for that month are moved into the new partition.
-- SECURITY DEFINER: the application role may not delete audit rows, but moving rows out of the
-- default partition is part of creating a partition. The moved rows are held in a variable, not in
-- a temporary table: a caller could have prepared a temporary table of the same name (with a
-- trigger) that would then run with the owner's rights.
CREATE OR REPLACE FUNCTION create_audit_partition(p_month date)
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_start date := date_trunc('month', p_month::timestamp)::date;
  v_end   date := (v_start + interval '1 month')::date;
  v_name  text := format('audit_logs_%s', to_char(v_start, 'YYYY_MM'));
  v_from  timestamptz := v_start::timestamp AT TIME ZONE 'UTC';
  v_to    timestamptz := v_end::timestamp AT TIME ZONE 'UTC';
  v_moved audit_logs_default[];
BEGIN
  IF to_regclass(format('public.%I', v_name)) IS NOT NULL THEN
    RETURN 0;
  END IF;
  WITH moved AS (
    DELETE FROM audit_logs_default d WHERE d.created_at >= v_from AND d.created_at < v_to RETURNING d
  ) SELECT array_agg(moved.d) INTO v_moved FROM moved;
  EXECUTE format('CREATE TABLE %I PARTITION OF audit_logs FOR VALUES FROM (%L) TO (%L)', v_name, v_from, v_to);
  IF v_moved IS NOT NULL THEN
    INSERT INTO audit_logs SELECT * FROM unnest(v_moved);
  END IF;
  RETURN 1;
END $$;

-- Keeps the current (UTC) month and p_months_ahead months after it; returns how many were created.
CREATE OR REPLACE FUNCTION ensure_audit_partitions(p_months_ahead integer DEFAULT 2)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
  v_created integer := 0;
  i integer;
BEGIN
  FOR i IN 0..p_months_ahead LOOP
    v_created := v_created + create_audit_partition(
      (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date);
  END LOOP;
  RETURN v_created;
END $$;

-- The seed's monthly job: the partition for next month. Returns 1 if created, 0 if it existed.
CREATE OR REPLACE FUNCTION create_next_audit_partition()
RETURNS integer LANGUAGE sql AS $$
  SELECT create_audit_partition((date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month')::date);
$$;

SELECT ensure_audit_partitions(2);

-- ---------------------------------------------------------------- views
CREATE OR REPLACE VIEW v_active_sessions AS
SELECT s.session_id, s.cupid, s.context_id, s.client_id, s.device_fingerprint, s.ip_address, s.user_agent,
       s.created_at, s.last_activity_at, s.expires_at,
       count(t.token_id) FILTER (WHERE t.status = 'ACTIVE')                               AS active_token_count,
       coalesce(bool_or(t.token_type = 'ACCESS'  AND t.status = 'ACTIVE'), false)         AS has_active_access_token,
       coalesce(bool_or(t.token_type = 'REFRESH' AND t.status = 'ACTIVE'), false)         AS has_active_refresh_token
FROM sessions s
LEFT JOIN tokens t ON t.session_id = s.session_id
WHERE s.status = 'ACTIVE' AND s.expires_at > now()
GROUP BY s.session_id;

CREATE OR REPLACE VIEW v_pending_transactions AS
SELECT t.transaction_id, t.context_id, c.cupid, t.transaction_type, t.phase, t.sequence_number,
       t.mfa_method, t.attempt_number, t.created_at, t.expires_at,
       greatest(0, floor(extract(epoch FROM (t.expires_at - now()))))::integer AS seconds_until_expiry
FROM auth_transactions t
JOIN auth_contexts c ON c.context_id = t.context_id
WHERE t.transaction_status = 'PENDING' AND t.expires_at > now();

CREATE OR REPLACE VIEW v_high_risk_logins AS
SELECT d.evaluation_id, d.context_id, d.cupid, d.recommendation, d.risk_score, d.signals, d.device_id,
       c.ip_address, c.auth_outcome, c.completed_at, d.created_at
FROM drs_evaluations d
JOIN auth_contexts c ON c.context_id = d.context_id
WHERE d.risk_score >= 70;

CREATE OR REPLACE VIEW v_token_rotation_chains AS
WITH RECURSIVE chain AS (
  SELECT t.token_id, t.session_id, t.parent_token_id, t.token_type, t.status, t.created_at,
         t.rotated_at, t.revoked_at, t.expires_at, t.token_id AS root_token_id, 1 AS generation
  FROM tokens t
  WHERE t.parent_token_id IS NULL
  UNION ALL
  SELECT t.token_id, t.session_id, t.parent_token_id, t.token_type, t.status, t.created_at,
         t.rotated_at, t.revoked_at, t.expires_at, chain.root_token_id, chain.generation + 1
  FROM tokens t
  JOIN chain ON t.parent_token_id = chain.token_id
)
SELECT token_id, session_id, parent_token_id, root_token_id, token_type, status, generation, created_at,
       extract(epoch FROM (coalesce(rotated_at, revoked_at, least(expires_at, now())) - created_at))::integer
         AS lifetime_seconds
FROM chain;

-- ---------------------------------------------------------------- maintenance functions
-- Each returns the number of rows it changed. p_limit bounds one call so that a backlog never
-- holds locks for long; the caller repeats until a call returns less than the limit.

CREATE OR REPLACE FUNCTION expire_pending_transactions(p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  UPDATE auth_transactions SET transaction_status = 'EXPIRED', consumed_at = now(),
         verification_result = CASE WHEN phase = 'MFA' AND verification_result IS NULL THEN 'TIMEOUT' ELSE verification_result END
  WHERE transaction_id IN (
    SELECT transaction_id FROM auth_transactions
    WHERE transaction_status = 'PENDING' AND expires_at <= now()
    ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

CREATE OR REPLACE FUNCTION expire_auth_contexts(p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  UPDATE auth_contexts SET auth_outcome = 'EXPIRED', completed_at = now()
  WHERE context_id IN (
    SELECT context_id FROM auth_contexts
    WHERE auth_outcome IS NULL AND expires_at <= now()
    ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

-- Expires sessions past their expiry and every still-active token in them.
CREATE OR REPLACE FUNCTION expire_sessions(p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  WITH expired AS (
    UPDATE sessions SET status = 'EXPIRED', ended_at = now()
    WHERE session_id IN (
      SELECT session_id FROM sessions
      WHERE status = 'ACTIVE' AND expires_at <= now()
      ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING session_id
  ), tokens_expired AS (
    UPDATE tokens SET status = 'EXPIRED'
    WHERE status = 'ACTIVE' AND session_id IN (SELECT session_id FROM expired)
    RETURNING 1
  )
  SELECT count(*) INTO v_count FROM expired;
  RETURN v_count;
END $$;

-- Tokens that outlived their own expiry inside a live session (access and ID tokens every 15 min).
CREATE OR REPLACE FUNCTION expire_tokens(p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  UPDATE tokens SET status = 'EXPIRED'
  WHERE token_id IN (
    SELECT token_id FROM tokens WHERE status = 'ACTIVE' AND expires_at <= now()
    ORDER BY expires_at LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

-- Finished journeys older than the retention (their steps go with them by cascade), together
-- with their DRS rows; sessions keep their journey, so journeys still referenced by a session stay.
CREATE OR REPLACE FUNCTION delete_old_auth_contexts(p_retention interval DEFAULT interval '90 days', p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  DELETE FROM auth_contexts c
  WHERE c.context_id IN (
    SELECT x.context_id FROM auth_contexts x
    WHERE x.auth_outcome IS NOT NULL AND x.created_at < now() - p_retention
      AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.context_id = x.context_id)
    LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

CREATE OR REPLACE FUNCTION delete_old_drs_evaluations(p_retention interval DEFAULT interval '90 days', p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  DELETE FROM drs_evaluations WHERE evaluation_id IN (
    SELECT evaluation_id FROM drs_evaluations WHERE created_at < now() - p_retention
    LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

-- Ended sessions (revoked, logged out, expired) older than the retention, with their tokens.
CREATE OR REPLACE FUNCTION delete_ended_sessions(p_retention interval DEFAULT interval '30 days', p_limit integer DEFAULT 10000)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE v_count integer;
BEGIN
  DELETE FROM sessions WHERE session_id IN (
    SELECT session_id FROM sessions
    WHERE status <> 'ACTIVE' AND coalesce(ended_at, revoked_at, expires_at) < now() - p_retention
    LIMIT p_limit FOR UPDATE SKIP LOCKED);
  GET DIAGNOSTICS v_count = ROW_COUNT;
  RETURN v_count;
END $$;

-- Drops monthly audit partitions whose month ended more than p_retention ago; returns how many.
-- SECURITY DEFINER so that the application role can run the quarterly job; for the same reason it
-- refuses a retention under two years, or that role could empty the audit log by passing '0 days'.
CREATE OR REPLACE FUNCTION drop_old_audit_partitions(p_retention interval DEFAULT interval '24 months')
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  r record;
  v_count integer := 0;
  v_cutoff date;
BEGIN
  IF p_retention IS NULL OR p_retention < interval '24 months' THEN
    RAISE EXCEPTION 'audit retention % is shorter than 24 months', p_retention USING ERRCODE = '22023';
  END IF;
  v_cutoff := date_trunc('month', (now() AT TIME ZONE 'UTC') - p_retention)::date;
  FOR r IN
    SELECT c.relname FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    JOIN pg_class p ON p.oid = i.inhparent
    WHERE p.relname = 'audit_logs' AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}$'
  LOOP
    IF to_date(substr(r.relname, 12), 'YYYY_MM') < v_cutoff THEN
      EXECUTE format('DROP TABLE %I', r.relname);
      v_count := v_count + 1;
    END IF;
  END LOOP;
  RETURN v_count;
END $$;
