import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobDefinition } from '../../src/jobs/job.js';
import { PostgresLeaderLock } from '../../src/jobs/leader-lock.js';
import { runJob, type JobOutcome } from '../../src/jobs/run-job.js';
import { startScheduler } from '../../src/jobs/scheduler.js';
import type { Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { recentJobRuns } from '../../src/store/queries/job-runs.js';
import { openTestDatabase, testEngine, type TestDatabase } from '../support/test-database.js';
import { jobSettings, silentLog } from './job-context.js';

/**
 * Two instances of the service on one PostgreSQL database, each with its own pool and its own
 * scheduler: every job must run on exactly one of them at a time. (On PGlite the data directory
 * admits one process, so there is no second instance to race.)
 */
describe.skipIf(testEngine() !== 'postgres')('single leader on PostgreSQL', () => {
  let db: TestDatabase;
  let second: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
    second = await openPostgres({ connectionString: db.url!, poolMax: 4, statementTimeoutMs: 30_000 });
  });
  afterAll(async () => {
    await second.close();
    await db.close();
  });

  /** A job that notes when it runs and holds its lock for a while, so any overlap would show. */
  function slowJob(name: string, holdMs: number, intervals: Array<[number, number]>): JobDefinition {
    return {
      name,
      schedule: '* * * * * *',
      description: 'holds the lock',
      async run(ctx) {
        const start = Date.now();
        await new Promise((r) => setTimeout(r, holdMs));
        intervals.push([start, Date.now()]);
        ctx.changed(1);
      },
    };
  }

  const instance = (database: Database) => ({
    db: database,
    lock: new PostgresLeaderLock(db.url!),
    settings: jobSettings(),
    log: silentLog,
  });

  it('of two instances starting the same job at once, exactly one runs it', async () => {
    for (let round = 0; round < 5; round++) {
      const intervals: Array<[number, number]> = [];
      const job = slowJob(`race-${round}`, 300, intervals);
      const outcomes: JobOutcome[] = await Promise.all([runJob(job, instance(db)), runJob(job, instance(second))]);
      expect(outcomes.map((o) => o.status).sort()).toEqual(['ran', 'skipped']);
      expect(intervals).toHaveLength(1);
      expect(await recentJobRuns(db, 10, job.name)).toHaveLength(1);
    }
  });

  it('two racing schedulers never run a job twice at the same time, and every run is recorded once', async () => {
    const intervals: Array<[number, number]> = [];
    const job = slowJob('race-scheduled', 1_300, intervals);
    const a = startScheduler([job], { ...instance(db), timezone: 'UTC' });
    const b = startScheduler([job], { ...instance(second), timezone: 'UTC' });
    await new Promise((r) => setTimeout(r, 4_500));
    await Promise.all([a.stop(), b.stop()]);

    expect(intervals.length).toBeGreaterThanOrEqual(1);
    const sorted = [...intervals].sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]![0]).toBeGreaterThanOrEqual(sorted[i - 1]![1]);
    expect(await recentJobRuns(db, 100, job.name)).toHaveLength(intervals.length);
  });

  it('a lock is released when its run ends, so the next tick can lead from either instance', async () => {
    const intervals: Array<[number, number]> = [];
    const job = slowJob('race-release', 10, intervals);
    expect((await runJob(job, instance(db))).status).toBe('ran');
    expect((await runJob(job, instance(second))).status).toBe('ran');
    const { rows } = await db.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    expect(rows[0]!.n).toBe(0);
  });
});
