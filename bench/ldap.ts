/**
 * `npm run bench:ldap`: the login a bank runs — the password checked by its LDAP directory — against
 * a local OpenLDAP slapd (with the ppolicy overlay, as the tests start it), as ratios to a bare
 * ldapts search + bind loop against the same slapd (bench/ldap-rate.ts):
 *
 *   - the adapter alone: LdapDirectory.authenticate() in a loop of its own (bench/ldap-adapter-rate.ts);
 *   - the service's login: POST /auth/login through the directory, over HTTP.
 *
 * Interleaved rounds (bare loop, adapter, service login, then the bare loop again paced at the
 * login's rate); each ratio is the median of the per-round ratios. During each measured window the
 * CPU time of the service, of the PostgreSQL backends of the bench database, of slapd and of the
 * loop's own process is read from /proc, giving the service's own CPU per login with the
 * directory's excluded; the service's resident memory is sampled throughout.
 *
 *   BENCH_POSTGRES_URL   admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_ROUNDS         rounds (default 3)
 *   BENCH_SECONDS        measured seconds per figure and round (default 5), after a 1 s warm-up
 *   BENCH_CONNECTIONS    logins in flight (default 16, as the argon2id login of `npm run bench`)
 *   BENCH_SKIP_BUILD=1   use the existing dist/ instead of running `npm run build`
 *   BENCH_CPU_PROF=dir   run the service with `node --cpu-prof` into dir and print where its main
 *                        thread spent the login windows (bench/cpu-profile.ts); slows the service
 *   CIAM_LDAP_*          (pool settings) inherited by the service, the adapter loop and the bare loop alike
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
import { summariseProfiles, type Window } from './cpu-profile.js';
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
const profileDir = process.env.BENCH_CPU_PROF;
/** The system's monotonic clock in µs, the clock of a .cpuprofile's timestamps. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

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
  adapter: Figure & { costs: Costs };
  login: Figure & { costs: Costs };
  /** The bare loop paced at `login`'s rate: the directory's cost per login at the same rate. */
  paced: Figure & { costs: Costs };
}

type Measured = Figure & { costs: Costs };

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
  const loginWindows: Window[] = [];
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
      profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
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

    const loop = (script: string, name: string, rate?: number) => loginLoop(script, name, directoryEnv, startMeters, readMeters, rate);
    for (let round = 1; round <= rounds; round++) {
      await settle(dbUrl);
      const bare = await loop('bench/ldap-rate.ts', 'bare ldapts search + bind');
      console.error(`round ${round} bare ldapts: ${bare.rps.toFixed(1)} logins/s`);
      const adapter = await loop('bench/ldap-adapter-rate.ts', 'LdapDirectory.authenticate()');
      console.error(`round ${round} adapter: ${adapter.rps.toFixed(1)} logins/s`);
      await settle(dbUrl);
      let cpu: Awaited<ReturnType<typeof readMeters>> | undefined;
      const f = await measure(
        `POST /auth/login through the directory`,
        { url: `${base}/auth/login`, headers: CLIENT, next: () => ({ body: loginBody }), connections, seconds },
        {
          started: async () => {
            await startMeters();
            rss.measuring = true;
            loginWindows.push({ startUs: monotonicUs(), endUs: Infinity });
          },
          ended: async () => {
            loginWindows.at(-1)!.endUs = monotonicUs();
            rss.measuring = false;
            cpu = await readMeters();
          },
        },
      );
      const n = Math.max(1, f.requests);
      const login = { ...f, costs: { service: cpu!.service / n, postgres: cpu!.postgres / n, slapd: cpu!.slapd / n, client: 0 } };
      console.error(`round ${round} login: ${f.rps.toFixed(1)} logins/s (${f.non2xx} non-2xx, ${f.errors} errors)`);
      // Requests still in flight when the load stopped finish before the next figure starts.
      await new Promise((r) => setTimeout(r, 1000));
      const paced = await loop('bench/ldap-rate.ts', 'bare loop at the login rate', f.rps);
      console.error(`round ${round} bare ldapts paced: ${paced.rps.toFixed(1)} logins/s`);
      results.push({ bare, adapter, login, paced });
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
  if (profileDir) {
    console.log(`\nthe service's main thread during the measured login windows (${profileDir}; share of samples, each charged to the innermost package or service code on its stack):\n`);
    console.log('| share | where |\n|---:|---|');
    for (const { what, share } of summariseProfiles(profileDir, loginWindows).filter((r) => r.share >= 0.005)) {
      console.log(`| ${(share * 100).toFixed(1)} % | ${what} |`);
    }
  }
}

