-- Room on every sessions page for a row's next version. A refresh touches last_activity_at, which
-- no index covers, so when the page has space the update is HOT: no new entries in the table's
-- five indexes. Applies to pages written from now on (VACUUM FULL rewrites existing ones).
ALTER TABLE sessions SET (fillfactor = 80);

-- Lookups of tokens that are no longer ACTIVE (a rotated refresh token presented again, a logout
-- with a dead token) need an index on the hash, but the ACTIVE ones already have theirs
-- (uq_tokens_active_hash). Each row version now enters exactly one of the two: a new token the
-- unique one, a rotated, revoked or expired one this one. Half the insertions into the two
-- largest indexes of the table, whose keys are random and so touch a random page every time.
DROP INDEX IF EXISTS idx_tokens_hash;
CREATE INDEX IF NOT EXISTS idx_tokens_settled_hash ON tokens (token_value_hash) WHERE status <> 'ACTIVE';

-- Time-ordered ids (UUID version 7, RFC 9562) for the rows written on every login and refresh.
-- A random id (version 4) lands on a random page of its primary key and of every index that
-- repeats it (tokens.session_id, audit_logs.session_id, …): at millions of rows that is a page
-- missing from memory, read and then written back whole after each checkpoint. Ids that grow
-- with time all land on the few pages at the right edge of each index, which stay in memory.
-- 48 bits of milliseconds, the version and variant bits, 74 random bits. PostgreSQL 15 has no
-- uuidv7() of its own.
CREATE OR REPLACE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid())
              PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
              FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
-- Callable by every role, as gen_random_uuid() is: an application role set up before this migration
-- (src/store/roles/app-role.sql revokes PUBLIC's EXECUTE on new functions) keeps inserting rows
-- without a re-run of the role script, which grants it explicitly anyway.
GRANT EXECUTE ON FUNCTION uuid_v7() TO PUBLIC;

ALTER TABLE auth_contexts ALTER COLUMN context_id SET DEFAULT uuid_v7();
ALTER TABLE sessions ALTER COLUMN session_id SET DEFAULT uuid_v7();
ALTER TABLE tokens ALTER COLUMN token_id SET DEFAULT uuid_v7();
ALTER TABLE audit_logs ALTER COLUMN audit_id SET DEFAULT uuid_v7();
