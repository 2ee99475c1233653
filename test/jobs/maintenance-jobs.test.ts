import { describe, expect, it } from 'vitest';
import { findJob } from '../../src/jobs/catalogue.js';
import type { JobDefinition } from '../../src/jobs/job.js';
import { useTestDatabase } from '../support/test-database.js';
import { count, daysAgo, daysAhead, insertContext, insertDrs, insertSession, insertStep, insertToken, minutesAgo, minutesAhead } from '../support/fixtures.js';
import { jobSettings, runBody } from './job-context.js';

const db = useTestDatabase({ perTest: true });

const job = (name: string): JobDefinition => findJob(name)!;
const smallBatches = jobSettings({ CIAM_JOB_BATCH_SIZE: '2' });
/** The columns of a journey that ended with `outcome` just now. */
const finishedAs = (outcome: string) => ({ auth_outcome: outcome, completed_at: new Date() });

describe('expire-steps', () => {
  it('expires every overdue PENDING step in bounded batches, marks MFA timeouts, and is idempotent', async () => {
    const overdue = [];
    for (let i = 0; i < 5; i++) overdue.push(await insertStep(db, await insertContext(db), { expires_at: minutesAgo(1) }));
    const esign = await insertStep(db, await insertContext(db), { expires_at: minutesAgo(1), transaction_type: 'ESIGN_PRESENT', phase: 'ESIGN' });
    const open = await insertStep(db, await insertContext(db), { expires_at: minutesAhead(5) });

    const first = await runBody(job('expire-steps'), db, smallBatches);
    expect(first.total).toBe(6);
    expect(first.batches).toEqual([2, 2, 2, 0]);
    expect(await count(db, `SELECT 1 FROM auth_transactions WHERE transaction_status = 'EXPIRED' AND consumed_at IS NOT NULL`)).toBe(6);
    expect(await count(db, `SELECT 1 FROM auth_transactions WHERE transaction_id = ANY($1) AND verification_result = 'TIMEOUT'`, [overdue])).toBe(5);
    expect(await count(db, `SELECT 1 FROM auth_transactions WHERE transaction_id = $1 AND verification_result IS NULL`, [esign])).toBe(1);
    expect(await count(db, `SELECT 1 FROM auth_transactions WHERE transaction_id = $1 AND transaction_status = 'PENDING'`, [open])).toBe(1);

    const again = await runBody(job('expire-steps'), db, smallBatches);
    expect(again.total).toBe(0);
    expect(again.batches).toEqual([0]);
  });

  it('stops after CIAM_JOB_MAX_BATCHES and leaves the rest to the next run', async () => {
    for (let i = 0; i < 5; i++) await insertStep(db, await insertContext(db), { expires_at: minutesAgo(1) });
    const bounded = jobSettings({ CIAM_JOB_BATCH_SIZE: '1', CIAM_JOB_MAX_BATCHES: '2' });
    expect((await runBody(job('expire-steps'), db, bounded)).batches).toEqual([1, 1]);
    expect(await count(db, `SELECT 1 FROM auth_transactions WHERE transaction_status = 'PENDING'`)).toBe(3);
    expect((await runBody(job('expire-steps'), db, bounded)).total).toBe(2);
  });
});

describe('expire-journeys', () => {
  it('gives open journeys past expiry the outcome EXPIRED, leaving live and finished ones', async () => {
    for (let i = 0; i < 3; i++) await insertContext(db, { expires_at: minutesAgo(1) });
    const live = await insertContext(db, { expires_at: minutesAhead(10) });
    const done = await insertContext(db, { expires_at: minutesAgo(1), ...finishedAs('SUCCESS') });

    const first = await runBody(job('expire-journeys'), db, smallBatches);
    expect(first.total).toBe(3);
    expect(first.batches).toEqual([2, 1]);
    expect(await count(db, `SELECT 1 FROM auth_contexts WHERE auth_outcome = 'EXPIRED' AND completed_at IS NOT NULL`)).toBe(3);
    expect(await count(db, `SELECT 1 FROM auth_contexts WHERE context_id = $1 AND auth_outcome IS NULL`, [live])).toBe(1);
    expect(await count(db, `SELECT 1 FROM auth_contexts WHERE context_id = $1 AND auth_outcome = 'SUCCESS'`, [done])).toBe(1);
    expect((await runBody(job('expire-journeys'), db, smallBatches)).total).toBe(0);
  });
});

