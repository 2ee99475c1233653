import type { FastifyBaseLogger } from 'fastify';
import type { OperationsSettings } from '../config/operations.js';
import type { Database } from '../store/database.js';

/** What a maintenance job gets to do its work. */
export interface JobContext {
  db: Database;
  settings: OperationsSettings['jobs'];
  log: FastifyBaseLogger;
  /** Aborted when the service shuts down; jobs stop between batches. */
  signal: AbortSignal;
  /** Reports rows changed as batches commit, so a run that fails half-way still records its progress. */
  changed(rows: number): void;
}

export interface JobDefinition {
  /** Stable name: the CLI argument, the job_runs.job_name and the advisory-lock key. */
  name: string;
  /** Cron pattern (croner syntax), read in CIAM_JOB_TIMEZONE. */
  schedule: string;
  description: string;
  run(ctx: JobContext): Promise<void>;
}
