import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findJob } from '../../src/jobs/catalogue.js';
import type { JobDefinition } from '../../src/jobs/job.js';
import { leaderLockFor } from '../../src/jobs/leader-lock.js';
import { runJob, type JobRunner } from '../../src/jobs/run-job.js';
import { recentJobRuns } from '../../src/store/queries/job-runs.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';
import { insertContext, insertStep, minutesAgo } from '../support/fixtures.js';
import { jobSettings, silentLog } from './job-context.js';

let db: TestDatabase;
let runner: JobRunner;
beforeAll(async () => {
  db = await openTestDatabase();
  runner = { db, lock: leaderLockFor(db, db.url), settings: jobSettings({ CIAM_JOB_BATCH_SIZE: '2' }), log: silentLog };
});
afterAll(async () => {
  await db.close();
});

describe('runJob', () => {
  it('records each run in job_runs: job, start, duration and rows changed', async () => {
    for (let i = 0; i < 3; i++) await insertStep(db, await insertContext(db), { expires_at: minutesAgo(1) });
    const before = new Date(Date.now() - 1000);
    const outcome = await runJob(findJob('expire-steps')!, runner);
    expect(outcome).toMatchObject({ status: 'ran', rowsChanged: 3, error: null });

    const [run] = await recentJobRuns(db, 1, 'expire-steps');
    expect(run).toMatchObject({ job_name: 'expire-steps', rows_changed: 3, error: null });
    expect(run!.run_id).toBe(outcome.status === 'ran' ? outcome.runId : undefined);
    expect(run!.started_at.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(run!.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('records a failing run with its error and the rows its committed batches changed', async () => {
    const failing: JobDefinition = {
      name: 'test-failing',
      schedule: '0 0 1 1 *',
      description: 'fails after one batch',
      async run(ctx) {
        ctx.changed(7);
        await ctx.db.query('SELECT no_such_function()');
      },
    };
    const outcome = await runJob(failing, runner);
    expect(outcome).toMatchObject({ status: 'ran', rowsChanged: 7 });
    expect(outcome.status === 'ran' && outcome.error).toMatch(/no_such_function/);
    const [run] = await recentJobRuns(db, 5, 'test-failing');
    expect(run).toMatchObject({ rows_changed: 7 });
    expect(run!.error).toMatch(/no_such_function/);
  });

  it('lists recent runs newest first across jobs', async () => {
    const runs = await recentJobRuns(db, 10);
    expect(runs.map((r) => r.job_name)).toEqual(['test-failing', 'expire-steps']);
  });

  it('does not start a job a second time while it is running in this process', async () => {
    let release!: () => void;
    const slow: JobDefinition = {
      name: 'test-slow',
      schedule: '0 0 1 1 *',
      description: 'waits',
      run: () => new Promise<void>((resolve) => (release = resolve)),
    };
    const first = runJob(slow, runner);
    await new Promise((r) => setTimeout(r, 200));
    expect(await runJob(slow, runner)).toEqual({ status: 'skipped' });
    release();
    expect((await first).status).toBe('ran');
  });
});
