import { readFileSync, writeFileSync } from 'node:fs';
import type { FillReport } from './fill.js';
import type { JobFigure } from './jobs.js';
import { JOURNEY_STEPS, type JourneyFigure } from './journey-load.js';
import type { QueryFigure } from './queries.js';
import { VOLUME } from './shape.js';

export interface ServiceFigure {
  name: string;
  /** Per round: the figure on the empty database and on the full one (req/s, or journeys/s). */
  empty: number[];
  full: number[];
  unit: string;
}

/** A figure of the round that is not counted. */
export interface WarmUpFigure {
  name: string;
  which: 'empty' | 'full';
  seconds: number;
  rps: number;
  /** Full-page images written to the WAL per request (server-wide, over the measured seconds). */
  fpiPerRequest: number;
}

export interface VolumeResults {
  command: string;
  /** Which PostgreSQL server, and its settings that matter here. */
  server: string;
  machine: string;
  load: { start: string; afterFill: string; end: string };
  fill: FillReport;
  rowCounts: Record<string, number>;
  /** Bytes after the fill: the whole database, and the tokens and sessions with their indexes. */
  sizes: { database: number; tokensAndSessions: number };
  /** After CHECKPOINT, autovacuum settled, the hot set loaded into the cache and a warm-up of each query. */
  queries: QueryFigure[];
  /** The same, before the hot set was loaded. */
  unloadedQueries: QueryFigure[];
  hotSet: { tables: string[]; blocks: number; seconds: number };
  /** The same queries right after the fill (one uncounted call each), before the checkpoint. */
  coldQueries: QueryFigure[];
  checkpointSeconds: number;
  service: ServiceFigure[];
  journeys: { empty: JourneyFigure[]; full: JourneyFigure[] };
  warmUp: WarmUpFigure[];
  /** Per counted round, full-page images per refresh. */
  fpiPerRefresh: { empty: number[]; full: number[] };
  jobs: JobFigure[];
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const n0 = (x: number) => Math.round(x).toLocaleString('en-US');

/** The results as the markdown that goes into docs/performance.md. */
export function renderMarkdown(r: VolumeResults): string {
  const lines: string[] = [];
  lines.push(`Command: \`${r.command}\`. ${r.machine}`, '');
  lines.push(`PostgreSQL: ${r.server}.`, '');
  lines.push(`Machine load (1/5/15-minute load average on 2 cores): at the start ${r.load.start}; after the fill ${r.load.afterFill}; at the end ${r.load.end}.`, '');

  lines.push('### The fill', '');
  lines.push(
    `${f1(r.fill.phases.total / 60)} min in all: rows ${f1(r.fill.phases.rows)} s, indexes ${f1(r.fill.phases.indexes)} s, ` +
      `VACUUM ANALYZE ${f1(r.fill.phases.vacuum)} s (two connections; seconds per table below are statement time, chunks summed).`,
    '',
    '| table | rows inserted | seconds |',
    '|---|---:|---:|',
  );
  for (const t of r.fill.tables) lines.push(`| ${t.table} | ${n0(t.rows)} | ${f1(t.seconds)} |`);
  const slowest = [...r.fill.indexes].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
  lines.push('', `Slowest index builds: ${slowest.map((i) => `${i.name} ${f1(i.seconds)} s`).join(', ')}.`, '');
  lines.push(`Rows after the fill: ${Object.entries(r.rowCounts).map(([t, n]) => `${t} ${n0(n)}`).join(', ')}.`, '');
  const gb = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GB`;
  lines.push(`Size after the fill: the database ${gb(r.sizes.database)}, of which the tokens and sessions with their indexes ${gb(r.sizes.tokensAndSessions)}.`, '');

  lines.push('### The seed\'s query table', '');
  const warmUps = r.queries.map((q) => q.warmUpCalls);
  const [fewest, most] = [Math.min(...warmUps), Math.max(...warmUps)];
  lines.push(
    `Measured three times. First right after the fill (the count(*) of every table, no checkpoint, one uncounted call of each query); ` +
      `then after a CHECKPOINT (${f1(r.checkpointSeconds)} s) and autovacuum settled, on a new connection, each query warmed on ` +
      `${fewest === most ? n0(most) : `${n0(fewest)}–${n0(most)}`} keys not counted; then the same again after the gateway's hot set ` +
      `(${r.hotSet.tables.join(' and ')} with their indexes, ${n0((r.hotSet.blocks * 8) / 1024)} MB) was loaded into the cache with pg_prewarm ` +
      `(${f1(r.hotSet.seconds)} s), as a primary that serves them holds it. The seed's targets are judged on the third. ` +
      `The two settled measurements time each query in ${r.queries[0]?.passP99s.length ?? 1} passes of 1,000 keys, taking turns across the queries; ` +
      `each figure is the pass with the median p99 (every pass's p99 is in its own column). ` +
      `Just before each timed call, \`SELECT 1\` is timed on the same connection, as many times in a row as the query has statements ` +
      `(round trips): the floor its time stands on, at that moment of the machine.`,
    '',
    '| query | keys | p50 ms | p99 ms | p99 of each pass, ms | seed\'s target | round trips | SELECT 1 × round trips, beside it: p50 / p99 ms | right after the fill: p50 / p99 ms (SELECT 1 × round trips: p99) | one key, EXPLAIN ANALYZE: planning / execution ms | plan |',
    '|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|',
  );
  for (const q of r.queries) {
    const met = q.p50 < q.targetMs ? (q.p99 < q.targetMs ? 'met (p50 and p99)' : 'p50 met, p99 not') : 'missed';
    const cold = r.coldQueries.find((c) => c.name === q.name);
    lines.push(
      `| ${q.name} | ${n0(q.keys)} | ${f2(q.p50)} | ${f2(q.p99)} | ${q.passP99s.map(f2).join(' / ')} | ${q.target}: ${met} | ${q.roundTrips} | ${f2(q.floorP50)} / ${f2(q.floorP99)} | ` +
        `${cold ? `${f2(cold.p50)} / ${f2(cold.p99)} (${f2(cold.floorP99)})` : '–'} | ${f2(q.planningMs)} / ${f2(q.executionMs)} | ${q.plan} |`,
    );
  }

