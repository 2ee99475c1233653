/**
 * `npm run bench:volume`: the seed's volumes in a fresh PostgreSQL database, then the seed's query
 * table, the service's hot paths and journey steps as ratios to an empty database, and every
 * maintenance job. Results are printed and written into docs/performance.md. See that page.
 *
 *   BENCH_POSTGRES_URL        admin connection (default postgres://postgres@127.0.0.1:5432/postgres)
 *   BENCH_VOLUME_SCALE        every volume × this (default 1; 0.01 for a quick run while developing)
 *   BENCH_ROUNDS              interleaved rounds for the service figures (default 3)
 *   BENCH_SECONDS             measured seconds per figure and round (default 3), after a 1 s warm-up
 *   BENCH_CONNECTIONS         concurrent connections for verify and refresh (default 50; login 16, journeys 8)
 *   BENCH_SKIP_BUILD=1        use the existing dist/ instead of running `npm run build`
 *   BENCH_KEEP=1              keep both databases (their names are printed)
 *   BENCH_VOLUME_NO_DOCS=1    print only; leave docs/performance.md alone
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { admin, databaseUrl } from '../admin.js';
import { measure, type Load } from '../load.js';
import { startService, type Child } from '../processes.js';
import { benchServiceEnv, GATEWAY_KEY } from '../service-env.js';
import { seedSessions } from '../seed.js';
import { fill } from './fill.js';
import { measureJobs } from './jobs.js';
import { measureJourneys, type JourneyFigure } from './journey-load.js';
import { measureQueries, type QueryFigure } from './queries.js';
import { renderMarkdown, renderPlans, SCALE_NOTE, writeIntoDocs, type ServiceFigure, type VolumeResults } from './report.js';
import { VOLUME } from './shape.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CLIENT = { 'x-client-id': 'web-banking' };
/** Sessions of the empty database: only the ones the load presents (even ones verified, odd ones refreshed). */
const EMPTY_SESSIONS = 120_000;

const stamp = Date.now().toString(36);
const names = { full: `ciam_volume_${stamp}_full`, empty: `ciam_volume_${stamp}_empty` };
const urlOf = databaseUrl;
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');

