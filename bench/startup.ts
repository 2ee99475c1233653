/**
 * `npm run bench:startup`: how long the embedded service (PGlite) takes to start — first on an empty
 * data directory, then again on the same directory — from spawning `node dist/main.js` to the first
 * 200 from /health/ready, over several runs (median). See docs/performance.md.
 *
 *   BENCH_RUNS           runs, each a first start and a restart on a fresh directory (default 5)
 *   BENCH_SKIP_BUILD=1   use the existing dist/ instead of running `npm run build`
 */
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../test/support/free-port.js';
import { cpuMs, median, rssMiB, uptime } from './proc.js';

const runs = Number(process.env.BENCH_RUNS ?? 5);
const FIRST_START_TARGET_MS = 10_000;
const RESTART_TARGET_MS = 2_000;

interface Start {
  ms: number;
  /** Resident memory of the service right after it answered ready. */
  rssMiB: number;
  /**
   * CPU time the service had used by then (all its threads): on a shared machine the wall time
   * follows the other load, this much less.
   */
  cpuMs: number;
}

/** Spawns the service on `dataDir` and times it to the first ready answer; then stops it. */
async function timeStart(dataDir: string): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, NODE_ENV: 'development', HOST: '127.0.0.1', PORT: String(port), CIAM_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) break;
      if (performance.now() - t0 > 120_000) throw new Error('the service did not become ready within 120 s');
      // Polled often, so the figure is the start-up and not the polling interval.
      await new Promise((r) => setTimeout(r, 20));
    }
    return { ms: performance.now() - t0, rssMiB: rssMiB(child.pid!), cpuMs: cpuMs(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

async function main() {
  if (!process.env.BENCH_SKIP_BUILD) execSync('npm run build', { stdio: 'inherit' });
  const before = uptime();
  const first: Start[] = [];
  const again: Start[] = [];
  for (let run = 1; run <= runs; run++) {
    const dataDir = mkdtempSync(join(tmpdir(), 'ciam-bench-start-'));
    try {
      first.push(await timeStart(dataDir));
      again.push(await timeStart(dataDir));
      console.error(`run ${run}: first start ${first.at(-1)!.ms.toFixed(0)} ms, restart ${again.at(-1)!.ms.toFixed(0)} ms (${uptime()})`);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const after = uptime();
  const row = (name: string, starts: Start[], target: number) => {
    const ms = median(starts.map((s) => s.ms));
    return (
      `| ${name} | ${(ms / 1000).toFixed(2)} | ${starts.map((s) => (s.ms / 1000).toFixed(2)).join(' / ')} | ` +
      `${(median(starts.map((s) => s.cpuMs)) / 1000).toFixed(2)} | ${median(starts.map((s) => s.rssMiB)).toFixed(0)} | ` +
      `≤ ${target / 1000} s: ${ms <= target ? 'met' : 'missed'} |`
    );
  };
  console.log(
    [
      `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ${runs} runs, each on a fresh data directory`,
      `uptime before: ${before}`,
      `uptime after:  ${after}`,
      '',
      '| embedded start (spawn → /health/ready 200) | median s | each run, s | CPU s (median) | RSS at ready, MiB (median) | target |',
      '|---|---:|---|---:|---:|---|',
      row('first start (empty data directory)', first, FIRST_START_TARGET_MS),
      row('restart (same data directory)', again, RESTART_TARGET_MS),
    ].join('\n'),
  );
}

await main();