  lines.push(
    '',
    'Before the hot set was loaded (p50 / p99 ms, `SELECT 1` × round trips beside it: p99): ' +
      r.unloadedQueries.map((q) => `${q.name} ${f2(q.p50)} / ${f2(q.p99)} (${f2(q.floorP99)})`).join('; ') +
      '.',
  );

  lines.push('', '### The service at volume, as ratios to an empty database', '');
  lines.push('| figure | empty (median) | full (median) | full ÷ empty (median of rounds) | goal ≥ 0.9 |', '|---|---:|---:|---:|---|');
  for (const s of r.service) {
    const ratio = median(s.full.map((x, i) => x / s.empty[i]!));
    lines.push(`| ${s.name} | ${f1(median(s.empty))} ${s.unit} | ${f1(median(s.full))} ${s.unit} | ${f2(ratio)} | ${ratio >= 0.9 ? 'met' : 'missed'} |`);
  }
  for (const step of JOURNEY_STEPS) {
    const e = r.journeys.empty.map((j) => j.steps[step].p50);
    const f = r.journeys.full.map((j) => j.steps[step].p50);
    const ratio = median(e.map((x, i) => x / f[i]!));
    lines.push(`| journey step ${step}: p50 latency (ratio = empty ÷ full) | ${f1(median(e))} ms | ${f1(median(f))} ms | ${f2(ratio)} | ${ratio >= 0.9 ? 'met' : 'missed'} |`);
  }
  lines.push('', 'Per round: ' + r.service.map((s) => `${s.name} ${s.empty.map(n0).join('/')} → ${s.full.map(n0).join('/')}`).join('; ') + '.');
  const fpi = (xs: number[]) => xs.map(f1).join('/');
  lines.push(
    '',
    `Full-page images written per refresh, per round: empty ${fpi(r.fpiPerRefresh.empty)}, full ${fpi(r.fpiPerRefresh.full)}.`,
    '',
    'The round before them, not counted (right after the CHECKPOINT): ' +
      r.warmUp.map((w) => `${w.which} ${w.name} ${n0(w.rps)} req/s over ${w.seconds} s (${f1(w.fpiPerRequest)} full-page images per request)`).join('; ') +
      '.',
  );

  lines.push('', '### Maintenance jobs at volume', '');
  lines.push(
    'WAL, pages written by backends and checkpoints are server-wide, from the job\'s start to a second after its end. A backend that has to write a ' +
      'dirty page out before it can read another into the cache is what a cache too small for the working set looks like.',
    '',
    `A job that runs for fewer than 1,000 verify requests is judged over the first 1,000 sent from its start, past its end: ` +
      `then the p99 is the tenth-slowest request, as in the query table, rather than one of the two slowest of a 50 ms window.`,
    '',
    '| job | rows changed | seconds | rows/s | WAL MB | pages written by backends | checkpoints | verify p99 before | verify p99 while it runs (requests) | verify p99 judged (requests) | goal ≤ 2× |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const j of r.jobs) {
    const ok = j.verifyP99Judged <= 2 * j.verifyP99Before ? 'met' : 'missed';
    lines.push(
      `| ${j.job}${j.error ? ` (error: ${j.error})` : ''} | ${n0(j.rowsChanged)} | ${f2(j.seconds)} | ${n0(j.rowsPerSecond)} | ${n0(j.walBytes / 2 ** 20)} | ` +
        `${n0(j.backendWrites)} | ${j.checkpoints} | ${f1(j.verifyP99Before)} ms | ${f1(j.verifyP99During)} ms (${n0(j.verifyRequestsDuring)}) | ` +
        `${f1(j.verifyP99Judged)} ms (${n0(j.verifyRequestsJudged)}) | ${ok} |`,
    );
  }
  return lines.join('\n');
}

export function renderPlans(r: VolumeResults): string {
  return r.queries.map((q) => `-- ${q.name}\n${q.explain}`).join('\n\n');
}

const BEGIN = '<!-- bench:volume results begin -->';
const END = '<!-- bench:volume results end -->';

/** Replaces the generated part of the volume section of docs/performance.md (between its markers). */
export function writeIntoDocs(path: string, markdown: string): boolean {
  const doc = readFileSync(path, 'utf8');
  const from = doc.indexOf(BEGIN);
  const to = doc.indexOf(END);
  if (from < 0 || to < from) return false;
  writeFileSync(path, `${doc.slice(0, from + BEGIN.length)}\n${markdown}\n${doc.slice(to)}`);
  return true;
}

export const SCALE_NOTE = VOLUME.scale === 1 ? '' : ` (BENCH_VOLUME_SCALE=${VOLUME.scale}: every volume × ${VOLUME.scale})`;
