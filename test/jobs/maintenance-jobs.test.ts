import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findJob } from '../../src/jobs/catalogue.js';
import type { JobDefinition } from '../../src/jobs/job.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import {
  count,
  insertDrs,
  insertJourney,
  insertSession,
  insertStep,
  insertToken,
  jobSettings,
  runBody,
} from './fixtures.js';

let db: TestDatabase;
beforeEach(async () => {
  db = await openTestDatabase();
});
afterEach(async () => {
  await db.close();
});

const job = (name: string): JobDefinition => findJob(name)!;
const smallBatches = jobSettings({ CIAM_JOB_BATCH_SIZE: '2' });

describe('expire-steps', () => {
  it('expires every overdue PENDING step in bounded batches, marks MFA timeouts, and is idempotent', async () => {
    const overdue = [];
    for (let i = 0; i < 5; i++) overdue.push(await insertStep(db, await insertJourney(db), '-1 minute'));
    const esign = await insertStep(db, await insertJourney(db), '-1 minute', 'ESIGN');
    const open = await insertStep(db, await insertJourney(db), '5 minutes');

    const first = await runBody(job('expire-steps'), db, smallBatches);
    expect(first.total).toBe(6);
    expect(first.batches).toEqual([2, 2, 2, 0]);
    expect(await count(db, `auth_transactions WHERE transaction_status = 'EXPIRED' AND consumed_at IS NOT NULL`)).toBe(6);
    expect(await count(db, `auth_transactions WHERE transaction_id = ANY($1) AND verification_result = 'TIMEOUT'`, [overdue])).toBe(5);
    expect(await count(db, `auth_transactions WHERE transaction_id = $1 AND verification_result IS NULL`, [esign])).toBe(1);
    expect(await count(db, `auth_transactions WHERE transaction_id = $1 AND transaction_status = 'PENDING'`, [open])).toBe(1);

    const again = await runBody(job('expire-steps'), db, smallBatches);
    expect(again.total).toBe(0);
    expect(again.batches).toEqual([0]);
  });

  it('stops after CIAM_JOB_MAX_BATCHES and leaves the rest to the next run', async () => {
    for (let i = 0; i < 5; i++) await insertStep(db, await insertJourney(db), '-1 minute');
    const bounded = jobSettings({ CIAM_JOB_BATCH_SIZE: '1', CIAM_JOB_MAX_BATCHES: '2' });
    expect((await runBody(job('expire-steps'), db, bounded)).batches).toEqual([1, 1]);
    expect(await count(db, `auth_transactions WHERE transaction_status = 'PENDING'`)).toBe(3);
    expect((await runBody(job('expire-steps'), db, bounded)).total).toBe(2);
  });
});

describe('expire-journeys', () => {
  it('gives open journeys past expiry the outcome EXPIRED, leaving live and finished ones', async () => {
    for (let i = 0; i < 3; i++) await insertJourney(db, { expiresIn: '-1 minute' });
    const live = await insertJourney(db, { expiresIn: '10 minutes' });
    const done = await insertJourney(db, { expiresIn: '-1 minute', outcome: 'SUCCESS' });

    const first = await runBody(job('expire-journeys'), db, smallBatches);
    expect(first.total).toBe(3);
    expect(first.batches).toEqual([2, 1]);
    expect(await count(db, `auth_contexts WHERE auth_outcome = 'EXPIRED' AND completed_at IS NOT NULL`)).toBe(3);
    expect(await count(db, `auth_contexts WHERE context_id = $1 AND auth_outcome IS NULL`, [live])).toBe(1);
    expect(await count(db, `auth_contexts WHERE context_id = $1 AND auth_outcome = 'SUCCESS'`, [done])).toBe(1);
    expect((await runBody(job('expire-journeys'), db, smallBatches)).total).toBe(0);
  });
});

describe('expire-sessions', () => {
  it('expires overdue sessions with their tokens, then overdue tokens of live sessions', async () => {
    const ctx = await insertJourney(db, { outcome: 'SUCCESS' });
    const overdue = [];
    for (let i = 0; i < 3; i++) {
      const s = await insertSession(db, ctx, { expiresIn: '-1 hour' });
      await insertToken(db, s, 'REFRESH', '1 day');
      await insertToken(db, s, 'ACCESS', '-10 minutes');
      overdue.push(s);
    }
    const live = await insertSession(db, ctx);
    await insertToken(db, live, 'ACCESS', '-1 minute');
    await insertToken(db, live, 'REFRESH', '29 days');

    const first = await runBody(job('expire-sessions'), db, smallBatches);
    // 3 sessions (their 6 tokens expire with them, uncounted) + 1 overdue access token of the live session.
    expect(first.total).toBe(4);
    expect(await count(db, `sessions WHERE status = 'EXPIRED' AND ended_at IS NOT NULL`)).toBe(3);
    expect(await count(db, `tokens WHERE session_id = ANY($1) AND status = 'EXPIRED'`, [overdue])).toBe(6);
    expect(await count(db, `tokens WHERE session_id = $1 AND status = 'ACTIVE'`, [live])).toBe(1);
    expect(await count(db, `sessions WHERE session_id = $1 AND status = 'ACTIVE'`, [live])).toBe(1);
    expect((await runBody(job('expire-sessions'), db, smallBatches)).total).toBe(0);
  });
});

