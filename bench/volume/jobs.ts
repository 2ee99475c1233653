import { execFile } from 'node:child_process';
import { request, Agent } from 'node:http';
import { promisify } from 'node:util';
import pg from 'pg';
import { JOBS } from '../../src/jobs/catalogue.js';
import { settle } from '../bench-database.js';

export interface JobFigure {
  job: string;
  rowsChanged: number;
  seconds: number;
  rowsPerSecond: number;
  /** Gateway verify p99 in the seconds before the job, and over the requests sent while it ran. */
  verifyP99Before: number;
  verifyP99During: number;
  verifyRequestsDuring: number;
  /**
   * The p99 the goal is judged on: over the requests sent while the job ran, or, when it ran for
   * fewer than 1,000, over the first 1,000 sent from its start (its aftermath included).
   */
  verifyP99Judged: number;
  verifyRequestsJudged: number;
  /** Server-wide, from the job's start to a second after its end: WAL written, pages written out by backends (not the background writer or checkpointer), checkpoints begun. */
  walBytes: number;
  backendWrites: number;
  checkpoints: number;
  error: string | null;
}

interface ServerCounters {
  lsn: string;
  backendWrites: number;
  checkpoints: number;
}

async function counters(db: pg.Client): Promise<ServerCounters> {
  const { rows } = await db.query<{ lsn: string; backend_writes: string; checkpoints: string }>(
    `SELECT pg_current_wal_lsn()::text AS lsn, buffers_backend AS backend_writes, checkpoints_timed + checkpoints_req AS checkpoints FROM pg_stat_bgwriter`,
  );
  return { lsn: rows[0]!.lsn, backendWrites: Number(rows[0]!.backend_writes), checkpoints: Number(rows[0]!.checkpoints) };
}

export interface Sample {
  at: number;
  ms: number;
}

/** A closed loop of verify calls with a timestamp per request, so that latencies can be cut by time window. */
function verifyLoop(port: number, headers: Record<string, string>, body: () => string, concurrency: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const samples: Sample[] = [];
  let stopped = false;
  const one = () =>
    new Promise<void>((resolve) => {
      const payload = body();
      const at = Date.now();
      const t = performance.now();
      const req = request(
        { port, host: '127.0.0.1', path: '/auth/token/verify', method: 'POST', agent, headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            samples.push({ at, ms: performance.now() - t });
            resolve();
          });
        },
      );
      req.on('error', () => resolve());
      req.end(payload);
    });
  const loops = Array.from({ length: concurrency }, async () => {
    while (!stopped) await one();
  });
  return {
    samples,
    async stop() {
      stopped = true;
      await Promise.all(loops);
      agent.destroy();
    },
  };
}

const p99 = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(0.99 * s.length))]! : NaN;
};
/**
 * Fewest requests a p99 is judged over: then it is their tenth-slowest, as in the query table. Of a
 * job that lasts 50 ms the requests sent while it ran are about 150, whose p99 is their second-slowest:
 * one request the host delayed decides it. The window is stretched past the job's end instead, so a
 * short job's burst is still in it, and counts if it delays more than one request in a hundred.
 */
const JUDGED_REQUESTS = 1_000;