async function sanityCheck(base: string, body: string) {
  const res = await fetch(`${base}/auth/login`, { method: 'POST', headers: { ...CLIENT, 'content-type': 'application/json' }, body });
  const answer = (await res.json()) as { access_token?: string };
  if (res.status !== 201 || !answer.access_token) throw new Error(`a directory login did not give tokens: ${res.status} ${JSON.stringify(answer)}`);
}

/** Runs a login loop (bench/ldap-loop.ts) in its own process, reading the CPU meters over exactly its measured window. */
async function loginLoop(
  script: string,
  name: string,
  directoryEnv: NodeJS.ProcessEnv,
  startMeters: () => Promise<unknown>,
  readMeters: () => Promise<{ slapd: number }>,
  rate?: number,
): Promise<Measured> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      ...directoryEnv,
      SECONDS: String(seconds),
      CONCURRENCY: String(connections),
      RATE: rate ? String(rate) : '',
      USERNAME,
      PASSWORD: DEMO_PASSWORD,
    },
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
  if (code !== 0 || !result || !costs) throw new Error(`${script} exited with ${code}`);
  return { name, rps: result.rps, p50: result.p50, p99: result.p99, non2xx: 0, errors: 0, requests: result.count, costs };
}

function report(results: Round[], memory: ReturnType<RssSampler['stop']>, machine: { before: string; after: string }, pgVersion: string) {
  const med = (f: (r: Round) => number) => median(results.map(f));
  const adapterRatio = med((r) => r.adapter.rps / r.bare.rps);
  const loginRatio = med((r) => r.login.rps / r.bare.rps);
  const pkg = (name: string) => JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8')).version as string;
  const slapdVersion = /slapd ([\d.]+\S*)/.exec(spawnSync('/usr/sbin/slapd', ['-VV']).stderr.toString())?.[1];
  const serviceOwn = med((r) => r.login.costs.service + r.login.costs.postgres);
  const ms = (x: number) => x.toFixed(3);
  const goal = (ratio: number) => `≥ 0.8: ${ratio >= 0.8 ? 'met' : 'missed'}`;
  const row = (label: string, pick: (r: Round) => Measured, ratio: string, target: string, counted = false) =>
    `| ${label} | ${med((r) => pick(r).rps).toFixed(1)} | ${med((r) => pick(r).p50).toFixed(1)} | ${med((r) => pick(r).p99).toFixed(1)} | ` +
    `${counted ? results.reduce((n, r) => n + pick(r).non2xx, 0) : '–'} | ${counted ? results.reduce((n, r) => n + pick(r).errors, 0) : '–'} | ${ratio} | ${target} |`;
  const cost = (pick: (c: Costs) => number) => (figure: (r: Round) => Measured) => ms(med((r) => pick(figure(r).costs)));
  const ldapEnv = Object.entries(process.env).filter(([k]) => k.startsWith('CIAM_LDAP_'));
  const lines = [
    `machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; PostgreSQL ${pgVersion}; ` +
      `slapd ${slapdVersion ?? '?'} (mdb, ppolicy); ldapts ${pkg('ldapts')}, fastify ${pkg('fastify')}, pg ${pkg('pg')}, autocannon ${pkg('autocannon')}`,
    `settings: ${rounds} interleaved rounds of 1 s warm-up + ${seconds} s per figure, ${connections} logins in flight, ` +
      `${ldapEnv.length ? ldapEnv.map(([k, v]) => `${k}=${v}`).join(' ') : "the adapter's default CIAM_LDAP_* settings"}; ` +
      'service, slapd, PostgreSQL and load generator on the same machine',
    `uptime before: ${machine.before}`,
    `uptime after:  ${machine.after}`,
    '',
    '| figure | logins/s (median) | p50 ms | p99 ms | non-2xx | errors | × bare loop | target |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
    row('bare ldapts search + bind (ppolicy control)', (r) => r.bare, '1.000', ''),
    row('the adapter alone: LdapDirectory.authenticate()', (r) => r.adapter, adapterRatio.toFixed(3), goal(adapterRatio)),
    row(`POST /auth/login (${USERNAME}, LDAP directory, no MFA)`, (r) => r.login, loginRatio.toFixed(3), goal(loginRatio), true),
    '',
    'CPU per login, ms (median over the rounds; /proc/<pid>/stat utime + stime over the measured window):',
    '',
    "| process | POST /auth/login | adapter alone | bare loop | bare loop at the login's rate |",
    '|---|---:|---:|---:|---:|',
    `| the service (node dist/main.js, all threads) | ${cost((c) => c.service)((r) => r.login)} | – | – | – |`,
    `| PostgreSQL backends of the bench database | ${cost((c) => c.postgres)((r) => r.login)} | – | – | – |`,
    `| **service + PostgreSQL** | **${ms(serviceOwn)}** | – | – | – |`,
    `| the loop's own process (ldapts client) | – | ${cost((c) => c.client)((r) => r.adapter)} | ${cost((c) => c.client)((r) => r.bare)} | ` +
      `${cost((c) => c.client)((r) => r.paced)} |`,
    `| slapd (the directory) | ${cost((c) => c.slapd)((r) => r.login)} | ${cost((c) => c.slapd)((r) => r.adapter)} | ` +
      `${cost((c) => c.slapd)((r) => r.bare)} | ${cost((c) => c.slapd)((r) => r.paced)} |`,
    '',
    `10,000 logins/s need ≈ ${(serviceOwn * 10).toFixed(1)} vCPU for the service and PostgreSQL at this CPU per login ` +
      `(${(med((r) => r.login.costs.service) * 10).toFixed(1)} + ${(med((r) => r.login.costs.postgres) * 10).toFixed(1)}), ` +
      `and ≈ ${(med((r) => r.login.costs.slapd) * 10).toFixed(1)} vCPU of directory`,
    `service resident memory (VmRSS, sampled every 200 ms): peak ${memory.peak.toFixed(0)} MiB, steady ${memory.steady.toFixed(0)} MiB ` +
      `(median under login load) — target ≤ 250 MB: ${memory.peak * 2 ** 20 <= 250e6 ? 'met' : 'missed'}`,
    '',
    'per round (logins/s): bare ' + results.map((r) => r.bare.rps.toFixed(0)).join('/') +
      '; adapter ' + results.map((r) => r.adapter.rps.toFixed(0)).join('/') +
      '; login ' + results.map((r) => r.login.rps.toFixed(0)).join('/') +
      '; paced bare ' + results.map((r) => r.paced.rps.toFixed(0)).join('/'),
    'per round, × bare loop: adapter ' + results.map((r) => (r.adapter.rps / r.bare.rps).toFixed(3)).join('/') +
      '; login ' + results.map((r) => (r.login.rps / r.bare.rps).toFixed(3)).join('/'),
    'per round, service + PostgreSQL ms per login: ' + results.map((r) => ms(r.login.costs.service + r.login.costs.postgres)).join('/'),
  ];
  console.log(lines.join('\n'));
}

await main();
