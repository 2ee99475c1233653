import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The log destination in a child process whose stdout is a pipe this test reads, or never reads:
 * the real kernel pipe, the real sonic-boom, no database.
 */
const WRITER = join(process.cwd(), 'test', 'support', 'log-destination-writer.ts');
const LINE_BYTES = 222;

interface Outcome {
  dropped: number;
  reported: number[];
  writeMs: number;
  timerMs: number;
  closeMs: number;
  written: boolean;
  afterClose: boolean;
  droppedAfterClose: number;
}

async function run(env: Record<string, string>, readStdout: boolean) {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  if (readStdout) child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const started = Date.now();
  const code = await new Promise<number | null>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('exit', (c) => {
      clearTimeout(killer);
      resolve(c);
    });
  });
  const exitMs = Date.now() - started;
  const report = stderr.split('\n').find((l) => l.startsWith('{'));
  expect(report, stderr).toBeDefined();
  return { code, exitMs, stdout, outcome: JSON.parse(report!) as Outcome };
}

describe('log destination', () => {
  it('drops and counts what does not fit while nobody reads, never blocks, and closes within its bound', { timeout: 60_000 }, async () => {
    const lines = 5_000;
    const rounds = 6;
    const { code, outcome } = await run({ LINES: String(lines), ROUNDS: String(rounds), BUFFER: '65536', CLOSE_MS: '1500' }, false);
    expect(code).toBe(0);
    // What fits: the 64 KiB buffer once a burst, and whatever the pipe took; all the rest was dropped and counted.
    const fits = Math.ceil((rounds * 65_536 + 1024 * 1024) / LINE_BYTES);
    expect(outcome.dropped).toBeGreaterThan(rounds * lines - fits);
    expect(outcome.dropped).toBeLessThan(rounds * lines);
    // The loop was free: a 100 ms timer fired in well under the seconds a blocked write would take.
    expect(outcome.timerMs).toBeLessThan(2_000);
    // The pipe took the first bytes, so writing "resumed": the drops of the first burst were reported,
    // and no more than once in the 10 s between reports.
    expect(outcome.reported).toHaveLength(1);
    expect(outcome.reported[0]).toBeGreaterThan(lines - fits);
    expect(outcome.reported[0]).toBeLessThan(outcome.dropped);
    // The close gave up at its bound (1.5 s), not later; a line after it is dropped and counted, not thrown.
    expect(outcome.written).toBe(false);
    expect(outcome.closeMs).toBeGreaterThanOrEqual(1_000);
    expect(outcome.closeMs).toBeLessThan(5_000);
    expect(outcome.afterClose).toBe(true);
    expect(outcome.droppedAfterClose).toBe(1);
  });

  it('holds what fits in its buffer while the reader catches up, and writes it all on close', { timeout: 60_000 }, async () => {
    const lines = 10_000;
    const { code, stdout, outcome } = await run({ LINES: String(lines), ROUNDS: '2', BUFFER: String(8 * 1024 * 1024), CLOSE_MS: '20000' }, true);
    expect(code).toBe(0);
    expect(outcome.dropped).toBe(0);
    expect(outcome.reported).toEqual([]);
    expect(outcome.written).toBe(true);
    expect(stdout.split('\n').filter(Boolean).length).toBe(2 * lines);
  });
});
