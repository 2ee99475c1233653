import { describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/store/database.js';
import { useTestDatabase } from '../support/test-database.js';
import { count, inRolledBackTransaction, insertAudit } from '../support/fixtures.js';

const db = useTestDatabase();

/** The UTC month `offset` from now, as the SQL date expression and as its partition name. */
async function month(q: Queryable, offset: string): Promise<{ date: string; partition: string }> {
  const date = `(date_trunc('month', now() AT TIME ZONE 'UTC') + interval '${offset}')::date`;
  const { rows } = await q.query<{ partition: string }>(`SELECT to_char(${date}, '"audit_logs_"YYYY_MM') AS partition`);
  return { date, partition: rows[0]!.partition };
}

async function callInt(q: Queryable, sql: string): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT ${sql} AS n`);
  return rows[0]!.n;
}

async function isPartition(q: Queryable, name: string): Promise<boolean> {
  const { rows } = await q.query(
    `SELECT 1 FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass AND inhrelid = to_regclass($1)`,
    [name],
  );
  return rows.length === 1;
}

describe('audit partitions', () => {
  it('has the current month and two ahead after migration, and the default partition', async () => {
    for (const offset of ['0 months', '1 month', '2 months']) {
      expect(await isPartition(db, (await month(db, offset)).partition)).toBe(true);
    }
    expect(await isPartition(db, 'audit_logs_default')).toBe(true);
    expect(await callInt(db, 'ensure_audit_partitions(2)')).toBe(0);
    expect(await callInt(db, 'create_next_audit_partition()')).toBe(0);
  });

  it('create_audit_partition creates a month once and says so', () =>
    inRolledBackTransaction(db, async (q) => {
      const { date, partition } = await month(q, '6 months');
      expect(await isPartition(q, partition)).toBe(false);
      expect(await callInt(q, `create_audit_partition(${date})`)).toBe(1);
      expect(await isPartition(q, partition)).toBe(true);
      expect(await callInt(q, `create_audit_partition(${date} + 14)`)).toBe(0);
    }));

  it('create_next_audit_partition creates next month when it is missing, then reports it exists', () =>
    inRolledBackTransaction(db, async (q) => {
      const { partition } = await month(q, '1 month');
      await q.query(`DROP TABLE ${partition}`);
      expect(await callInt(q, 'create_next_audit_partition()')).toBe(1);
      expect(await isPartition(q, partition)).toBe(true);
      expect(await callInt(q, 'create_next_audit_partition()')).toBe(0);
    }));

  it('ensure_audit_partitions fills the months up to the horizon it is given', () =>
    inRolledBackTransaction(db, async (q) => {
      expect(await callInt(q, 'ensure_audit_partitions(4)')).toBe(2);
      expect(await isPartition(q, (await month(q, '4 months')).partition)).toBe(true);
      expect(await callInt(q, 'ensure_audit_partitions(4)')).toBe(0);
    }));

  it('stores a row for a month without a partition in the default partition, and moves it when the month is created', () =>
    inRolledBackTransaction(db, async (q) => {
      const { date, partition } = await month(q, '3 years');
      const { rows: at } = await q.query<{ mid: Date; later: Date }>(
        `SELECT (${date} + 10)::timestamp AT TIME ZONE 'UTC' AS mid, (${date} + 45)::timestamp AT TIME ZONE 'UTC' AS later`,
      );
      const auditId = await insertAudit(q, {
        created_at: at[0]!.mid,
        cupid: 'CUPID_FUTURE',
        event_type: 'TOKEN_REFRESHED',
        event_category: 'TOKEN',
        event_data: '{"note":"far ahead"}',
      });
      // The month after it has no partition either and must stay in the default partition.
      await insertAudit(q, { created_at: at[0]!.later, cupid: 'CUPID_FUTURE' });
      expect(await count(q, `SELECT 1 FROM audit_logs_default WHERE audit_id = $1`, [auditId])).toBe(1);

      expect(await callInt(q, `create_audit_partition(${date})`)).toBe(1);
      expect(await count(q, `SELECT 1 FROM ${partition} WHERE audit_id = $1`, [auditId])).toBe(1);
      expect(await count(q, `SELECT 1 FROM audit_logs_default WHERE cupid = 'CUPID_FUTURE'`)).toBe(1);
      const { rows } = await q.query(`SELECT * FROM audit_logs WHERE audit_id = $1`, [auditId]);
      expect(rows).toEqual([
        expect.objectContaining({
          cupid: 'CUPID_FUTURE',
          event_type: 'TOKEN_REFRESHED',
          event_category: 'TOKEN',
          severity: 'INFO',
          event_data: { note: 'far ahead' },
          created_at: at[0]!.mid,
        }),
      ]);
    }));

  it('bounds partitions by UTC months whatever the session time zone', () =>
    inRolledBackTransaction(db, async (q) => {
      await q.query(`SET LOCAL TIME ZONE 'Pacific/Kiritimati'`); // UTC+14
      const { date, partition } = await month(q, '5 years');
      expect(await callInt(q, `create_audit_partition(${date})`)).toBe(1);
      const { rows } = await q.query<{ first: Date; last: Date; next: Date }>(
        `SELECT ${date}::timestamp AT TIME ZONE 'UTC' AS first,
                (${date} + interval '1 month')::timestamp AT TIME ZONE 'UTC' - interval '1 second' AS last,
                (${date} + interval '1 month')::timestamp AT TIME ZONE 'UTC' AS next`,
      );
      const first = await insertAudit(q, { created_at: rows[0]!.first });
      const last = await insertAudit(q, { created_at: rows[0]!.last });
      const next = await insertAudit(q, { created_at: rows[0]!.next });
      const home = async (id: string) =>
        (await q.query(`SELECT tableoid::regclass::text AS home FROM audit_logs WHERE audit_id = $1`, [id])).rows[0]!.home;
      expect(await home(first)).toBe(partition);
      expect(await home(last)).toBe(partition);
      expect(await home(next)).toBe('audit_logs_default');
    }));

  it('create_audit_partition ignores temporary tables a caller prepared under the names it uses', () =>
    inRolledBackTransaction(db, async (q) => {
      // Under the owner's rights, a trigger on such a table would run the caller's code.
      await q.query(`CREATE TEMP TABLE audit_partition_move (LIKE audit_logs)`);
      await q.query(`CREATE FUNCTION pg_temp.refuse() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN RAISE EXCEPTION 'caller code ran inside create_audit_partition'; END $$`);
      await q.query(`CREATE TRIGGER refuse BEFORE INSERT ON pg_temp.audit_partition_move
                     FOR EACH ROW EXECUTE FUNCTION pg_temp.refuse()`);
      const { date, partition } = await month(q, '4 years');
      // A temporary table named like the month must not pass for its partition.
      await q.query(`CREATE TEMP TABLE ${partition} (id integer)`);
      const { rows } = await q.query<{ at: Date }>(`SELECT (${date} + 3)::timestamp AT TIME ZONE 'UTC' AS at`);
      const auditId = await insertAudit(q, { created_at: rows[0]!.at });
      expect(await callInt(q, `create_audit_partition(${date})`)).toBe(1);
      expect(await count(q, `SELECT 1 FROM public.${partition} WHERE audit_id = $1`, [auditId])).toBe(1);
    }));
});
