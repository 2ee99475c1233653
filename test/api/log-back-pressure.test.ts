import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openPglite } from '../../src/store/engines/pglite.js';
import {
  BUILT_MAIN,
  call,
  metricValue,
  residentKiB,
  sleep,
  startBuiltService,
  type BuiltService,
} from '../support/built-service.js';
import { openTestDatabase, testEngine, type TestDatabase } from '../support/test-database.js';

/**
 * The built service whose log consumer stalls: stdout and stderr are pipes this test does not
 * read (or reads slowly). Requests must still be answered promptly, memory must stay bounded,
 * lines beyond the log buffer are dropped and counted, and every way of stopping — SIGTERM, a
 * second SIGTERM, the shutdown deadline — ends the process in time.
 */
const DROPPED = 'ciam_log_lines_dropped_total';
const LOGIN = { username: 'simpleuser', password: 'SecurePass123!', transmit_aid: 'aid' };
const MASTER_KEY = randomBytes(32).toString('base64');
const SMALL_BUFFER = { CIAM_LOG_BUFFER_BYTES: '65536' };

interface Load {
  answered: number;
  wrong: string[];
  slowestMs: number;
}

/** `total` requests, `concurrency` at a time on keep-alive connections: /health, and every 25th a login. */
async function drive(port: number, total: number, concurrency = 16): Promise<Load> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const load: Load = { answered: 0, wrong: [], slowestMs: 0 };
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const i = next++;
      const login = i % 25 === 0;
      try {
        const answer = login
          ? await call(port, 'POST', '/auth/login', { body: LOGIN, agent })
          : await call(port, 'GET', '/health', { agent });
        load.answered += 1;
        load.slowestMs = Math.max(load.slowestMs, answer.ms);
        const expected = login ? 201 : 200;
        if (answer.status !== expected) load.wrong.push(`${login ? 'login' : 'health'} → ${answer.status} ${answer.body.slice(0, 200)}`);
        else if (!login && JSON.parse(answer.body).status !== 'OK') load.wrong.push(`health body ${answer.body.slice(0, 200)}`);
      } catch (err) {
        load.wrong.push(`lost: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return load;
}

/** Everything read from a pipe from now on. */
function collect(stream: Readable): () => string {
  let text = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => (text += chunk));
  return () => text;
}

describe('logging when the log consumer stalls (built service)', () => {
  let db: TestDatabase | undefined;
  // One data directory for the services started one after the other (the embedded engine's).
  let dataDir: string;
  const children: ChildProcess[] = [];

  const start = async (env: Record<string, string>): Promise<BuiltService> => {
    // A test that failed half-way may have left its service running, holding the data directory.
    for (const child of children.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await gone;
    }
    const service = await startBuiltService({
      dataDir,
      databaseUrl: db?.url,
      masterKey: MASTER_KEY,
      env: { CIAM_SHUTDOWN_DRAIN_MS: '0', ...env },
    });
    children.push(service.child);
    return service;
  };

  beforeAll(async () => {
    expect(existsSync(BUILT_MAIN), 'build the service first: npm run build').toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'ciam-logs-'));
    if (testEngine() === 'postgres') db = await openTestDatabase();
    // The embedded engine starts from the migrated template rather than running initdb and every
    // migration in the service (a minute on a busy machine).
    else await (await openPglite({ dataDir: join(dataDir, 'pglite'), loadDataDir: new Blob([readFileSync(inject('pgliteSnapshot'))]) })).close();
  }, 120_000);
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'answers every request with nobody reading its output, drops and counts lines, reports them when reading resumes, and SIGTERM ends it in time',
    { timeout: 180_000 },
    async () => {
      const service = await start({ ...SMALL_BUFFER, CIAM_SHUTDOWN_TIMEOUT_MS: '4000' });
      const pid = service.child.pid!;
      const rssAtStart = residentKiB(pid);

      const load = await drive(service.port, 1500);
      expect(load.wrong.slice(0, 5)).toEqual([]);
      expect(load.answered).toBe(1500);
      // A frozen event loop would show as answers taking many seconds.
      expect(load.slowestMs).toBeLessThan(5_000);
      // ~3000 lines of ~300 bytes could not be written; they are dropped, not held (bound: 64 KiB of logs plus noise).
      const growthMiB = (residentKiB(pid) - rssAtStart) / 1024;
      expect(growthMiB).toBeLessThan(150);
      const dropped = await metricValue(service.port, DROPPED);
      expect(dropped).toBeGreaterThan(500);

      // The consumer catches up: the service says how many were lost (one line, or a few 10 s apart).
      const output = collect(service.child.stdout!);
      const reported = () =>
        output()
          .split('\n')
          .slice(0, -1) // complete lines only
          .filter((l) => l.includes('log lines dropped'))
          .reduce((sum, l) => sum + (JSON.parse(l).dropped_lines as number), 0);
      for (const by = Date.now() + 25_000; reported() < dropped && Date.now() < by; ) {
        await call(service.port, 'GET', '/health');
        await sleep(100);
      }
      expect(reported(), output().slice(-2000)).toBeGreaterThanOrEqual(dropped);
      expect(reported()).toBeLessThanOrEqual(await metricValue(service.port, DROPPED));

      // Stall it again and fill the pipe, then SIGTERM: the last lines cannot be written, the exit must not wait for them.
      service.child.stdout!.pause();
      const more = await drive(service.port, 800);
      expect(more.wrong.slice(0, 5)).toEqual([]);
      const stillDropping = await metricValue(service.port, DROPPED);
      expect(stillDropping).toBeGreaterThan(reported());
      const sigtermAt = Date.now();
      service.child.kill('SIGTERM');
      const exit = await Promise.race([service.exited, sleep(12_000).then(() => undefined)]);
      expect(exit, 'the process did not exit after SIGTERM').toBeDefined();
      expect(exit!.at - sigtermAt).toBeLessThan(4_000 + 1_500);
      expect(exit!.code).toBe(0);
    },
  );

  it('drops nothing when the consumer merely lags, and still writes every line before exiting', { timeout: 180_000 }, async () => {
    const service = await start({ CIAM_SHUTDOWN_TIMEOUT_MS: '10000' });
    const stdout = service.child.stdout!;
    const output = collect(stdout);
    stdout.pause();
    // A slow reader: a moment's reading once a second.
    const reader = setInterval(() => {
      stdout.resume();
      setTimeout(() => stdout.pause(), 50);
    }, 1_000);
    try {
      const load = await drive(service.port, 1000);
      expect(load.wrong.slice(0, 5)).toEqual([]);
      expect(load.slowestMs).toBeLessThan(5_000);
      expect(await metricValue(service.port, DROPPED)).toBe(0);

      const sigtermAt = Date.now();
      service.child.kill('SIGTERM');
      const exit = await Promise.race([service.exited, sleep(15_000).then(() => undefined)]);
      expect(exit, 'the process did not exit after SIGTERM').toBeDefined();
      expect(exit!.at - sigtermAt).toBeLessThan(10_000 + 1_500);
      expect(exit!.code).toBe(0);
    } finally {
      clearInterval(reader);
    }
    // What is still in the pipe is read to the end: every request's line is there, and the last line of all.
    stdout.resume();
    await new Promise((resolve) => (stdout.readableEnded ? resolve(undefined) : stdout.once('end', resolve)));
    const lines = output().split('\n');
    expect(lines.filter((l) => l.includes('"request completed"')).length).toBeGreaterThanOrEqual(1000);
    expect(lines.some((l) => l.includes('log lines dropped'))).toBe(false);
    expect(output()).toMatch(/shut down cleanly/);
  });

  it('exits at once on a second SIGTERM while the first is still draining', { timeout: 120_000 }, async () => {
    const service = await start({ ...SMALL_BUFFER, CIAM_SHUTDOWN_DRAIN_MS: '30000', CIAM_SHUTDOWN_TIMEOUT_MS: '60000' });
    // Fills the pipe nobody reads (and this process's read buffer, and the log buffer behind them).
    expect((await drive(service.port, 600)).wrong).toEqual([]);
    expect(await metricValue(service.port, DROPPED), 'the log destination is stuck').toBeGreaterThan(0);

    service.child.kill('SIGTERM');
    await sleep(1_000);
    expect(service.child.exitCode, 'still draining after the first signal').toBeNull();
    const secondAt = Date.now();
    service.child.kill('SIGTERM');
    const exit = await Promise.race([service.exited, sleep(10_000).then(() => undefined)]);
    expect(exit, 'the process did not exit after the second SIGTERM').toBeDefined();
    expect(exit!.at - secondAt).toBeLessThan(3_000);
    expect(exit!.code).toBe(1);
  });

  it('exits 1 at the shutdown deadline when a request never finishes and nobody reads the logs', { timeout: 120_000 }, async () => {
    const service = await start({ ...SMALL_BUFFER, CIAM_SHUTDOWN_TIMEOUT_MS: '3000' });
    expect((await drive(service.port, 600)).wrong).toEqual([]);
    expect(await metricValue(service.port, DROPPED), 'the log destination is stuck').toBeGreaterThan(0);
    // A request whose body never arrives in full keeps the listener from closing.
    const socket = connect(service.port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      'POST /auth/login HTTP/1.1\r\nhost: x\r\nx-client-id: web-banking\r\ncontent-type: application/json\r\ncontent-length: 500\r\n\r\n{"user',
    );
    await sleep(300);

    const sigtermAt = Date.now();
    service.child.kill('SIGTERM');
    const exit = await Promise.race([service.exited, sleep(15_000).then(() => undefined)]);
    socket.destroy();
    expect(exit, 'the process did not exit at the deadline').toBeDefined();
    expect(exit!.at - sigtermAt).toBeGreaterThanOrEqual(2_500);
    expect(exit!.at - sigtermAt).toBeLessThan(3_000 + 3_000);
    expect(exit!.code).toBe(1);
  });
});
