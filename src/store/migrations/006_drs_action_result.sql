-- The risk service learns how each assessed login ended (Transmit's action result), whatever step
-- ends it: the password, a one-time code, a push, eSign, device binding or a failure. The report
-- needs the action token itself (a hash will not do), so it is kept sealed — AES-256-GCM under a
-- key derived from the master secret, bound to the journey — only until the journey's end has been
-- reported, then cleared. A database read alone never yields a usable action token.
ALTER TABLE drs_evaluations ADD COLUMN IF NOT EXISTS action_token_sealed text;

-- Evaluations still waiting for their journey's end: few at any time, so a small partial index.
CREATE INDEX IF NOT EXISTS idx_drs_unreported ON drs_evaluations (context_id) WHERE action_token_sealed IS NOT NULL;
