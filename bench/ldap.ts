/**
 * `npm run bench:ldap`: the login a bank runs — the password checked by its LDAP directory — against
 * a local OpenLDAP slapd (with the ppolicy overlay, as the tests start it), as a ratio to a bare
 * ldapts search + bind loop against the same slapd (bench/ldap-rate.ts). See docs/performance.md.
 *
 * Interleaved rounds (bare loop, then the service's login, then again); each ratio is the median of
 * the per-round ratios. During each measured window the CPU time of the service, of the PostgreSQL
 * backends of the bench database and of slapd is read from /proc, giving the service's own CPU per
 * login with the directory's excluded; the service's resident memory is sampled throughout.
 *
 *   BENCH_POSTGRES_URL   admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROUNDS         rounds (default 3)
 *   BENCH_SECONDS        measured seconds per figure and round (default 5), after a 1 s warm-up
 *   BENCH_CONNECTIONS    logins in flight (default 16, as the argon2id login of `npm run bench`)
 *   BENCH_SKIP_BUILD=1   use the existing dist/ instead of running `npm run build`
 *   CIAM_LDAP_POOL_SIZE  passed on to the service and the bare loop alike (the adapter's default: 4)
 */
import { execSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { DEMO_PASSWORD } from '../src/providers/directory/demo-directory.js';
import { startSlapd, type Slapd } from '../test/support/slapd.js';
import { admin, adminUrl } from './admin.js';
import { backendPids, benchDatabase, settle } from './bench-database.js';
import { measure, type Figure } from './load.js';
import { CpuMeter, median, RssSampler, uptime } from './proc.js';
import { startService, type Child } from './processes.js';
import { benchServiceEnv } from './service-env.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const USERNAME = 'simpleuser';
const CLIENT = { 'x-client-id': 'web-banking' };
const { name: dbName, url: dbUrl } = benchDatabase('ciam_bench_ldap');

/** CPU per login (ms) of each part, for one measured window. */
interface Costs {
  service: number;
  postgres: number;
  slapd: number;
  /** The bare loop's own process (its ldapts client), for comparison with the service. */
  client: number;
}

interface Round {
  bare: Figure & { costs: Costs };
  login: Figure & { costs: Costs };
}

async function main() {
  if (!process.env.BENCH_SKIP_BUILD) execSync('npm run build', { stdio: 'inherit' });
  const machine = { before: uptime(), after: '' };
  await admin(`CREATE DATABASE ${dbName}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ciam-bench-ldap-'));
  const monitor = new pg.Client({ connectionString: adminUrl });
  await monitor.connect();
  let slapd: Slapd | undefined;
  let service: Child | undefined;
  const results: Round[] = [];
  let memory: ReturnType<RssSampler['stop']> | undefined;
  let pgVersion = '';
  try {
    pgVersion = (await monitor.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
    slapd = await startSlapd({ quiet: true });
    const directoryEnv = slapd.env();
    const port = 18_000 + Math.floor(Math.random() * 1000);
    const logFile = join(dataDir, 'service.log');
    service = await startService(
      port,
      { ...benchServiceEnv(dbUrl, dataDir), CIAM_DIRECTORY: 'ldap', ...directoryEnv },
      logFile,
    );
    const base = `http://127.0.0.1:${port}`;
    const loginBody = JSON.stringify({ username: USERNAME, password: DEMO_PASSWORD, transmit_aid: 'bench' });
    await sanityCheck(base, loginBody);

    const slapdPid = slapd.pid()!;
    const servicePid = service.process.pid!;
    const meters = {
      service: new CpuMeter(() => [servicePid]),
      postgres: new CpuMeter(() => backendPids(monitor, dbName)),
      slapd: new CpuMeter(() => [slapdPid]),
    };
    const startMeters = () => Promise.all(Object.values(meters).map((m) => m.start()));
    const readMeters = async () => ({
      service: await meters.service.stop(),
      postgres: await meters.postgres.stop(),
      slapd: await meters.slapd.stop(),
    });
    const rss = new RssSampler(servicePid);

    for (let round = 1; round <= rounds; round++) {
      await settle(dbUrl);
      const bare = await bareLoop(directoryEnv, startMeters, readMeters);
      console.error(`round ${round} bare ldapts: ${bare.rps.toFixed(1)} logins/s`);
      await settle(dbUrl);
      let cpu: Awaited<ReturnType<typeof readMeters>> | undefined;
      const f = await measure(
        `POST /auth/login through the directory`,
        { url: `${base}/auth/login`, headers: CLIENT, next: () => ({ body: loginBody }), connections, seconds },
        {
          started: async () => {
            await startMeters();
            rss.measuring = true;
          },
          ended: async () => {
            rss.measuring = false;
            cpu = await readMeters();
          },
        },
      );
      const n = Math.max(1, f.requests);
      const login = { ...f, costs: { service: cpu!.service / n, postgres: cpu!.postgres / n, slapd: cpu!.slapd / n, client: 0 } };
      console.error(`round ${round} login: ${f.rps.toFixed(1)} logins/s (${f.non2xx} non-2xx, ${f.errors} errors)`);
      results.push({ bare, login });
      // Requests still in flight when the load stopped finish before the next figure starts.
      await new Promise((r) => setTimeout(r, 1000));
    }
    memory = rss.stop();
    machine.after = uptime();
  } finally {
    await service?.stop();
    await slapd?.close();
    await monitor.end();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
  report(results, memory!, machine, pgVersion);
}

async function sanityCheck(base: string, body: string) {
  const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { ...CLIENT, 'content-type': 'application/json' }, body });
  const answer = (await res.json()) as { access_token?: string };
  if (res.status !== 201 || !answer.access_token) throw new Error(`a directory login did not give tokens: ${res.status} ${JSON.stringify(answer)}`);
}