describe('expire-sessions', () => {
  it('expires overdue sessions with their tokens, then overdue tokens of live sessions', async () => {
    const ctx = await insertContext(db, finishedAs('SUCCESS'));
    const overdue = [];
    for (let i = 0; i < 3; i++) {
      const s = await insertSession(db, ctx, { expires_at: minutesAgo(60) });
      await insertToken(db, s, { token_type: 'REFRESH', expires_at: daysAhead(1) });
      await insertToken(db, s, { token_type: 'ACCESS', expires_at: minutesAgo(10) });
      overdue.push(s);
    }
    const live = await insertSession(db, ctx);
    await insertToken(db, live, { token_type: 'ACCESS', expires_at: minutesAgo(1) });
    await insertToken(db, live, { token_type: 'REFRESH', expires_at: daysAhead(29) });

    const first = await runBody(job('expire-sessions'), db, smallBatches);
    // 3 sessions (their 6 tokens expire with them, uncounted) + 1 overdue access token of the live session.
    expect(first.total).toBe(4);
    expect(await count(db, `SELECT 1 FROM sessions WHERE status = 'EXPIRED' AND ended_at IS NOT NULL`)).toBe(3);
    expect(await count(db, `SELECT 1 FROM tokens WHERE session_id = ANY($1) AND status = 'EXPIRED'`, [overdue])).toBe(6);
    expect(await count(db, `SELECT 1 FROM tokens WHERE session_id = $1 AND status = 'ACTIVE'`, [live])).toBe(1);
    expect(await count(db, `SELECT 1 FROM sessions WHERE session_id = $1 AND status = 'ACTIVE'`, [live])).toBe(1);
    expect((await runBody(job('expire-sessions'), db, smallBatches)).total).toBe(0);
  });
});

describe('retention', () => {
  it('deletes ended sessions, then unreferenced finished journeys with their steps, old DRS rows and old job runs', async () => {
    // Journey of an ended session past the 30-day retention: both go (session first, then journey).
    const oldCtx = await insertContext(db, { created_at: daysAgo(120), ...finishedAs('SUCCESS') });
    const ended = await insertSession(db, oldCtx, {
      status: 'REVOKED',
      ended_at: daysAgo(40),
      revoked_at: daysAgo(40),
      revoked_by: 'SYSTEM',
      expires_at: daysAgo(10),
    });
    await insertToken(db, ended, { token_type: 'REFRESH', expires_at: daysAgo(10), status: 'ROTATED', rotated_at: new Date() });
    // A finished journey with a step and a DRS row, no session.
    const finished = await insertContext(db, { created_at: daysAgo(100), ...finishedAs('FAILED') });
    await insertStep(db, finished, { expires_at: daysAgo(100) });
    await insertDrs(db, finished, { created_at: daysAgo(100) });
    // Kept: a recent ended session and its journey; an old journey with an active session; an open old journey.
    const recentCtx = await insertContext(db, { created_at: daysAgo(100), ...finishedAs('SUCCESS') });
    await insertSession(db, recentCtx, { status: 'LOGGED_OUT', ended_at: daysAgo(5) });
    const liveCtx = await insertContext(db, { created_at: daysAgo(100), ...finishedAs('SUCCESS') });
    await insertSession(db, liveCtx);
    const openCtx = await insertContext(db, { created_at: daysAgo(100), expires_at: daysAgo(99) });
    // A DRS row past retention whose journey is recent; one within retention.
    const recent = await insertContext(db, finishedAs('SUCCESS'));
    await insertDrs(db, recent, { created_at: daysAgo(91) });
    await insertDrs(db, recent, { created_at: daysAgo(1) });
    await db.query(`INSERT INTO job_runs (job_name, started_at, duration_ms, rows_changed) VALUES
      ('expire-steps', now() - interval '100 days', 1, 0), ('expire-steps', now() - interval '1 day', 1, 0)`);

    const first = await runBody(job('retention'), db, smallBatches);
    // 1 session + 2 journeys (oldCtx, finished) + 1 DRS row (the finished journey's went by cascade) + 1 job run.
    expect(first.total).toBe(5);
    expect(await count(db, `SELECT 1 FROM sessions WHERE session_id = $1`, [ended])).toBe(0);
    expect(await count(db, `SELECT 1 FROM tokens WHERE session_id = $1`, [ended])).toBe(0);
    expect(await count(db, `SELECT 1 FROM auth_contexts WHERE context_id = ANY($1)`, [[oldCtx, finished]])).toBe(0);
    expect(await count(db, `SELECT 1 FROM auth_transactions WHERE context_id = $1`, [finished])).toBe(0);
    expect(await count(db, `SELECT 1 FROM auth_contexts WHERE context_id = ANY($1)`, [[recentCtx, liveCtx, openCtx, recent]])).toBe(4);
    expect(await count(db, `SELECT 1 FROM drs_evaluations`)).toBe(1);
    expect(await count(db, `SELECT 1 FROM job_runs`)).toBe(1);
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
