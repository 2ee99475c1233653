-- Least privilege for the CIAM schema on PostgreSQL (PGlite has no roles: skip this there).
--
-- A DBA runs it with psql, as a superuser (or a role with CREATEROLE that owns the database),
-- connected to the CIAM database:
--
--   psql -X -v ON_ERROR_STOP=1 -d ciam -f src/store/roles/app-role.sql
--
-- Optional psql variables (-v name=value):
--   owner_role     NOLOGIN role that owns the schema; migrations run as it   (default ciam_owner)
--   app_role       LOGIN role the service connects as                         (default ciam_app)
--   app_password   sets the application role's password (otherwise set it with \password)
--   migrator_role  an existing LOGIN role that runs `npm run migrate`; it becomes a member of
--                  owner_role and runs migrations as it with PGOPTIONS='-c role=ciam_owner'
--
-- Order: run it once before the first migration (it creates the roles and lets the owner create
-- objects), run the migrations as the owner role, then run it again — and again after every
-- migration that adds a table or function, because table grants are made here, per table, rather
-- than by default privileges (which would also hand UPDATE and DELETE on every new audit partition
-- to the application). Every statement is idempotent.
--
-- What the application role ends up with:
--   • SELECT, INSERT, UPDATE, DELETE on the working tables;
--   • SELECT, INSERT on audit_logs only. Partitions get no grants at all: queries through the
--     partitioned parent are checked against the parent's grants alone, and a direct UPDATE or
--     DELETE on a partition (audit_logs_2025_07, audit_logs_default, or one created later by
--     create_audit_partition) is refused;
--   • SELECT on the views and on schema_migrations (the start-up check and readiness);
--   • EXECUTE on the maintenance functions, on uuid_v7() (the default of four id columns) and on
--     the two functions a step call locks its journey and reads its step with (journey_locked,
--     journey_step), and on nothing else in the schema;
--   • CONNECT on this database; no CREATE anywhere and no TEMPORARY (a temporary object is a place
--     to hide code that a SECURITY DEFINER function might run with the owner's rights).

\set ON_ERROR_STOP on
\if :{?owner_role}
\else
  \set owner_role ciam_owner
\endif
\if :{?app_role}
\else
  \set app_role ciam_app
\endif

-- psql does not substitute variables inside dollar-quoted DO blocks; session settings carry them.
SET ciam.owner_role = :'owner_role';
SET ciam.app_role = :'app_role';

-- ------------------------------------------------------------------ roles (cluster-wide)
-- Another session may create the same role between the check and CREATE ROLE (two databases set
-- up at once on one cluster): that shows up as duplicate_object or as a unique violation on the
-- catalog, and either means the role is there.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_setting('ciam.owner_role')) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', current_setting('ciam.owner_role'));
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_setting('ciam.app_role')) THEN
    EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS',
                   current_setting('ciam.app_role'));
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL;
END $$;

\if :{?app_password}
ALTER ROLE :"app_role" PASSWORD :'app_password';
\endif
\if :{?migrator_role}
GRANT :"owner_role" TO :"migrator_role";
\endif

-- ------------------------------------------------------------------ database and schema
DO $$
BEGIN
  EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
  EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I, %I',
                 current_database(), current_setting('ciam.owner_role'), current_setting('ciam.app_role'));
END $$;

REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA public TO :"owner_role";
GRANT USAGE ON SCHEMA public TO :"app_role";

-- ------------------------------------------------------------------ functions
-- PostgreSQL lets everyone execute a new function; here only the grants below count. (Per-schema
-- default privileges cannot take back a global default, hence no IN SCHEMA.)
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA public FROM PUBLIC;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner_role" REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;

DO $$
DECLARE
  v_fn regprocedure;
BEGIN
  FOR v_fn IN
    SELECT p.oid::regprocedure
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proname = ANY (ARRAY[
      'expire_pending_transactions', 'expire_auth_contexts', 'expire_sessions', 'expire_tokens',
      'delete_old_auth_contexts', 'delete_old_drs_evaluations', 'delete_ended_sessions',
      'create_audit_partition', 'ensure_audit_partitions', 'create_next_audit_partition',
      'drop_old_audit_partitions', 'uuid_v7', 'journey_locked', 'journey_step'])
  LOOP
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', v_fn, current_setting('ciam.app_role'));
  END LOOP;
END $$;

-- ------------------------------------------------------------------ tables and views
-- Each relation starts from nothing for the application role, so a re-run also takes back a grant
-- that should not be there; the DO block is one transaction, so no query sees the gap.
DO $$
DECLARE
  v_app text := current_setting('ciam.app_role');
  r record;
BEGIN
  FOR r IN
    SELECT c.oid::regclass AS rel, c.relname, c.relkind, c.relispartition
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  LOOP
    EXECUTE format('REVOKE ALL ON %s FROM %I', r.rel, v_app);
    IF r.relispartition THEN
      CONTINUE; -- reached through the parent only
    ELSIF r.relname = 'audit_logs' THEN
      EXECUTE format('GRANT SELECT, INSERT ON %s TO %I', r.rel, v_app);
    ELSIF r.relname = 'schema_migrations' OR r.relkind IN ('v', 'm') THEN
      EXECUTE format('GRANT SELECT ON %s TO %I', r.rel, v_app);
    ELSIF r.relkind = 'S' THEN
      EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE %s TO %I', r.rel, v_app);
    ELSE
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', r.rel, v_app);
    END IF;
  END LOOP;
END $$;

RESET ciam.owner_role;
RESET ciam.app_role;