/** Runs bench/ldap-rate.ts, reading the directory's CPU over exactly its measured window. */
async function bareLoop(
  directoryEnv: NodeJS.ProcessEnv,
  startMeters: () => Promise<unknown>,
  readMeters: () => Promise<{ slapd: number }>,
): Promise<Figure & { costs: Costs }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/ldap-rate.ts'], {
    env: { ...process.env, ...directoryEnv, SECONDS: String(seconds), CONCURRENCY: String(connections), USERNAME, PASSWORD: DEMO_PASSWORD },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const clientMeter = new CpuMeter(() => [child.pid!]);
  let pending = '';
  let result: { rps: number; p50: number; p99: number; count: number } | undefined;
  let costs: Costs | undefined;
  // The lines arrive in order; handling them one after another keeps the meters' reads in order.
  let handled = Promise.resolve();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      handled = handled.then(async () => {
        if (line === 'measuring') {
          await Promise.all([startMeters(), clientMeter.start()]);
        } else if (line.startsWith('{')) {
          const [parts, client] = await Promise.all([readMeters(), clientMeter.stop()]);
          result = JSON.parse(line);
          const n = Math.max(1, result!.count);
          costs = { service: 0, postgres: 0, slapd: parts.slapd / n, client: client / n };
        }
      });
    }
  });
  const code = await exited;
  await handled;
  if (code !== 0 || !result || !costs) throw new Error(`bench/ldap-rate.ts exited with ${code}`);
  return { name: 'bare ldapts search + bind', rps: result.rps, p50: result.p50, p99: result.p99, non2xx: 0, errors: 0, requests: result.count, costs };
}

