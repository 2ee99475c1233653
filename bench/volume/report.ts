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

export interface VolumeResults {
  command: string;
  machine: string;
  load: { start: string; afterFill: string; end: string };
  fill: FillReport;
  rowCounts: Record<string, number>;
  queries: QueryFigure[];
  service: ServiceFigure[];
  journeys: { empty: JourneyFigure[]; full: JourneyFigure[] };
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

  lines.push('### The seed\'s query table', '');
  lines.push(
    '| query | keys | p50 ms | p99 ms | seed\'s target | one key, EXPLAIN ANALYZE: planning / execution ms | plan |',
    '|---|---:|---:|---:|---|---:|---|',
  );
  for (const q of r.queries) {
    const met = q.p50 < q.targetMs ? (q.p99 < q.targetMs ? 'met (p50 and p99)' : 'p50 met, p99 not') : 'missed';
    lines.push(`| ${q.name} | ${n0(q.keys)} | ${f2(q.p50)} | ${f2(q.p99)} | ${q.target}: ${met} | ${f2(q.planningMs)} / ${f2(q.executionMs)} | ${q.plan} |`);
  }

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

  lines.push('', '### Maintenance jobs at volume', '');
  lines.push('| job | rows changed | seconds | rows/s | verify p99 before | verify p99 while it runs (requests) | goal ≤ 2× |', '|---|---:|---:|---:|---:|---:|---|');
  for (const j of r.jobs) {
    const ok = j.verifyRequestsDuring === 0 ? 'too short to sample' : j.verifyP99During <= 2 * j.verifyP99Before ? 'met' : 'missed';
    lines.push(
      `| ${j.job}${j.error ? ` (error: ${j.error})` : ''} | ${n0(j.rowsChanged)} | ${f2(j.seconds)} | ${n0(j.rowsPerSecond)} | ${f1(j.verifyP99Before)} ms | ` +
        `${f1(j.verifyP99During)} ms (${n0(j.verifyRequestsDuring)}) | ${ok} |`,
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
