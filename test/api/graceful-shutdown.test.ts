import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_MAIN, call, sleep, startBuiltService } from '../support/built-service.js';
import { openTestDatabase, testEngine, type TestDatabase } from '../support/test-database.js';

/**
 * The built service as a process: under a steady load of logins and health checks it gets
 * SIGTERM, and every request it accepted must still get its answer before it exits with 0.
 * Each request uses its own connection, so a request is either refused at connect (never
 * accepted) or answered — anything else (a reset, a hang-up) is a lost request.
 */
const MASTER_KEY = randomBytes(32).toString('base64');

type Outcome = { kind: 'answered'; status: number; at: number } | { kind: 'refused' } | { kind: 'lost'; error: string };

/** One request on a connection of its own: answered, refused at connect (never accepted), or lost. */
async function request(port: number, method: string, path: string, body?: unknown): Promise<Outcome> {
  try {
    const answer = await call(port, method, path, { body, headers: { connection: 'close' } });
    return { kind: 'answered', status: answer.status, at: Date.now() };
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    return code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'lost', error: `${code ?? ''} ${message}` };
  }
}

interface Service {
  port: number;
  child: ChildProcess;
  exited: Promise<number | null>;
  output(): string;
}

/** The built service with its maintenance scheduler, its log kept (read as it comes, so the pipes never fill). */
async function startService(dataDir: string, databaseUrl: string | undefined, env: Record<string, string>): Promise<Service> {
  const service = await startBuiltService({
    dataDir,
    ...(databaseUrl ? { databaseUrl } : {}),
    // One key for every service started on the shared PostgreSQL database, so each can open the signing keys.
    masterKey: MASTER_KEY,
    env: { CIAM_JOBS_ENABLED: 'true', CIAM_SHUTDOWN_TIMEOUT_MS: '20000', ...env },
  });
  let output = '';
  service.child.stdout!.on('data', (d) => (output += d));
  service.child.stderr!.on('data', (d) => (output += d));
  return { port: service.port, child: service.child, exited: service.exited.then(({ code }) => code), output: () => output };
}

const loginBody = { username: 'simpleuser', password: 'SecurePass123!', transmit_aid: 'aid' };

describe('graceful shutdown of the built service', () => {
  let db: TestDatabase | undefined;
  const dirs: string[] = [];
  const children: ChildProcess[] = [];
  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ciam-shutdown-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    expect(existsSync(BUILT_MAIN), 'build the service first: npm run build').toBe(true);
    if (testEngine() === 'postgres') db = await openTestDatabase();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await db?.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('turns readiness off first and keeps serving while the balancer drains it, then exits 0', { timeout: 120_000 }, async () => {
    // A drain long enough that the balancer's next poll lands inside it even on a loaded machine.
    const service = await startService(newDataDir(), db?.url, { CIAM_SHUTDOWN_DRAIN_MS: '3000' });
    children.push(service.child);

    // A load balancer: routes traffic while the instance says it is ready, stops once it says 503.
    let routing = true;
    const outcomes: Array<{ path: string; outcome: Outcome; sentAt: number }> = [];
    const balancer = (async () => {
      while (routing) {
        const r = await request(service.port, 'GET', '/health/ready');
        if (r.kind !== 'answered' || r.status !== 200) routing = false;
        await sleep(100);
      }
    })();
    const worker = async (i: number) => {
      while (routing) {
        const login = i % 2 === 0;
        const path = login ? '/auth/login' : '/health';
        const sentAt = Date.now();
        const outcome = login ? await request(service.port, 'POST', path, loginBody) : await request(service.port, 'GET', path);
        outcomes.push({ path, outcome, sentAt });
      }
    };
    const workers = Array.from({ length: 12 }, (_, i) => worker(i));

    await sleep(1_000);
    const sigtermAt = Date.now();
    service.child.kill('SIGTERM');
    await balancer;
    const drainedAt = Date.now();
    await Promise.all(workers);
    const code = await service.exited;

    // The balancer noticed before the listener closed (drain 3000 ms).
    expect(drainedAt - sigtermAt).toBeLessThan(2_500);
    expect(outcomes.filter((o) => o.outcome.kind !== 'answered'), 'every routed request answered').toEqual([]);
    expect(outcomes.filter((o) => o.path === '/auth/login' && o.outcome.kind === 'answered' && o.outcome.status === 201).length).toBeGreaterThan(3);
    expect(outcomes.some((o) => o.sentAt > sigtermAt && o.outcome.kind === 'answered' && o.outcome.status < 300)).toBe(true);
    expect(code, service.output().slice(-3000)).toBe(0);
    expect(service.output()).toMatch(/maintenance scheduler started/);
    expect(service.output()).toMatch(/shut down cleanly/);
  });

  it('finishes the requests in flight when the listener closes', { timeout: 120_000 }, async () => {
    const service = await startService(newDataDir(), db?.url, { CIAM_SHUTDOWN_DRAIN_MS: '0' });
    children.push(service.child);
    const received = () => service.output().split('\n').filter((l) => l.includes('"incoming request"') && l.includes('/auth/login')).length;

    const inFlight = Array.from({ length: 16 }, () => request(service.port, 'POST', '/auth/login', loginBody));
    // Signal once the service has read every one of them (its log says so), before they are done.
    for (const deadline = Date.now() + 10_000; received() < 16 && Date.now() < deadline; ) await sleep(2);
    expect(received()).toBe(16);
    service.child.kill('SIGTERM');

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => (a.kind === 'answered' ? a.status : a.kind))).toEqual(Array(16).fill(201));
    expect(await service.exited, service.output().slice(-3000)).toBe(0);
    expect(await request(service.port, 'GET', '/health')).toEqual({ kind: 'refused' });
  });
});