/** Latencies of the requests sent while the job ran, and of those its goal is judged over. */
export function jobWindow(samples: Sample[], start: number, end: number): { during: number[]; judged: number[] } {
  const during = samples.filter((s) => s.at >= start && s.at <= end).map((s) => s.ms);
  if (during.length >= JUDGED_REQUESTS) return { during, judged: during };
  const judged = samples
    .filter((s) => s.at >= start)
    .sort((a, b) => a.at - b.at)
    .slice(0, JUDGED_REQUESTS)
    .map((s) => s.ms);
  return { during, judged };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Every catalogued maintenance job, once each through the job CLI (`node dist/cli/job.js`, the
 * leader lock and batches of the scheduler), while a steady verify load runs against the service.
 * The job's own record in job_runs gives its rows and the window its verify latencies are cut by.
 */
export async function measureJobs(opts: {
  dbUrl: string;
  servicePort: number;
  headers: Record<string, string>;
  verifyBody: () => string;
  env: NodeJS.ProcessEnv;
  concurrency: number;
  log: (line: string) => void;
}): Promise<JobFigure[]> {
  const figures: JobFigure[] = [];
  const db = new pg.Client({ connectionString: opts.dbUrl });
  await db.connect();
  try {
    for (const job of JOBS) {
      if (job.name === 'partitions') {
        // The partitions exist already (the migration made them); the farthest one, still empty, is made again.
        await db.query(`DO $$ DECLARE t text; BEGIN
          SELECT max(c.relname) INTO t FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'audit_logs'::regclass AND c.relname ~ '^audit_logs_[0-9]{4}_[0-9]{2}$';
          EXECUTE format('DROP TABLE %I', t); END $$`);
      }
      // Autovacuum after the previous job's changes would otherwise run during this one.
      await settle(opts.dbUrl);
      const load = verifyLoop(opts.servicePort, opts.headers, opts.verifyBody, opts.concurrency);
      await sleep(5_000);
      const before0 = await counters(db);
      // A job that fails exits 1 and still prints its outcome line.
      const out = await promisify(execFile)(process.execPath, ['dist/cli/job.js', job.name], { env: { ...process.env, ...opts.env } }).then(
        (r) => r.stdout,
        (err: { stdout?: string }) => err.stdout ?? '',
      );
      await sleep(1_000);
      // A second after the end: backends report their counters to the statistics at most once a second.
      const after0 = await counters(db);
      const { rows: wal } = await db.query<{ bytes: string }>(`SELECT pg_wal_lsn_diff($1, $2) AS bytes`, [after0.lsn, before0.lsn]);
      await load.stop();
      const outcome = JSON.parse(out.trim().split('\n').pop()!) as { status: string; runId?: string; rowsChanged?: number; durationMs?: number; error?: string | null };
      if (outcome.status !== 'ran' || !outcome.runId) throw new Error(`job ${job.name} did not run: ${out}`);
      const { rows } = await db.query<{ started: string }>(`SELECT (extract(epoch FROM started_at) * 1000)::float8 AS started FROM job_runs WHERE run_id = $1`, [
        outcome.runId,
      ]);
      const start = Number(rows[0]!.started);
      const end = start + outcome.durationMs!;
      const before = load.samples.filter((s) => s.at < start - 500).map((s) => s.ms);
      const { during, judged } = jobWindow(load.samples, start, end);
      const seconds = outcome.durationMs! / 1000;
      const figure: JobFigure = {
        job: job.name,
        rowsChanged: outcome.rowsChanged ?? 0,
        seconds,
        rowsPerSecond: seconds > 0 ? (outcome.rowsChanged ?? 0) / seconds : 0,
        verifyP99Before: p99(before),
        verifyP99During: p99(during),
        verifyRequestsDuring: during.length,
        verifyP99Judged: p99(judged),
        verifyRequestsJudged: judged.length,
        walBytes: Number(wal[0]!.bytes),
        backendWrites: after0.backendWrites - before0.backendWrites,
        checkpoints: after0.checkpoints - before0.checkpoints,
        error: outcome.error ?? null,
      };
      opts.log(
        `job ${job.name}: ${figure.rowsChanged} rows in ${seconds.toFixed(2)} s; verify p99 ${figure.verifyP99Before.toFixed(1)} → ${figure.verifyP99During.toFixed(1)} ms` +
          (judged.length > during.length ? ` (${during.length} requests; ${figure.verifyP99Judged.toFixed(1)} ms over the first ${judged.length} from its start)` : '') +
          '; ' +
          `WAL ${(figure.walBytes / 2 ** 20).toFixed(0)} MB, backend writes ${figure.backendWrites}, checkpoints ${figure.checkpoints}`,
      );
      figures.push(figure);
    }
  } finally {
    await db.end();
  }
  return figures;
}
