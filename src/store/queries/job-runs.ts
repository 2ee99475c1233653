import type { Queryable } from '../database.js';

/** One maintenance job run as recorded by the leader that ran it. */
export interface JobRun {
  run_id: string;
  job_name: string;
  started_at: Date;
  duration_ms: number | null;
  rows_changed: number | null;
  error: string | null;
}

export async function insertJobRun(
  db: Queryable,
  run: { jobName: string; startedAt: Date; durationMs: number; rowsChanged: number; error: string | null },
): Promise<string> {
  const { rows } = await db.query<{ run_id: string }>(
    `INSERT INTO job_runs (job_name, started_at, duration_ms, rows_changed, error)
     VALUES ($1, $2, $3, $4, $5) RETURNING run_id`,
    [run.jobName, run.startedAt, run.durationMs, run.rowsChanged, run.error],
  );
  return rows[0]!.run_id;
}

/** The latest runs, newest first, optionally of one job (served by idx_job_runs_name_started). */
export async function recentJobRuns(db: Queryable, limit: number, jobName?: string): Promise<JobRun[]> {
  const { rows } = await db.query<JobRun>(
    `SELECT run_id, job_name, started_at, duration_ms, rows_changed, error FROM job_runs
     WHERE ($2::varchar IS NULL OR job_name = $2)
     ORDER BY started_at DESC, run_id DESC
     LIMIT $1`,
    [limit, jobName ?? null],
  );
  return rows;
}

/**
 * When each named job last finished without error (for the "job stopped running" alert). One
 * index probe per job on (job_name, started_at DESC) rather than a scan of the whole table.
 */
export async function lastSuccessfulRuns(
  db: Queryable,
  jobNames: string[],
): Promise<Array<{ job_name: string; finished_at: Date | null }>> {
  const { rows } = await db.query<{ job_name: string; finished_at: Date | null }>(
    `SELECT j.name AS job_name,
            (SELECT r.started_at + make_interval(secs => coalesce(r.duration_ms, 0) / 1000.0)
             FROM job_runs r WHERE r.job_name = j.name AND r.error IS NULL
             ORDER BY r.started_at DESC LIMIT 1) AS finished_at
     FROM unnest($1::varchar[]) AS j(name)`,
    [jobNames],
  );
  return rows;
}

/** Deletes up to `limit` runs older than the retention; returns how many. */
export async function deleteOldJobRuns(db: Queryable, retentionDays: number, limit: number): Promise<number> {
  const { rowCount } = await db.query(
    `DELETE FROM job_runs WHERE run_id IN (
       SELECT run_id FROM job_runs WHERE started_at < now() - make_interval(days => $1) LIMIT $2)`,
    [retentionDays, limit],
  );
  return rowCount ?? 0;
}
