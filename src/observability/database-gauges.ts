import client from 'prom-client';
import type { Database } from '../store/database.js';
import { lastSuccessfulRuns } from '../store/queries/job-runs.js';
import { operationalCounts, type OperationalCounts } from '../store/queries/operational-gauges.js';

interface Snapshot {
  counts: OperationalCounts;
  lastRuns: Array<{ job_name: string; finished_at: Date | null }>;
}

/**
 * Gauges read from the database when Prometheus scrapes. One snapshot serves all of them and is
 * reused for `ttlMs`, so a fleet of instances scraped every few seconds costs the database a
 * handful of index scans, not one per gauge per scrape.
 */
export function registerDatabaseGauges(registry: client.Registry, db: Database, opts: { ttlMs: number; jobNames: string[] }) {
  let cached: { at: number; snapshot: Promise<Snapshot | undefined> } | undefined;
  const load = async (): Promise<Snapshot | undefined> => {
    try {
      const loaded = { counts: await operationalCounts(db), lastRuns: await lastSuccessfulRuns(db, opts.jobNames) };
      up.set(1);
      return loaded;
    } catch {
      up.set(0);
      cached = undefined; // try again at the next scrape
      return undefined;
    }
  };
  const snapshot = () => {
    if (!cached || Date.now() - cached.at >= opts.ttlMs) cached = { at: Date.now(), snapshot: load() };
    return cached.snapshot;
  };

  const up = new client.Gauge({
    name: 'ciam_database_up',
    help: '1 when the last database read for the gauges succeeded, 0 when it failed.',
    registers: [registry],
  });

  const fromCounts = (name: string, help: string, field: keyof OperationalCounts) =>
    new client.Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        if (s) this.set(s.counts[field]);
      },
    });
  fromCounts('ciam_open_steps', 'Journey steps in PENDING status.', 'open_steps');
  fromCounts('ciam_expired_open_steps', 'PENDING steps already past expiry (expire-steps has not caught up).', 'expired_open_steps');
  fromCounts('ciam_open_journeys', 'Journeys without an outcome yet.', 'open_journeys');
  fromCounts('ciam_expired_open_journeys', 'Journeys past expiry without an outcome (expire-journeys has not caught up).', 'expired_open_journeys');
  fromCounts('ciam_active_sessions', 'Sessions ACTIVE and not past expiry.', 'active_sessions');
  fromCounts('ciam_high_risk_logins_last_hour', 'DRS evaluations with risk score ≥ 70 in the last hour.', 'high_risk_logins_last_hour');

  new client.Gauge({
    name: 'ciam_job_last_success_timestamp_seconds',
    help: 'When each maintenance job last finished without error, on any instance (from job_runs); 0 if never.',
    labelNames: ['job'] as const,
    registers: [registry],
    async collect() {
      const s = await snapshot();
      for (const run of s?.lastRuns ?? []) {
        this.set({ job: run.job_name }, run.finished_at ? run.finished_at.getTime() / 1000 : 0);
      }
    },
  });

  new client.Gauge({
    name: 'ciam_db_pool_connections',
    help: 'Database pool connections of this instance by state (total, idle, waiting = callers queued for one).',
    labelNames: ['state'] as const,
    registers: [registry],
    collect() {
      const stats = db.poolStats();
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting' }, stats.waiting);
    },
  });
}
