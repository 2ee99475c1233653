import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { insertAuthContext } from '../../src/store/queries/auth-contexts.js';
import { insertStep } from '../../src/store/queries/auth-transactions.js';
import { lockJourneyAndFindStep } from '../../src/store/queries/journey-step-lock.js';
import { testEngine, useTestDatabase } from '../support/test-database.js';

const db = useTestDatabase();

async function journeyWithStep() {
  const context = await insertAuthContext(db, {
    cupid: 'CUPID_LOCK_001',
    appId: 'web',
    clientId: 'web-banking',
    appVersion: '1.0',
    deviceFingerprint: null,
    ipAddress: '10.0.0.1',
    correlationId: crypto.randomUUID(),
    requiresAdditionalSteps: true,
    ttlSeconds: 600,
  });
  const step = await insertStep(db, { contextId: context.context_id, parentTransactionId: null, type: 'MFA_VERIFY', phase: 'MFA', ttlSeconds: 300 });
  return { contextId: context.context_id, transactionId: step.transaction_id };
}

describe('lockJourneyAndFindStep', () => {
  it('returns the journey and its step, the step undefined when the journey has no such step, nothing for an unknown journey', async () => {
    const { contextId, transactionId } = await journeyWithStep();
    const other = await journeyWithStep();
    await db.transaction(async (tx) => {
      const found = await lockJourneyAndFindStep(tx, contextId, transactionId);
      expect(found.context).toMatchObject({ context_id: contextId, cupid: 'CUPID_LOCK_001', ip_address: '10.0.0.1', is_open: true });
      expect(found.step).toMatchObject({ transaction_id: transactionId, context_id: contextId, transaction_status: 'PENDING', is_expired: false });
      expect(found.step!.expires_at).toBeInstanceOf(Date);
      expect(await lockJourneyAndFindStep(tx, contextId, other.transactionId)).toEqual({ context: found.context, step: undefined });
      expect(await lockJourneyAndFindStep(tx, crypto.randomUUID(), transactionId)).toEqual({});
    });
  });

  it.runIf(testEngine() === 'postgres')(
    "after waiting for the journey's lock, reads the step as the lock's holder left it",
    async () => {
      const { contextId, transactionId } = await journeyWithStep();
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('SELECT 1 FROM auth_contexts WHERE context_id = $1 FOR UPDATE', [contextId]);
        await holder.query(`UPDATE auth_transactions SET transaction_status = 'CONSUMED', consumed_at = now() WHERE transaction_id = $1`, [
          transactionId,
        ]);
        const waiting = db.transaction((tx) => lockJourneyAndFindStep(tx, contextId, transactionId));
        // The waiter's statement has started (and taken its snapshot) before the holder commits.
        await waitForLockWait(contextId);
        await holder.query('COMMIT');
        expect((await waiting).step).toMatchObject({ transaction_status: 'CONSUMED' });
      } finally {
        await holder.end();
      }
    },
  );
});

/** Until some session of this database waits for a row lock (the waiter's statement is under way). */
async function waitForLockWait(contextId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.query(
      // By its wait, not its text: the statement is longer than the text pg_stat_activity keeps.
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'transactionid'`,
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`nothing waited for the lock of journey ${contextId}`);
}
