/**
 * `npm run bench`: one bounded run on PostgreSQL, every figure as a ratio to ceiling A (a bare
 * node:http JSON server on the same machine). See docs/performance.md.
 *
 * The figures are measured in interleaved rounds (A, B, verify, refresh, login, argon2id, then
 * again), and each ratio is the median of the per-round ratios: on a shared two-core machine the
 * background load drifts, and comparing measurements taken seconds apart cancels most of it.
 *
 *   BENCH_POSTGRES_URL   admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_SESSIONS       pre-issued sessions (default 100000)
 *   BENCH_ROUNDS         rounds (default 3)
 *   BENCH_SECONDS        measured seconds per figure and round (default 3), after a 1 s warm-up
 *   BENCH_CONNECTIONS    concurrent connections (default 50; login and argon2id use 16)
 *   BENCH_SKIP_BUILD=1   use the existing dist/ instead of running `npm run build`
 *   BENCH_KEEP_LOG=1     keep the service's data directory and log (path printed at start)
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../src/store/engines/postgres.js';
import { migrate } from '../src/store/migrate.js';
import { admin, databaseUrl } from './admin.js';
import { settle } from './bench-database.js';
import { measure, type Figure, type Load } from './load.js';
import { median, RssSampler, uptime } from './proc.js';
import { runToEnd, startListening, startService, type Child } from './processes.js';
import { benchServiceEnv, GATEWAY_KEY } from './service-env.js';
import { accessToken, refreshToken, seedSessions } from './seed.js';

const sessions = Number(process.env.BENCH_SESSIONS ?? 100_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const slowConnections = 16;
const CLIENT = { 'x-client-id': 'web-banking' };

const dbName = `ciam_bench_${Date.now().toString(36)}`;
const dbUrl = databaseUrl(dbName);

const tsx = [process.execPath, ['--import', 'tsx']] as const;
const randomIndex = () => 1 + Math.floor(Math.random() * (sessions - 1));

type Key = 'A' | 'B' | 'verify' | 'refresh' | 'login' | 'argon2';
const NAMES: Record<Key, string> = {
  A: 'ceiling A: bare node:http JSON',
  B: 'ceiling B: node:http + sha-256 + one prepared lookup',
  verify: 'POST /auth/token/verify',
  refresh: 'POST /auth/refresh (distinct tokens)',
  login: 'POST /auth/login (simpleuser, no MFA)',
  argon2: 'bare argon2id verify (m=19456, t=2, p=1)',
};

async function main() {
  if (!process.env.BENCH_SKIP_BUILD) execSync('npm run build', { stdio: 'inherit' });
  await admin(`CREATE DATABASE ${dbName}`);
  const children: Child[] = [];
  const results = new Map<Key, Figure[]>();
  const record = (key: Key, f: Figure) => results.set(key, [...(results.get(key) ?? []), f]);
  let pgVersion = '';
  let loginSkipped = false;
  let memory: ReturnType<RssSampler['stop']> | undefined;
  const machine = { before: uptime(), after: '' };
  const dataDir = mkdtempSync(join(tmpdir(), 'ciam-bench-'));
  try {
    const db = await openPostgres({ connectionString: dbUrl, poolMax: 4, statementTimeoutMs: 600_000 });
    await migrate(db);
    const t0 = Date.now();
    await seedSessions(db, sessions);
    console.error(`seeded ${sessions} sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    pgVersion = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    await db.close();

    const serviceEnv = benchServiceEnv(dbUrl, dataDir);
    const bare = await startListening(tsx[0], [...tsx[1], 'bench/ceiling-json.ts'], {});
    children.push(bare);
    const lookup = await startListening(tsx[0], [...tsx[1], 'bench/ceiling-lookup.ts'], { DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' });
    children.push(lookup);
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const logFile = join(dataDir, 'service.log');
    console.error(`service log: ${logFile}`);
    const service = await startService(port, serviceEnv, logFile);
    children.push(service);
    const rss = new RssSampler(service.process.pid!);
    // The service's figures are its steady memory under load; the ceilings' are not its memory.
    const underLoad = { started: () => void (rss.measuring = true), ended: () => void (rss.measuring = false) };
    const base = `http://127.0.0.1:${port}`;
    await sanityChecks(base);
    const probe = await fetch(`${base}/auth/login`, { method: 'POST', headers: { ...CLIENT, 'content-type': 'application/json' }, body: '{}' });
    loginSkipped = probe.status === 404;
    if (loginSkipped) console.error('POST /auth/login is not there: login figure skipped');

    const verifyBody = () => ({ body: JSON.stringify({ token: accessToken(randomIndex()) }) });
    let nextRefresh = 1;
    const loginBody = JSON.stringify({ username: 'simpleuser', password: 'SecurePass123!', transmit_aid: 'bench' });
    const loads: [Key, Load][] = [
      ['A', { url: `http://127.0.0.1:${bare.port}/`, next: verifyBody, connections, seconds }],
      ['B', { url: `http://127.0.0.1:${lookup.port}/`, next: verifyBody, connections, seconds }],
      ['verify', { url: `${base}/auth/token/verify`, headers: { ...CLIENT, 'x-api-key': GATEWAY_KEY }, next: verifyBody, connections, seconds }],
      [
        'refresh',
        {
          url: `${base}/auth/refresh`,
          headers: CLIENT,
          next: () => ({ headers: { cookie: `refresh_token=${refreshToken(nextRefresh++ % sessions)}` } }),
          connections,
          seconds,
        },
      ],
      ...(loginSkipped
        ? []
        : ([['login', { url: `${base}/auth/login`, headers: CLIENT, next: () => ({ body: loginBody }), connections: slowConnections, seconds }]] as [Key, Load][])),
    ];

    for (let round = 1; round <= rounds; round++) {
      for (const [key, load] of loads) {
        await settle(dbUrl);
        // The warm-up and the requests still in flight after the load stopped count as this figure's.
        rss.phase = load.url.startsWith(base) ? key : 'idle';
        const f = await measure(NAMES[key], load, load.url.startsWith(base) ? underLoad : undefined);
        record(key, f);
        console.error(`round ${round} ${key}: ${f.rps.toFixed(1)} req/s`);
        // Requests still in flight when the load stopped finish before the next figure starts.
        await new Promise((r) => setTimeout(r, 1000));
        rss.phase = 'idle';
      }
      await settle(dbUrl);
      const argon = JSON.parse(
        await runToEnd(tsx[0], [...tsx[1], 'bench/argon2-rate.ts'], { SECONDS: String(seconds), CONCURRENCY: String(slowConnections) }),
      ) as { rps: number; p50: number; p99: number; count: number };
      record('argon2', { name: NAMES.argon2, rps: argon.rps, p50: argon.p50, p99: argon.p99, non2xx: 0, errors: 0, requests: argon.count });
      console.error(`round ${round} argon2: ${argon.rps.toFixed(1)} verifications/s`);
    }
    memory = rss.stop();
    machine.after = uptime();
  } finally {
    for (const c of children) await c.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    // The service's log is kept only when asked for (it holds nothing secret, but it grows).
    if (!process.env.BENCH_KEEP_LOG) rmSync(dataDir, { recursive: true, force: true });
  }
  report(results, pgVersion, memory!, machine);
}

async function sanityChecks(base: string) {
  const verify = await fetch(`${base}/auth/token/verify`, {
    method: 'POST',
    headers: { ...CLIENT, 'x-api-key': GATEWAY_KEY, 'content-type': 'application/json' },
    body: JSON.stringify({ token: accessToken(0) }),
  });
  const verdict = (await verify.json()) as { active?: boolean };
  if (!verdict.active) throw new Error(`a seeded access token is not active: ${JSON.stringify(verdict)}`);
  const refresh = await fetch(`${base}/auth/refresh`, { method: 'POST', headers: { ...CLIENT, cookie: `refresh_token=${refreshToken(0)}` } });
  if (refresh.status !== 200) throw new Error(`a seeded refresh token was refused: ${refresh.status} ${await refresh.text()}`);
}

function report(results: Map<Key, Figure[]>, pgVersion: string, memory: ReturnType<RssSampler['stop']>, machine: { before: string; after: string }) {
  const ratio = (key: Key, to: Key) => {
    const xs = results.get(key)!;
    const ys = results.get(to)!;
    return median(xs.map((x, i) => x.rps / ys[i]!.rps));
  };
  const pkg = (name: string) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version as string;
  const lines = [
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ` +
      `PostgreSQL ${pgVersion}; fastify ${pkg('fastify')}, pg ${pkg('pg')}, autocannon ${pkg('autocannon')}`,
    `settings: ${sessions} pre-issued sessions, ${rounds} interleaved rounds of 1 s warm-up + ${seconds} s per figure, ` +
      `${connections} connections (login and argon2id ${slowConnections}); service, ceilings, database and load generator on the same machine`,
    '',
    '| figure | req/s (median) | p50 ms | p99 ms | non-2xx | errors | × ceiling A | × ceiling B | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const target = (key: Key): string => {
    if (key === 'verify') return `≥ 0.9 × B: ${ratio('verify', 'B') >= 0.9 ? 'met' : 'missed'}`;
    if (key === 'refresh') return `≥ 0.12 × A: ${ratio('refresh', 'A') >= 0.12 ? 'met' : 'missed'}`;
    if (key === 'login') {
      const r = ratio('login', 'argon2');
      return `≥ 0.85 × argon2id: ${r >= 0.85 ? 'met' : 'missed'} (${r.toFixed(2)})`;
    }
    return '';
  };
  for (const key of Object.keys(NAMES) as Key[]) {
    const figs = results.get(key);
    if (!figs) continue;
    const sum = (f: (x: Figure) => number) => figs.reduce((n, x) => n + f(x), 0);
    lines.push(
      `| ${NAMES[key]} | ${median(figs.map((f) => f.rps)).toFixed(1)} | ${median(figs.map((f) => f.p50)).toFixed(1)} | ` +
        `${median(figs.map((f) => f.p99)).toFixed(1)} | ${key === 'argon2' ? '–' : sum((f) => f.non2xx)} | ${key === 'argon2' ? '–' : sum((f) => f.errors)} | ` +
        `${ratio(key, 'A').toFixed(3)} | ${key === 'A' || key === 'argon2' ? '–' : ratio(key, 'B').toFixed(3)} | ${target(key)} |`,
    );
  }
  lines.push(
    '',
    `service resident memory (VmRSS, sampled every 200 ms): peak ${memory.peak.toFixed(0)} MiB, steady ${memory.steady.toFixed(0)} MiB ` +
      `(median while the service was under load) — target ≤ 250 MB: ${memory.peak * 2 ** 20 <= 250e6 ? 'met' : 'missed'}`,
    `  peak by the load running (warm-up and the second after included; idle: the ceilings' and bare argon2id's turns): ` +
      [...memory.peaks].map(([phase, mib]) => `${phase} ${mib.toFixed(0)} MiB`).join(', '),
    `uptime before: ${machine.before}`,
    `uptime after:  ${machine.after}`,
  );
  lines.push('', 'per round (req/s): ' + (Object.keys(NAMES) as Key[]).filter((k) => results.has(k)).map((k) => `${k} ${results.get(k)!.map((f) => f.rps.toFixed(0)).join('/')}`).join('; '));
  console.log(lines.join('\n'));
}

await main();
