-- A step call locks its journey and reads the step it names in one round trip
-- (src/store/queries/journey-step-lock.ts). One plain statement cannot do both: its snapshot is
-- taken before it waits for the lock, so after the wait it would still read the step as it was
-- before the lock's previous holder changed it. A statement inside a VOLATILE function takes its
-- snapshot when it runs: the step is read by the second function, after the first holds the lock.

CREATE OR REPLACE FUNCTION journey_locked(p_context_id uuid) RETURNS SETOF auth_contexts
LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
BEGIN
  RETURN QUERY SELECT * FROM auth_contexts WHERE context_id = p_context_id FOR UPDATE;
END
$$;

CREATE OR REPLACE FUNCTION journey_step(p_context_id uuid, p_transaction_id uuid) RETURNS SETOF auth_transactions
LANGUAGE plpgsql VOLATILE ROWS 1 AS $$
BEGIN
  RETURN QUERY SELECT * FROM auth_transactions WHERE transaction_id = p_transaction_id AND context_id = p_context_id;
END
$$;
