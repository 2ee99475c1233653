import type { FastifyBaseLogger } from 'fastify';
import type { OperationsSettings } from '../config/operations.js';
import type { Database } from '../store/database.js';
import { JOBS } from './catalogue.js';
import { leaderLockFor } from './leader-lock.js';
import { startScheduler, type Scheduler } from './scheduler.js';

/**
 * The scheduler as main.ts starts it: every catalogued job except those disabled, or nothing at
 * all when CIAM_JOBS_ENABLED=false.
 */
export function startMaintenance(deps: {
  db: Database;
  databaseUrl?: string;
  operations: OperationsSettings;
  log: FastifyBaseLogger;
}): Scheduler | undefined {
  const { jobs: settings } = deps.operations;
  if (!settings.enabled) {
    deps.log.info('maintenance scheduler disabled (CIAM_JOBS_ENABLED=false)');
    return undefined;
  }
  const unknown = settings.disabled.filter((name) => !JOBS.some((job) => job.name === name));
  if (unknown.length) deps.log.warn({ unknown }, 'CIAM_JOBS_DISABLED names jobs that do not exist');
  return startScheduler(
    JOBS.filter((job) => !settings.disabled.includes(job.name)),
    {
      db: deps.db,
      lock: leaderLockFor(deps.db, deps.databaseUrl),
      settings,
      log: deps.log,
      timezone: settings.timezone,
    },
  );
}