describe('retention', () => {
  it('deletes ended sessions, then unreferenced finished journeys with their steps, old DRS rows and old job runs', async () => {
    // Journey of an ended session past the 30-day retention: both go (session first, then journey).
    const oldCtx = await insertJourney(db, { createdAgo: '120 days', outcome: 'SUCCESS' });
    const ended = await insertSession(db, oldCtx, { status: 'REVOKED', endedAgo: '40 days', expiresIn: '-10 days' });
    await insertToken(db, ended, 'REFRESH', '-10 days', 'ROTATED');
    // A finished journey with a step and a DRS row, no session.
    const finished = await insertJourney(db, { createdAgo: '100 days', outcome: 'FAILED' });
    await insertStep(db, finished, '-100 days');
    await insertDrs(db, finished, '100 days');
    // Kept: a recent ended session and its journey; an old journey with an active session; an open old journey.
    const recentCtx = await insertJourney(db, { createdAgo: '100 days', outcome: 'SUCCESS' });
    await insertSession(db, recentCtx, { status: 'LOGGED_OUT', endedAgo: '5 days' });
    const liveCtx = await insertJourney(db, { createdAgo: '100 days', outcome: 'SUCCESS' });
    await insertSession(db, liveCtx);
    const openCtx = await insertJourney(db, { createdAgo: '100 days', expiresIn: '-99 days' });
    // A DRS row past retention whose journey is recent; one within retention.
    const recent = await insertJourney(db, { outcome: 'SUCCESS' });
    await insertDrs(db, recent, '91 days');
    await insertDrs(db, recent, '1 day');
    await db.query(`INSERT INTO job_runs (job_name, started_at, duration_ms, rows_changed) VALUES
      ('expire-steps', now() - interval '100 days', 1, 0), ('expire-steps', now() - interval '1 day', 1, 0)`);

    const first = await runBody(job('retention'), db, smallBatches);
    // 1 session + 2 journeys (oldCtx, finished) + 1 DRS row (the finished journey's went by cascade) + 1 job run.
    expect(first.total).toBe(5);
    expect(await count(db, `sessions WHERE session_id = $1`, [ended])).toBe(0);
    expect(await count(db, `tokens WHERE session_id = $1`, [ended])).toBe(0);
    expect(await count(db, `auth_contexts WHERE context_id = ANY($1)`, [[oldCtx, finished]])).toBe(0);
    expect(await count(db, `auth_transactions WHERE context_id = $1`, [finished])).toBe(0);
    expect(await count(db, `auth_contexts WHERE context_id = ANY($1)`, [[recentCtx, liveCtx, openCtx, recent]])).toBe(4);
    expect(await count(db, `drs_evaluations`)).toBe(1);
    expect(await count(db, `job_runs`)).toBe(1);
    expect((await runBody(job('retention'), db, smallBatches)).total).toBe(0);
  });
});

describe('audit partitions', () => {
  const partitions = async () => {
    const { rows } = await db.query<{ relname: string }>(
      `SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
       WHERE p.relname = 'audit_logs' AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}$' ORDER BY 1`,
    );
    return rows.map((r) => r.relname);
  };
  const monthName = (offset: number) => {
    const d = new Date();
    const m = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1));
    return `audit_logs_${m.getUTCFullYear()}_${String(m.getUTCMonth() + 1).padStart(2, '0')}`;
  };

  it('partitions keeps the current month and the configured months ahead, idempotently', async () => {
    await db.query(`DROP TABLE ${monthName(2)}`);
    const first = await runBody(job('partitions'), db, jobSettings({ CIAM_AUDIT_PARTITIONS_AHEAD: '3' }));
    expect(first.total).toBe(2); // months +2 and +3
    expect(await partitions()).toEqual(expect.arrayContaining([0, 1, 2, 3].map(monthName)));
    expect((await runBody(job('partitions'), db)).total).toBe(0);
  });

  it('drop-old-partitions drops months past the retention and keeps the rest', async () => {
    await db.query(`SELECT create_audit_partition(date_trunc('month', now() - interval '30 months')::date)`);
    await db.query(`SELECT create_audit_partition(date_trunc('month', now() - interval '26 months')::date)`);
    await db.query(`SELECT create_audit_partition(date_trunc('month', now() - interval '6 months')::date)`);
    const settings = jobSettings({ CIAM_AUDIT_RETENTION_MONTHS: '24' });
    const first = await runBody(job('drop-old-partitions'), db, settings);
    expect(first.total).toBe(2);
    const left = await partitions();
    expect(left).not.toContain(monthName(-30));
    expect(left).not.toContain(monthName(-26));
    expect(left).toContain(monthName(-6));
    expect(left).toContain(monthName(0));
    expect((await runBody(job('drop-old-partitions'), db, settings)).total).toBe(0);
  });
});
