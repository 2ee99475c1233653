import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/** The built service (`npm run build` first) as a child process, for tests that need the real process. */
export const BUILT_MAIN = join(process.cwd(), 'dist', 'main.js');

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Answer {
  status: number;
  body: string;
  ms: number;
}

/** One request; rejects on a connection error (a test counts that as a lost request). */
export function call(
  port: number,
  method: string,
  path: string,
  { body, agent, headers }: { body?: unknown; agent?: http.Agent; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: agent ?? false,
        headers: {
          'x-client-id': 'web-banking',
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, ms: performance.now() - started }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

export interface BuiltService {
  port: number;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal) and the time of exit. */
  exited: Promise<{ code: number | null; at: number }>;
}

/**
 * Starts `node dist/main.js` with stdout and stderr as pipes. The caller decides whether and how
 * fast they are read: a pipe nobody reads fills up (the kernel's 64 KiB plus a little in this
 * process) and from then on the service cannot write a byte to it.
 */
export async function startBuiltService(options: {
  dataDir: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  masterKey?: string;
}): Promise<BuiltService> {
  const port = await freePort();
  const child = spawn(process.execPath, [BUILT_MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'development',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      CIAM_DATA_DIR: options.dataDir,
      CIAM_RATE_LIMIT_ENABLED: 'false',
      CIAM_JOBS_ENABLED: 'false',
      CIAM_MASTER_KEY: options.masterKey ?? randomBytes(32).toString('base64'),
      ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  const readyBy = Date.now() + 120_000;
  for (;;) {
    const ready = await call(port, 'GET', '/health/ready').catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > readyBy || child.exitCode !== null) {
      child.kill('SIGKILL'); // never leave it running behind a failed test
      throw new Error(`the service did not become ready (exit ${child.exitCode})`);
    }
    await sleep(200);
  }
  return { port, child, exited };
}

/** Resident memory of a process in KiB (Linux). */
export function residentKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN);
}

/** A counter's value from the Prometheus text of GET /metrics (0 when absent). */
export async function metricValue(port: number, name: string): Promise<number> {
  const answer = await call(port, 'GET', '/metrics');
  if (answer.status !== 200) throw new Error(`/metrics answered ${answer.status}`);
  const line = answer.body.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}
