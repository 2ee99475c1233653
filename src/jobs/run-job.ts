import type { FastifyBaseLogger } from 'fastify';
import type { OperationsSettings } from '../config/operations.js';
import { ciamMetrics } from '../observability/metrics.js';
import type { Database } from '../store/database.js';
import { insertJobRun } from '../store/queries/job-runs.js';
import type { JobDefinition } from './job.js';
import type { LeaderLock } from './leader-lock.js';

export interface JobRunner {
  db: Database;
  lock: LeaderLock;
  settings: OperationsSettings['jobs'];
  log: FastifyBaseLogger;
  signal?: AbortSignal;
}

export type JobOutcome =
  | { status: 'skipped' }
  | { status: 'ran'; runId: string; rowsChanged: number; durationMs: number; error: string | null };

/**
 * Runs one job once if this instance wins its lock, and records the run in job_runs while still
 * holding the lock. A failing job is recorded with its error (and the rows its committed batches
 * changed) rather than thrown: the schedule goes on.
 */
export async function runJob(job: JobDefinition, runner: JobRunner): Promise<JobOutcome> {
  const log = runner.log.child({ job: job.name });
  const outcome = await runner.lock.runExclusive(job.name, async () => {
    const startedAt = new Date();
    const t0 = performance.now();
    let rowsChanged = 0;
    let error: string | null = null;
    try {
      await job.run({
        db: runner.db,
        settings: runner.settings,
        log,
        signal: runner.signal ?? new AbortController().signal,
        changed: (rows) => {
          rowsChanged += rows;
        },
      });
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
      log.error({ err }, 'maintenance job failed');
    }
    const durationMs = Math.round(performance.now() - t0);
    const runId = await insertJobRun(runner.db, { jobName: job.name, startedAt, durationMs, rowsChanged, error });
    ciamMetrics.jobRuns.inc({ job: job.name, result: error ? 'error' : 'ok' });
    ciamMetrics.jobRowsChanged.inc({ job: job.name }, rowsChanged);
    ciamMetrics.jobDuration.observe({ job: job.name }, durationMs / 1000);
    log.info({ rows_changed: rowsChanged, duration_ms: durationMs, ok: !error }, 'maintenance job ran');
    return { status: 'ran' as const, runId, rowsChanged, durationMs, error };
  });
  if (!outcome.acquired) {
    log.debug('maintenance job skipped: another instance holds its lock');
    return { status: 'skipped' };
  }
  return outcome.value;
}
