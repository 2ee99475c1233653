import { deleteOldJobRuns } from '../store/queries/job-runs.js';
import {
  deleteEndedSessions,
  deleteOldDrsEvaluations,
  deleteOldJourneys,
  dropOldAuditPartitions,
  ensureAuditPartitions,
  expireJourneys,
  expirePendingSteps,
  expireSessions,
  expireTokens,
} from '../store/queries/maintenance.js';
import { callOnce, repeatInBatches } from './batches.js';
import type { JobDefinition } from './job.js';

/**
 * The maintenance jobs and their schedules (the seed's plan). Each is safe to run at any time and
 * any number of times: it only touches rows already past their expiry or retention.
 */
export const JOBS: readonly JobDefinition[] = [
  {
    name: 'expire-steps',
    schedule: '*/5 * * * *',
    description: 'Marks PENDING journey steps past their expiry EXPIRED (MFA steps get verification_result TIMEOUT).',
    async run(ctx) {
      await repeatInBatches(ctx, expirePendingSteps);
    },
  },
  {
    name: 'expire-journeys',
    schedule: '*/15 * * * *',
    description: 'Gives open journeys past their expiry the outcome EXPIRED.',
    async run(ctx) {
      await repeatInBatches(ctx, expireJourneys);
    },
  },
  {
    name: 'expire-sessions',
    schedule: '0 * * * *',
    description: 'Expires sessions past their expiry with their tokens, then tokens past their own expiry.',
    async run(ctx) {
      await repeatInBatches(ctx, expireSessions);
      await repeatInBatches(ctx, expireTokens);
    },
  },
  {
    name: 'retention',
    schedule: '30 2 * * *',
    description:
      'Deletes ended sessions (with their tokens), then finished journeys (with their steps and DRS rows), then DRS ' +
      'evaluations past retention, and old job_runs rows.',
    async run(ctx) {
      const s = ctx.settings;
      // Sessions first: a journey is kept while a session still points at it.
      await repeatInBatches(ctx, deleteEndedSessions(s.endedSessionRetentionDays));
      await repeatInBatches(ctx, deleteOldJourneys(s.journeyRetentionDays));
      await repeatInBatches(ctx, deleteOldDrsEvaluations(s.drsRetentionDays));
      for (let n = s.batchSize; n === s.batchSize && !ctx.signal.aborted; ) {
        n = await deleteOldJobRuns(ctx.db, s.jobRunRetentionDays, s.batchSize);
        ctx.changed(n);
      }
    },
  },
  {
    name: 'partitions',
    schedule: '0 3 1 * *',
    description: 'Creates the audit_logs partitions of the current month and the configured months ahead (at least 2).',
    async run(ctx) {
      await callOnce(ctx, (tx) => ensureAuditPartitions(tx, ctx.settings.auditPartitionsAhead));
    },
  },
  {
    name: 'drop-old-partitions',
    schedule: '0 4 1 1,4,7,10 *',
    description: 'Drops audit_logs partitions whose month ended longer ago than CIAM_AUDIT_RETENTION_MONTHS.',
    async run(ctx) {
      await callOnce(ctx, (tx) => dropOldAuditPartitions(tx, ctx.settings.auditRetentionMonths));
    },
  },
];

export function findJob(name: string): JobDefinition | undefined {
  return JOBS.find((job) => job.name === name);
}
