import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { detachOldAuditPartitions, dropRetiredAuditMonths } from '../../src/store/queries/maintenance.js';
import { daysAgo, insertAudit } from '../support/fixtures.js';
import { testEngine, useTestDatabase } from '../support/test-database.js';

const db = useTestDatabase();

/** Until some session of this database waits for a lock on a relation. */
async function waitForRelationLockWait(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await db.query(
      `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'relation'`,
    );
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('nothing waited for a relation lock');
}

// Two sessions besides the test's own: PostgreSQL only.
describe.runIf(testEngine() === 'postgres')('retiring an audit month', () => {
  it('drops the month without a lock on audit_logs: audit rows go in while the drop waits', async () => {
    await db.query(`SELECT create_audit_partition((now() AT TIME ZONE 'UTC' - interval '3 years')::date)`);
    const { rows } = await db.query<{ name: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC' - interval '3 years', '"audit_logs_"YYYY_MM') AS name`,
    );
    const retired = `${rows[0]!.name}_retired`;
    await insertAudit(db, { created_at: daysAgo(3 * 365 + 1) });
    expect(await db.transaction((tx) => detachOldAuditPartitions(tx, 24))).toBe(1);

    // A reader of the retired month (an export, say) holds the drop back; the drop waiting for it
    // must not hold back the audit rows that every login writes.
    const reader = new pg.Client({ connectionString: db.url });
    const dropper = new pg.Client({ connectionString: db.url });
    await reader.connect();
    await dropper.connect();
    try {
      await reader.query('BEGIN');
      await reader.query(`LOCK TABLE ${retired} IN ACCESS SHARE MODE`);
      const dropping = dropRetiredAuditMonths(dropper, 24);
      await waitForRelationLockWait();

      const started = performance.now();
      await db.transaction(async (tx) => {
        await tx.query(`SET LOCAL lock_timeout = '2s'`);
        await insertAudit(tx, { event_type: 'LOGIN_SUCCESS' });
      });
      expect(performance.now() - started).toBeLessThan(1_000);

      await reader.query('COMMIT');
      expect(await dropping).toBe(1);
      expect((await db.query(`SELECT to_regclass($1) IS NULL AS gone`, [retired])).rows[0]!.gone).toBe(true);
    } finally {
      await reader.end();
      await dropper.end();
    }
  });
});
