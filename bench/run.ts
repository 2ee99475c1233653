/**
 * `npm run bench`: one bounded run on PostgreSQL, every figure as a ratio to ceiling A (a bare
 * node:http JSON server on the same machine). See docs/performance.md.
 *
 *   BENCH_POSTGRES_URL   admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_SESSIONS       pre-issued sessions (default 100000)
 *   BENCH_SECONDS        measured seconds per figure (default 5), after a 1 s warm-up
 *   BENCH_CONNECTIONS    concurrent connections (default 50; login uses 16)
 *   BENCH_SKIP_BUILD=1   use the existing dist/ instead of running `npm run build`
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openPostgres } from '../src/store/engines/postgres.js';
import { migrate } from '../src/store/migrate.js';
import { measure, type Figure } from './load.js';
import { runToEnd, startListening, startService, type Child } from './processes.js';
import { accessToken, refreshToken, seedSessions } from './seed.js';

const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sessions = Number(process.env.BENCH_SESSIONS ?? 100_000);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const loginConnections = 16;
const GATEWAY_KEY = 'bench-gateway-key-000001';
const CLIENT = { 'x-client-id': 'web-banking' };

const dbName = `ciam_bench_${Date.now().toString(36)}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  return u.toString();
})();

async function admin(sql: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

const tsx = [process.execPath, ['--import', 'tsx']] as const;
const randomIndex = () => Math.floor(Math.random() * sessions);

async function main() {
  if (!process.env.BENCH_SKIP_BUILD) execSync('npm run build', { stdio: 'inherit' });
  await admin(`CREATE DATABASE ${dbName}`);
  const children: Child[] = [];
  const figures: Figure[] = [];
  let argon: { rps: number; p50: number; p99: number } | undefined;
  let pgVersion = '';
  try {
    const db = await openPostgres({ connectionString: dbUrl, poolMax: 4, statementTimeoutMs: 600_000 });
    await migrate(db);
    const t0 = Date.now();
    await seedSessions(db, sessions);
    console.error(`seeded ${sessions} sessions in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    pgVersion = (await db.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    await db.close();

    const serviceEnv = {
      DATABASE_URL: dbUrl,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      CIAM_DATA_DIR: mkdtempSync(join(tmpdir(), 'ciam-bench-')),
      CIAM_GATEWAY_API_KEY: GATEWAY_KEY,
      // One client machine logging one user in hundreds of times a second is exactly what the limits stop.
      CIAM_RATE_LIMIT_ENABLED: 'false',
      CIAM_JOBS_ENABLED: 'false',
    };

    // Ceiling A
    const bare = await startListening(tsx[0], [...tsx[1], 'bench/ceiling-json.ts'], {});
    children.push(bare);
    figures.push(
      await measure('ceiling A: bare node:http JSON', {
        url: `http://127.0.0.1:${bare.port}/`,
        next: () => ({ body: JSON.stringify({ token: accessToken(randomIndex()) }) }),
        connections,
        seconds,
      }),
    );
    await bare.stop();

    // Ceiling B
    const lookup = await startListening(tsx[0], [...tsx[1], 'bench/ceiling-lookup.ts'], { DATABASE_URL: dbUrl, LOG_LEVEL: 'warn' });
    children.push(lookup);
    figures.push(
      await measure('ceiling B: node:http + sha-256 + one prepared lookup', {
        url: `http://127.0.0.1:${lookup.port}/`,
        next: () => ({ body: JSON.stringify({ token: accessToken(randomIndex()) }) }),
        connections,
        seconds,
      }),
    );
    await lookup.stop();

    // The service
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const logFile = join(serviceEnv.CIAM_DATA_DIR, 'service.log');
    console.error(`service log: ${logFile}`);
    const service = await startService(port, serviceEnv, logFile);
    children.push(service);
    const base = `http://127.0.0.1:${port}`;
    await sanityChecks(base);

    figures.push(
      await measure('POST /auth/token/verify', {
        url: `${base}/auth/token/verify`,
        headers: { ...CLIENT, 'x-api-key': GATEWAY_KEY },
        next: () => ({ body: JSON.stringify({ token: accessToken(1 + randomIndex() % (sessions - 1)) }) }),
        connections,
        seconds,
      }),
    );

    let nextRefresh = 1;
    figures.push(
      await measure('POST /auth/refresh (distinct tokens)', {
        url: `${base}/auth/refresh`,
        headers: CLIENT,
        next: () => ({ headers: { cookie: `refresh_token=${refreshToken(nextRefresh++ % sessions)}` } }),
        connections,
        seconds,
      }),
    );

    const probe = await fetch(`${base}/auth/login`, { method: 'POST', headers: { ...CLIENT, 'content-type': 'application/json' }, body: '{}' });
    if (probe.status === 404) {
      console.error('POST /auth/login is not there: login figure skipped');
    } else {
      const loginBody = JSON.stringify({ username: 'simpleuser', password: 'SecurePass123!', transmit_aid: 'bench' });
      figures.push(
        await measure('POST /auth/login (simpleuser, no MFA)', {
          url: `${base}/auth/login`,
          headers: CLIENT,
          next: () => ({ body: loginBody }),
          connections: loginConnections,
          seconds,
        }),
      );
    }
    // Let the requests still in flight when the load stopped finish before shutting down.
    await new Promise((r) => setTimeout(r, 3000));
    await service.stop();

    argon = JSON.parse(await runToEnd(tsx[0], [...tsx[1], 'bench/argon2-rate.ts'], { SECONDS: String(seconds), CONCURRENCY: String(loginConnections) }));
  } finally {
    for (const c of children) await c.stop();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
  report(figures, argon!, pgVersion);
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

function report(figures: Figure[], argon: { rps: number; p50: number; p99: number }, pgVersion: string) {
  const a = figures.find((f) => f.name.startsWith('ceiling A'))!.rps;
  const b = figures.find((f) => f.name.startsWith('ceiling B'))!.rps;
  const f1 = (n: number) => n.toFixed(1);
  const pkg = (name: string) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version as string;
  const lines = [
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; ` +
      `PostgreSQL ${pgVersion}; fastify ${pkg('fastify')}, pg ${pkg('pg')}, autocannon ${pkg('autocannon')}`,
    `settings: ${sessions} pre-issued sessions, ${connections} connections (login ${loginConnections}), 1 s warm-up + ${seconds} s per figure, ` +
      'service and load generator on the same machine',
    '',
    '| figure | req/s | p50 ms | p99 ms | non-2xx | errors | × ceiling A | × ceiling B | target |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  const target = (f: Figure): string => {
    if (f.name.startsWith('POST /auth/token/verify')) return `≥ 0.9 × B: ${f.rps / b >= 0.9 ? 'met' : 'missed'}`;
    if (f.name.startsWith('POST /auth/refresh')) return `≥ 0.12 × A: ${f.rps / a >= 0.12 ? 'met' : 'missed'}`;
    if (f.name.startsWith('POST /auth/login')) return `≥ 0.85 × argon2id: ${f.rps / argon.rps >= 0.85 ? 'met' : 'missed'} (${(f.rps / argon.rps).toFixed(2)})`;
    return '';
  };
  for (const f of figures) {
    lines.push(
      `| ${f.name} | ${f1(f.rps)} | ${f.p50} | ${f.p99} | ${f.non2xx} | ${f.errors} | ${(f.rps / a).toFixed(3)} | ${(f.rps / b).toFixed(3)} | ${target(f)} |`,
    );
  }
  lines.push(
    `| bare argon2id verify (m=19456, t=2, p=1) | ${f1(argon.rps)} | ${f1(argon.p50)} | ${f1(argon.p99)} | – | – | ${(argon.rps / a).toFixed(4)} | – | |`,
  );
  console.log(lines.join('\n'));
}

await main();
