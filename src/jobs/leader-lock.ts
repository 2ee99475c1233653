import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Database } from '../store/database.js';
import { releaseAdvisoryLock, tryAdvisoryLock } from '../store/queries/job-locks.js';

export type Exclusive<T> = { acquired: true; value: T } | { acquired: false };

/**
 * Makes sure exactly one instance of the fleet runs a given job at a time. A caller that does
 * not get the lock is told so at once and does not wait: the holder is doing the work.
 */
export interface LeaderLock {
  runExclusive<T>(job: string, work: () => Promise<T>): Promise<Exclusive<T>>;
}

// First half of the two-part advisory-lock key: marks the lock as a job lock (the migration lock
// uses the one-part bigint form, a separate key space).
const JOB_LOCK_NAMESPACE = 7_342_002;

/** Second half of the key: a stable 32-bit number for the job name. */
export function jobLockKey(job: string): number {
  return createHash('sha256').update(job).digest().readInt32BE(0);
}

/**
 * PostgreSQL: a session-level `pg_try_advisory_lock` held on a connection of its own for the whole
 * run, while the job's batches commit one by one through the pool. A transaction-level lock would
 * keep one transaction open for the whole run (holding back vacuum); a pooled connection could
 * not be trusted to be the one that unlocks. If the lock's connection dies the server releases
 * the lock; the jobs are idempotent and skip locked rows, so a rare overlap does no harm.
 */
export class PostgresLeaderLock implements LeaderLock {
  constructor(private readonly connectionString: string) {}

  async runExclusive<T>(job: string, work: () => Promise<T>): Promise<Exclusive<T>> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: `ciam-job:${job}`.slice(0, 63),
      connectionTimeoutMillis: 5_000,
    });
    client.on('error', () => {}); // a dropped lock connection must not crash the process
    await client.connect();
    try {
      const key = jobLockKey(job);
      if (!(await tryAdvisoryLock(client, JOB_LOCK_NAMESPACE, key))) return { acquired: false };
      try {
        return { acquired: true, value: await work() };
      } finally {
        await releaseAdvisoryLock(client, JOB_LOCK_NAMESPACE, key).catch(() => {});
      }
    } finally {
      await client.end().catch(() => {});
    }
  }
}

/**
 * The embedded engine: its data directory is locked to one process, so this process is the whole
 * fleet and leads every job; the lock only keeps two runs of one job from overlapping in it.
 */
export class ProcessLeaderLock implements LeaderLock {
  private readonly running = new Set<string>();

  async runExclusive<T>(job: string, work: () => Promise<T>): Promise<Exclusive<T>> {
    if (this.running.has(job)) return { acquired: false };
    this.running.add(job);
    try {
      return { acquired: true, value: await work() };
    } finally {
      this.running.delete(job);
    }
  }
}

/** The lock that fits the engine; PostgreSQL needs the connection string for the lock's own connection. */
export function leaderLockFor(db: Database, databaseUrl: string | undefined): LeaderLock {
  if (db.engine === 'pglite') return new ProcessLeaderLock();
  if (!databaseUrl) throw new Error('The job leader lock on PostgreSQL needs DATABASE_URL.');
  return new PostgresLeaderLock(databaseUrl);
}
