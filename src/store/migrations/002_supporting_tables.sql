-- Tables the seed does not have but the service needs to keep its promises durably.

-- A customer locked out of MFA after too many wrong codes (login answers 423 CIAM_E01_01_005).
CREATE TABLE IF NOT EXISTS mfa_lockouts (
  cupid        varchar(50) PRIMARY KEY,
  locked_at    timestamptz NOT NULL DEFAULT now(),
  locked_until timestamptz NOT NULL,
  context_id   uuid,
  reason       varchar(100) NOT NULL
);

-- Every eSign acceptance: who accepted which document version, when and from where.
CREATE TABLE IF NOT EXISTS esign_acceptances (
  acceptance_id    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  cupid            varchar(50)  NOT NULL,
  document_id      varchar(100) NOT NULL,
  document_version varchar(50)  NOT NULL,
  context_id       uuid,
  transaction_id   uuid,
  ip_address       inet,
  accepted_at      timestamptz  NOT NULL DEFAULT now(),
  CONSTRAINT uq_esign_acceptance UNIQUE (cupid, document_id, document_version)
);

-- Signing keys for ID tokens. The private key is encrypted with the configured key-encryption key.
CREATE TABLE IF NOT EXISTS signing_keys (
  kid                varchar(64) PRIMARY KEY,
  alg                varchar(16) NOT NULL,
  public_jwk         jsonb       NOT NULL,
  private_key_sealed text        NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  -- The newest key with retired_at NULL signs; a retired key stays published until publish_until.
  retired_at         timestamptz,
  publish_until      timestamptz
);

-- Failed password attempts counted per username for lockout (embedded directory).
CREATE TABLE IF NOT EXISTS password_failures (
  username_hash  varchar(64) PRIMARY KEY,
  failures       integer     NOT NULL DEFAULT 0,
  last_failed_at timestamptz NOT NULL DEFAULT now(),
  locked_until   timestamptz
);

-- One row per maintenance job run.
CREATE TABLE IF NOT EXISTS job_runs (
  run_id       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  job_name     varchar(100) NOT NULL,
  started_at   timestamptz  NOT NULL DEFAULT now(),
  duration_ms  integer,
  rows_changed integer,
  error        text
);
CREATE INDEX IF NOT EXISTS idx_job_runs_name_started ON job_runs (job_name, started_at DESC);