async function main() {
  const loadAtStart = load();
  if (!process.env.BENCH_SKIP_BUILD) execSync('npm run build', { stdio: 'inherit' });
  for (const name of Object.values(names)) await admin(`CREATE DATABASE ${name}`);
  log(`databases ${names.full} and ${names.empty}${SCALE_NOTE}`);
  const children: Child[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'ciam-volume-'));
  try {
    for (const name of Object.values(names)) {
      const db = await openPostgres({ connectionString: urlOf(name), poolMax: 2, statementTimeoutMs: 0 });
      await migrate(db);
      if (name === names.empty) await seedSessions(db, EMPTY_SESSIONS);
      await db.close();
    }
    const fillReport = await fill(urlOf(names.full), log);
    const loadAfterFill = load();
    log(`fill done in ${(fillReport.phases.total / 60).toFixed(1)} min; load ${loadAfterFill}`);

    const full = await openPostgres({ connectionString: urlOf(names.full), poolMax: 2, statementTimeoutMs: 0 });
    const rowCounts: Record<string, number> = {};
    let pgVersion = '';
    let queries: QueryFigure[];
    try {
      for (const t of ['auth_contexts', 'auth_transactions', 'sessions', 'tokens', 'trusted_devices', 'drs_evaluations', 'audit_logs']) {
        rowCounts[t] = Number((await full.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n);
      }
      pgVersion = (await full.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
      log('query table');
      queries = await measureQueries(full);
    } finally {
      await full.close();
    }

    // The journeys send a code to one demo customer hundreds of times an hour.
    const env = (db: string) => ({ ...benchServiceEnv(urlOf(db), dataDir), CIAM_MFA_CODES_PER_HOUR: '1000000000' });
    const port = 19_000 + Math.floor(Math.random() * 500);
    const services = {
      empty: await startService(port, env(names.empty), join(dataDir, 'empty.log')),
      full: await startService(port + 1, env(names.full), join(dataDir, 'full.log')),
    };
    children.push(services.empty, services.full);
    const base = (which: 'empty' | 'full') => `http://127.0.0.1:${services[which].port}`;

    // Verified tokens are the even sessions, refreshed ones the odd: a refresh never retires a token the verify load presents.
    const sessionsOf = { empty: EMPTY_SESSIONS, full: VOLUME.sessions };
    const verifyBody = (which: 'empty' | 'full') => () => ({
      body: JSON.stringify({ token: `bench-access-${2 * Math.floor((Math.random() * sessionsOf[which]) / 2)}` }),
    });
    const refreshed = { empty: 0, full: 0 };
    const nextRefresh = (which: 'empty' | 'full') => {
      const half = sessionsOf[which] / 2;
      const n = refreshed[which]++;
      if (n >= half) throw new Error(`the ${which} database ran out of refresh tokens`);
      // A stride through the odd sessions: distinct, and spread over the whole table.
      return 2 * ((n * 7919) % half) + 1;
    };
    const loginBody = JSON.stringify({ username: 'simpleuser', password: 'SecurePass123!', transmit_aid: 'bench' });
    const loads = (which: 'empty' | 'full'): [string, Load][] => [
      ['POST /auth/token/verify', { url: `${base(which)}/auth/token/verify`, headers: { ...CLIENT, 'x-api-key': GATEWAY_KEY }, next: verifyBody(which), connections, seconds }],
      [
        'POST /auth/refresh',
        { url: `${base(which)}/auth/refresh`, headers: CLIENT, next: () => ({ headers: { cookie: `refresh_token=bench-refresh-${nextRefresh(which)}` } }), connections, seconds },
      ],
      ['POST /auth/login (simpleuser)', { url: `${base(which)}/auth/login`, headers: CLIENT, next: () => ({ body: loginBody }), connections: 16, seconds }],
    ];
    const service = new Map<string, ServiceFigure>();
    const journeys = { empty: [] as JourneyFigure[], full: [] as JourneyFigure[] };
    for (let round = 1; round <= rounds; round++) {
      // Alternate which database goes first, so that a drift in the machine's load favours neither.
      const order: ('empty' | 'full')[] = round % 2 ? ['empty', 'full'] : ['full', 'empty'];
      for (let k = 0; k < 3; k++) {
        for (const which of order) {
          const [name, l] = loads(which)[k]!;
          const f = await measure(name, l);
          if (f.non2xx || f.errors) log(`${name} on ${which}: ${f.non2xx} non-2xx, ${f.errors} errors`);
          const entry = service.get(name) ?? { name, empty: [], full: [], unit: 'req/s' };
          entry[which].push(f.rps);
          service.set(name, entry);
          log(`round ${round} ${which} ${name}: ${f.rps.toFixed(1)} req/s`);
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      for (const which of order) {
        const j = await measureJourneys(base(which), `${which}${round}`, 8, seconds);
        journeys[which].push(j);
        const entry = service.get('MFA journeys (4 steps)') ?? { name: 'MFA journeys (4 steps)', empty: [], full: [], unit: 'journeys/s' };
        entry[which].push(j.journeysPerSecond);
        service.set(entry.name, entry);
        log(`round ${round} ${which} journeys: ${j.journeysPerSecond.toFixed(1)}/s, ${j.failures} failed`);
      }
    }

    log('maintenance jobs');
    const jobs = await measureJobs({
      dbUrl: urlOf(names.full),
      servicePort: services.full.port,
      headers: { ...CLIENT, 'x-api-key': GATEWAY_KEY },
      verifyBody: () => verifyBody('full')().body,
      env: env(names.full),
      concurrency: 8,
      log,
    });

    const results: VolumeResults = {
      command: `${VOLUME.scale === 1 ? '' : `BENCH_VOLUME_SCALE=${VOLUME.scale} `}npm run bench:volume`,
      machine:
        `${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; PostgreSQL ${pgVersion}; ` +
        `${rounds} interleaved rounds of 1 s warm-up + ${seconds} s per figure, verify and refresh ${connections} connections, login 16, journeys 8; ` +
        `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      load: { start: loadAtStart, afterFill: loadAfterFill, end: load() },
      fill: fillReport,
      rowCounts,
      queries,
      service: [...service.values()],
      journeys,
      jobs,
    };
    const markdown = renderMarkdown(results);
    console.log(markdown);
    console.log(`\n${renderPlans(results)}`);
    writeFileSync(join(tmpdir(), `ciam-volume-${stamp}.json`), JSON.stringify(results, null, 1));
    if (!process.env.BENCH_VOLUME_NO_DOCS) {
      if (writeIntoDocs('docs/performance.md', markdown)) log('docs/performance.md updated');
      else log('docs/performance.md has no bench:volume markers; nothing written');
    }
  } finally {
    for (const c of children) await c.stop();
    if (!process.env.BENCH_KEEP) for (const name of Object.values(names)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
