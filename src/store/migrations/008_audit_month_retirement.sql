-- An audit month past its retention leaves in two transactions instead of one.
--
-- Dropping a partition holds an ACCESS EXCLUSIVE lock on audit_logs until its transaction ends, and
-- its files are removed as that transaction ends, before the lock goes. Every login, refresh and code
-- check writes an audit row, so all of them waited while the file system freed the month: at the
-- seed's ten million audit rows a day, several gigabytes. Detaching changes only the catalogue
-- (a short lock, still under the job's lock timeout); the table it leaves is no part of audit_logs,
-- so dropping it afterwards locks that table alone.
--
-- The detached month is renamed audit_logs_YYYY_MM_retired, so that the second step finds exactly
-- what the first one retired, also after a run stopped between the two.

CREATE OR REPLACE FUNCTION detach_old_audit_partitions(p_retention interval DEFAULT interval '24 months')
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
      EXECUTE format('ALTER TABLE audit_logs DETACH PARTITION %I', r.relname);
      EXECUTE format('ALTER TABLE %I RENAME TO %I', r.relname, r.relname || '_retired');
      v_count := v_count + 1;
    END IF;
  END LOOP;
  RETURN v_count;
END $$;

-- Same retention floor as the detach: this function runs with the owner's rights, and a retired
-- table it may drop must be one the detach could have made.
CREATE OR REPLACE FUNCTION drop_retired_audit_months(p_retention interval DEFAULT interval '24 months')
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
    SELECT c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition
      AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}_retired$'
  LOOP
    IF to_date(substr(r.relname, 12, 7), 'YYYY_MM') < v_cutoff THEN
      EXECUTE format('DROP TABLE %I', r.relname);
      v_count := v_count + 1;
    END IF;
  END LOOP;
  RETURN v_count;
END $$;

-- The one-step drop it replaces.
DROP FUNCTION IF EXISTS drop_old_audit_partitions(interval);
