/** Job settings, a silent log and a direct runner of a job body, for the job suites. */
import pino from 'pino';
import { loadOperationsSettings, type OperationsSettings } from '../../src/config/operations.js';
import type { JobContext, JobDefinition } from '../../src/jobs/job.js';
import type { Database } from '../../src/store/database.js';

export const silentLog = pino({ level: 'silent' });

export function jobSettings(env: Record<string, string> = {}): OperationsSettings['jobs'] {
  return loadOperationsSettings(env).jobs;
}

/** Runs a job's body directly and keeps every batch's row count, to see the batch bound at work. */
export async function runBody(job: JobDefinition, db: Database, settings = jobSettings()) {
  const batches: number[] = [];
  const ctx: JobContext = {
    db,
    settings,
    log: silentLog,
    signal: new AbortController().signal,
    changed: (n) => batches.push(n),
  };
  await job.run(ctx);
  return { batches, total: batches.reduce((a, b) => a + b, 0) };
}

