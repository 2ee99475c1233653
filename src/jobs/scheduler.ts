import { Cron } from 'croner';
import type { FastifyBaseLogger } from 'fastify';
import type { JobDefinition } from './job.js';
import { runJob, type JobOutcome, type JobRunner } from './run-job.js';

export interface Scheduler {
  /** Stops the timers, asks running jobs to stop between batches and waits for them. */
  stop(): Promise<void>;
}

/**
 * Fires each job on its cron schedule. Every instance runs the same scheduler; the leader lock
 * inside runJob decides which one does the work. A run still going when its next time comes is
 * not started twice (croner's `protect`).
 */
export function startScheduler(
  jobs: readonly JobDefinition[],
  runner: Omit<JobRunner, 'signal'> & { timezone: string },
): Scheduler {
  const abort = new AbortController();
  const running = new Set<Promise<JobOutcome | undefined>>();
  const log: FastifyBaseLogger = runner.log.child({ component: 'scheduler' });

  const crons = jobs.map(
    (job) =>
      new Cron(job.schedule, { timezone: runner.timezone, protect: true }, async () => {
        if (abort.signal.aborted) return;
        const run = runJob(job, { ...runner, signal: abort.signal }).catch((err: unknown) => {
          // Reaching here means job_runs itself could not be written (database down).
          log.error({ err, job: job.name }, 'maintenance job could not run');
          return undefined;
        });
        running.add(run);
        try {
          await run;
        } finally {
          running.delete(run);
        }
      }),
  );
  log.info({ jobs: jobs.map((j) => `${j.name} (${j.schedule})`) }, 'maintenance scheduler started');

  return {
    async stop() {
      for (const cron of crons) cron.stop();
      abort.abort();
      await Promise.allSettled([...running]);
    },
  };
}