function report(results: Round[], memory: ReturnType<RssSampler['stop']>, machine: { before: string; after: string }, pgVersion: string) {
  const med = (f: (r: Round) => number) => median(results.map(f));
  const ratio = med((r) => r.login.rps / r.bare.rps);
  const pkg = (name: string) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version as string;
  const slapdVersion = /slapd ([\d.]+\S*)/.exec(spawnSync('/usr/sbin/slapd', ['-VV']).stderr.toString())?.[1];
  const serviceOwn = med((r) => r.login.costs.service + r.login.costs.postgres);
  const ms = (x: number) => x.toFixed(3);
  const lines = [
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; PostgreSQL ${pgVersion}; ` +
      `slapd ${slapdVersion ?? '?'} (mdb, ppolicy); ldapts ${pkg('ldapts')}, fastify ${pkg('fastify')}, pg ${pkg('pg')}, autocannon ${pkg('autocannon')}`,
    `settings: ${rounds} interleaved rounds of 1 s warm-up + ${seconds} s per figure, ${connections} logins in flight, ` +
      `CIAM_LDAP_POOL_SIZE ${process.env.CIAM_LDAP_POOL_SIZE ?? '4 (default)'}; service, slapd, PostgreSQL and load generator on the same machine`,
    `uptime before: ${machine.before}`,
    `uptime after:  ${machine.after}`,
    '',
    '| figure | logins/s (median) | p50 ms | p99 ms | non-2xx | errors | × bare loop | target |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    `| bare ldapts search + bind | ${med((r) => r.bare.rps).toFixed(1)} | ${med((r) => r.bare.p50).toFixed(1)} | ${med((r) => r.bare.p99).toFixed(1)} | – | – | 1.000 | |`,
    `| POST /auth/login (${USERNAME}, LDAP directory, no MFA) | ${med((r) => r.login.rps).toFixed(1)} | ${med((r) => r.login.p50).toFixed(1)} | ` +
      `${med((r) => r.login.p99).toFixed(1)} | ${results.reduce((n, r) => n + r.login.non2xx, 0)} | ${results.reduce((n, r) => n + r.login.errors, 0)} | ` +
      `${ratio.toFixed(3)} | ≥ 0.8: ${ratio >= 0.8 ? 'met' : 'missed'} |`,
    '',
    'CPU per login, ms (median over the rounds; /proc/<pid>/stat utime + stime over the measured window):',
    '',
    '| process | service login | bare loop |',
    '|---|---:|---:|',
    `| the service (node dist/main.js, all threads) | ${ms(med((r) => r.login.costs.service))} | – |`,
    `| PostgreSQL backends of the bench database | ${ms(med((r) => r.login.costs.postgres))} | – |`,
    `| **service + PostgreSQL** | **${ms(serviceOwn)}** | – |`,
    `| the bare loop's process (ldapts client) | – | ${ms(med((r) => r.bare.costs.client))} |`,
    `| slapd (the directory) | ${ms(med((r) => r.login.costs.slapd))} | ${ms(med((r) => r.bare.costs.slapd))} |`,
    '',
    `10,000 logins/s need ≈ ${(serviceOwn * 10).toFixed(1)} vCPU for the service and PostgreSQL at this CPU per login, ` +
      `and ≈ ${(med((r) => r.login.costs.slapd) * 10).toFixed(1)} vCPU of directory`,
    `service resident memory (VmRSS, sampled every 200 ms): peak ${memory.peak.toFixed(0)} MiB, steady ${memory.steady.toFixed(0)} MiB ` +
      `(median under login load) — target ≤ 250 MB: ${memory.peak * 2 ** 20 <= 250e6 ? 'met' : 'missed'}`,
    '',
    'per round (logins/s): bare ' + results.map((r) => r.bare.rps.toFixed(0)).join('/') + '; login ' + results.map((r) => r.login.rps.toFixed(0)).join('/') +
      '; ratio ' + results.map((r) => (r.login.rps / r.bare.rps).toFixed(3)).join('/'),
    'per round, service + PostgreSQL ms per login: ' + results.map((r) => ms(r.login.costs.service + r.login.costs.postgres)).join('/'),
  ];
  console.log(lines.join('\n'));
}

await main();
