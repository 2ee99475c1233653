-- Counters that must hold across journeys, channels and instances, and device identities that a
-- database reader cannot replay.

-- Per customer: consecutive wrong one-time codes (whatever the journey or channel; only a correct
-- code resets them) and the codes sent in the current hour (SMS pumping). One row per customer,
-- incremented in the verifying transaction before the count is checked.
CREATE TABLE IF NOT EXISTS mfa_counters (
  cupid              varchar(50) PRIMARY KEY,
  wrong_codes        integer     NOT NULL DEFAULT 0,
  last_wrong_at      timestamptz,
  codes_sent         integer     NOT NULL DEFAULT 0,
  codes_window_start timestamptz NOT NULL DEFAULT now()
);

-- Password failures since the last correct password, across temporary locks (NIST SP 800-63B
-- §5.2.2): at the ceiling the username stays locked (hard_locked_at) until an agent unlocks it.
ALTER TABLE password_failures ADD COLUMN IF NOT EXISTS consecutive_failures integer NOT NULL DEFAULT 0;
ALTER TABLE password_failures ADD COLUMN IF NOT EXISTS hard_locked_at timestamptz;
UPDATE password_failures SET consecutive_failures = failures WHERE consecutive_failures < failures;

-- Wrong approval secrets presented for a push step: at a few the step is rejected.
ALTER TABLE auth_transactions ADD COLUMN IF NOT EXISTS wrong_secrets smallint NOT NULL DEFAULT 0;

-- The registered client (x-client-id) that started a journey: only that client may take its steps.
ALTER TABLE auth_contexts ADD COLUMN IF NOT EXISTS client_id varchar(50);

-- Device identities are now kept as keyed hashes (HMAC-SHA256 under a key derived from the master
-- key). The rows written before held the identity in clear (and trust was keyed on its plain
-- SHA-256), which SQL cannot turn into the keyed hash: active trust of that kind is revoked (the
-- customer is asked for MFA once and may bind the device again) and the clear values are replaced
-- by their SHA-256 so that no reader of the database finds a replayable identity.
UPDATE trusted_devices SET status = 'REVOKED', revoked_at = now() WHERE status = 'ACTIVE';
UPDATE trusted_devices SET device_fingerprint = device_fingerprint_hash
  WHERE device_fingerprint <> device_fingerprint_hash;
UPDATE auth_contexts SET device_fingerprint = encode(sha256(convert_to(device_fingerprint, 'UTF8')), 'hex')
  WHERE device_fingerprint IS NOT NULL AND device_fingerprint !~ '^[0-9a-f]{64}$';
UPDATE sessions SET device_fingerprint = encode(sha256(convert_to(device_fingerprint, 'UTF8')), 'hex')
  WHERE device_fingerprint IS NOT NULL AND device_fingerprint !~ '^[0-9a-f]{64}$';
UPDATE drs_evaluations SET device_id = encode(sha256(convert_to(device_id, 'UTF8')), 'hex')
  WHERE device_id IS NOT NULL AND device_id !~ '^[0-9a-f]{64}$';
