/**
 * `npm run bench:volume`: the seed's volumes in a fresh PostgreSQL database, then the seed's query
 * table, the service's hot paths and journey steps as ratios to an empty database, and every
 * maintenance job. Results are printed and written into docs/performance.md. See that page.
 *
 *   BENCH_POSTGRES_URL        admin connection of an existing server to use; unset (the default), the run starts a
 *                             dedicated throw-away cluster sized as a production primary (bench/dedicated-postgres.ts)
 *   BENCH_VOLUME_SCALE        every volume × this (default 1; a quick run while developing: 0.1 with one round of 1 s —
 *                             a scale too small for the refresh load asked for is refused before the fill)
 *   BENCH_ROUNDS              interleaved rounds for the service figures (default 5)
 *   BENCH_SECONDS             measured seconds per figure and round (default 3), after a 1 s warm-up
 *   BENCH_CONNECTIONS         concurrent connections for verify and refresh (default 50; login 16, journeys 8)
 *   BENCH_SKIP_BUILD=1        use the existing dist/ instead of running `npm run build`
 *   BENCH_KEEP=1              keep both databases (their names are printed) and the dedicated cluster running
 *   BENCH_VOLUME_NO_DOCS=1    print only; leave docs/performance.md alone
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { migrate } from '../../src/store/migrate.js';
import { admin, adminUrl, databaseUrl } from '../admin.js';
import { checkpointAndSettle, loadIntoCache, settle } from '../bench-database.js';
import { startDedicatedPostgres, type DedicatedPostgres } from '../dedicated-postgres.js';
import { measure, type Load } from '../load.js';
import { startService, type Child } from '../processes.js';
import { benchServiceEnv, GATEWAY_KEY } from '../service-env.js';
import { seedSessions } from '../seed.js';
import { fill } from './fill.js';
import { measureJobs } from './jobs.js';
import { measureJourneys, type JourneyFigure } from './journey-load.js';
import { measureQueries, type QueryFigure } from './queries.js';
import { renderMarkdown, renderPlans, SCALE_NOTE, writeIntoDocs, type ServiceFigure, type VolumeResults, type WarmUpFigure } from './report.js';
import { WalMeter } from './wal-meter.js';
import { VOLUME } from './shape.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CLIENT = { 'x-client-id': 'web-banking' };
/** Uncounted calls of each query before the timed ones: past the five custom-plan executions of a named statement. */
const QUERY_WARM_UP = 200;
/** Passes of 1,000 keys per query once settled; each figure is the pass with the median p99. */
const QUERY_PASSES = 3;
/**
 * What every gateway verify and refresh reads, over all live sessions: on a primary that serves
 * them it stays in the cache (docs/operations.md, "Sizing the primary"); right after the fill, the
 * audit log's ten million rows and index builds have pushed much of it out.
 */
const HOT_SET = ['tokens', 'sessions'];
const REFRESH = 'POST /auth/refresh';
/**
 * Seconds of verify, refresh and login in the round that is not counted: refresh long enough to get
 * the full database past the checkpoint's full-page images (fewer pages in a scaled-down fill).
 */
const WARM_UP_SECONDS = [3, Math.max(1, Math.round(10 * VOLUME.scale)), 3];
/**
 * Sessions of the empty database: only the ones the load presents (even ones verified, odd ones
 * refreshed). Each refresh retires its token, so the odd half must outlast every refresh load
 * (each figure's 1 s warm-up and the uncounted round included) at up to 4,500 refreshes per
 * second; never fewer than 120,000.
 */
const EMPTY_SESSIONS = Math.max(120_000, 2 * 4_500 * (WARM_UP_SECONDS[1]! + 1 + rounds * (seconds + 1)));

/**
 * The full database's odd sessions must outlast the same refresh load. At full scale they do many
 * times over; a scaled-down fill can hold too few, and the run would stop after the fill with no
 * figures, so it is refused before it starts.
 */
function refusedScale(): string | undefined {
  const needed = 4_500 * (WARM_UP_SECONDS[1]! + 1 + rounds * (seconds + 1));
  const held = VOLUME.sessions / 2;
  if (held >= needed) return undefined;
  const smallest = Math.ceil((VOLUME.scale * needed * 100) / held) / 100;
  return (
    `BENCH_VOLUME_SCALE=${VOLUME.scale} gives the full database ${held} refresh tokens, and ${rounds} rounds of ${seconds} s ` +
    `of refresh can use up to ${needed} (4,500 a second): use BENCH_VOLUME_SCALE=${smallest} or more, or fewer rounds or seconds`
  );
}

const stamp = Date.now().toString(36);
const names = { full: `ciam_volume_${stamp}_full`, empty: `ciam_volume_${stamp}_empty` };
/** The server's settings named in the report, whichever server it is. */
const REPORTED_SETTINGS = ['shared_buffers', 'effective_cache_size', 'max_wal_size', 'checkpoint_timeout', 'wal_compression', 'fsync', 'synchronous_commit'];
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const load = () => loadavg().map((x) => x.toFixed(2)).join(' / ');

const logQueries = (figures: QueryFigure[]) => {
  for (const q of figures) {
    const passes = q.passP99s.length > 1 ? ` (the median of passes with p99 ${q.passP99s.map((p) => p.toFixed(2)).join(' / ')})` : '';
    log(`  ${q.name}: p50 ${q.p50.toFixed(2)} ms, p99 ${q.p99.toFixed(2)} ms${passes} (SELECT 1 × ${q.roundTrips} beside it: p99 ${q.floorP99.toFixed(2)} ms)`);
  }
};

const hugePagesNote = (cluster: DedicatedPostgres | undefined) =>
  !cluster ? '' : 'pages' in cluster.hugePages ? `, in ${cluster.hugePages.pages} huge pages of 2 MB` : `, without huge pages (${cluster.hugePages.without})`;

async function main() {
  const refused = refusedScale();
  if (refused) throw new Error(refused);
  const loadAtStart = load();
  if (!process.env.BENCH_SKIP_BUILD) execSync('npm run build', { stdio: 'inherit' });
  const children: Child[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'ciam-volume-'));
  let cluster: DedicatedPostgres | undefined;
  const keep = Boolean(process.env.BENCH_KEEP);
  let finished = false;
  // A run that fails (an uncaught error exits without reaching `finally`) or is interrupted leaves
  // nothing behind: the services, the cluster and its directory go. Synchronous: it runs on 'exit'.
  const leaveNothing = () => {
    if (finished) return;
    finished = true;
    for (const c of children) c.process.kill('SIGKILL');
    cluster?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`${signal}: stopping`);
    leaveNothing();
    process.exit(130);
  };
  process.once('exit', leaveNothing);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, onSignal);
  try {
    if (!process.env.BENCH_POSTGRES_URL) {
      cluster = await startDedicatedPostgres();
      log(`dedicated PostgreSQL cluster at ${cluster.url} (${cluster.dataDir})`);
    }
    if (cluster) log(`shared memory${hugePagesNote(cluster)}`);
    const server = cluster?.url ?? adminUrl;
    const urlOf = (name: string) => databaseUrl(name, server);
    for (const name of Object.values(names)) await admin(`CREATE DATABASE ${name}`, server);
    log(`databases ${names.full} and ${names.empty}${SCALE_NOTE}`);
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
    let settings: Record<string, string> = {};
    let sizes = { database: 0, tokensAndSessions: 0 };
    let coldQueries: QueryFigure[];
    try {
      for (const t of ['auth_contexts', 'auth_transactions', 'sessions', 'tokens', 'trusted_devices', 'drs_evaluations', 'audit_logs']) {
        rowCounts[t] = Number((await full.query<{ n: string }>(`SELECT count(*) AS n FROM ${t}`)).rows[0]!.n);
      }
      pgVersion = (await full.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v;
      const { rows: size } = await full.query<{ database: string; hot: string }>(
        `SELECT pg_database_size(current_database()) AS database,
                pg_total_relation_size('tokens') + pg_total_relation_size('sessions') AS hot`,
      );
      sizes = { database: Number(size[0]!.database), tokensAndSessions: Number(size[0]!.hot) };
      const { rows } = await full.query<{ name: string; value: string }>(
        `SELECT name, current_setting(name) AS value FROM pg_settings WHERE name = ANY($1)`,
        [REPORTED_SETTINGS],
      );
      settings = Object.fromEntries(REPORTED_SETTINGS.map((n) => [n, rows.find((r) => r.name === n)?.value ?? '?']));
      // First as the database is right after the fill: no checkpoint since, one uncounted call of each query (as measured before).
      log('query table right after the fill');
      coldQueries = await measureQueries(full, 1);
      logQueries(coldQueries);
    } finally {
      await full.close();
    }
    const checkpointSeconds = await checkpointAndSettle(urlOf(names.full));
    log(`CHECKPOINT in ${checkpointSeconds.toFixed(1)} s, autovacuum settled`);
    // Then as a service that has been running sees it: a connection of its own, warmed on keys not
    // counted; once as the fill left the cache, then with the gateway's hot set loaded into it.
    const settledQueries = async (what: string) => {
      const settled = await openPostgres({ connectionString: urlOf(names.full), poolMax: 2, statementTimeoutMs: 0 });
      try {
        log(`query table ${what}`);
        const figures = await measureQueries(settled, QUERY_WARM_UP, QUERY_PASSES);
        logQueries(figures);
        return figures;
      } finally {
        await settled.close();
      }
    };
    const unloadedQueries = await settledQueries('after the checkpoint, warmed');
    const loadStarted = performance.now();
    const hotBlocks = await loadIntoCache(urlOf(names.full), HOT_SET);
    const hotSet = { tables: HOT_SET, blocks: hotBlocks, seconds: (performance.now() - loadStarted) / 1000 };
    log(`hot set (${HOT_SET.join(', ')} and their indexes) loaded into the cache: ${hotBlocks} blocks in ${hotSet.seconds.toFixed(1)} s`);
    const queries = await settledQueries('with the hot set in the cache, warmed');

    // The journeys send a code to one demo customer hundreds of times an hour.
    const env = (db: string) => ({ ...benchServiceEnv(urlOf(db), dataDir), CIAM_MFA_CODES_PER_HOUR: '1000000000' });
    const port = 19_000 + Math.floor(Math.random() * 500);
    const started = async (p: number, which: 'empty' | 'full') => {
      const child = await startService(p, env(names[which]), join(dataDir, `${which}.log`));
      children.push(child);
      return child;
    };
    const services = { empty: await started(port, 'empty'), full: await started(port + 1, 'full') };
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
        REFRESH,
        { url: `${base(which)}/auth/refresh`, headers: CLIENT, next: () => ({ headers: { cookie: `refresh_token=bench-refresh-${nextRefresh(which)}` } }), connections, seconds },
      ],
      ['POST /auth/login (simpleuser)', { url: `${base(which)}/auth/login`, headers: CLIENT, next: () => ({ body: loginBody }), connections: 16, seconds }],
    ];
    const service = new Map<string, ServiceFigure>();
    const journeys = { empty: [] as JourneyFigure[], full: [] as JourneyFigure[] };
    const fpiPerRefresh = { empty: [] as number[], full: [] as number[] };
    const warmUp: WarmUpFigure[] = [];
    const wal = await WalMeter.open(urlOf(names.full));
    const pause = () => new Promise((r) => setTimeout(r, 1000));
    // As bench/run.ts: the clean-up after one figure's writes must not run during the next one.
    const settleBoth = () => Promise.all([settle(urlOf(names.empty)), settle(urlOf(names.full))]);
    try {
      // A round that is not counted: both services past their first requests, and each database past
      // the full-page images that every page's first change after the CHECKPOINT above writes into
      // the WAL. The full database has many more pages to go through (docs/performance.md).
      for (const which of ['empty', 'full'] as const) {
        for (const [k, warmSeconds] of WARM_UP_SECONDS.entries()) {
          const [name, l] = loads(which)[k]!;
          await settleBoth();
          const meter = wal.window();
          const f = await measure(name, { ...l, seconds: warmSeconds }, meter);
          const fpi = f.requests ? meter.result().fpi / f.requests : 0;
          warmUp.push({ name, which, seconds: warmSeconds, rps: f.rps, fpiPerRequest: fpi });
          log(`warm-up ${which} ${name}: ${f.rps.toFixed(1)} req/s over ${warmSeconds} s, ${fpi.toFixed(2)} full-page images per request`);
          await pause();
        }
        await measureJourneys(base(which), `${which}0`, 8, 2);
      }
      for (let round = 1; round <= rounds; round++) {
        // Alternate which database goes first, so that a drift in the machine's load favours neither.
        const order: ('empty' | 'full')[] = round % 2 ? ['empty', 'full'] : ['full', 'empty'];
        for (let k = 0; k < 3; k++) {
          for (const which of order) {
            const [name, l] = loads(which)[k]!;
            await settleBoth();
            const meter = wal.window();
            const f = await measure(name, l, meter);
            if (f.non2xx || f.errors) log(`${name} on ${which}: ${f.non2xx} non-2xx, ${f.errors} errors`);
            const entry = service.get(name) ?? { name, empty: [], full: [], unit: 'req/s' };
            entry[which].push(f.rps);
            service.set(name, entry);
            let extra = '';
            if (name === REFRESH) {
              fpiPerRefresh[which].push(f.requests ? meter.result().fpi / f.requests : 0);
              extra = `, ${fpiPerRefresh[which].at(-1)!.toFixed(2)} full-page images per refresh`;
            }
            log(`round ${round} ${which} ${name}: ${f.rps.toFixed(1)} req/s${extra}`);
            await pause();
          }
        }
        for (const which of order) {
          await settleBoth();
          const j = await measureJourneys(base(which), `${which}${round}`, 8, seconds);
          journeys[which].push(j);
          const entry = service.get('MFA journeys (4 steps)') ?? { name: 'MFA journeys (4 steps)', empty: [], full: [], unit: 'journeys/s' };
          entry[which].push(j.journeysPerSecond);
          service.set(entry.name, entry);
          log(`round ${round} ${which} journeys: ${j.journeysPerSecond.toFixed(1)}/s, ${j.failures} failed`);
        }
      }
    } finally {
      await wal.close();
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
      command: `${VOLUME.scale === 1 ? '' : `BENCH_VOLUME_SCALE=${VOLUME.scale} `}${process.env.BENCH_POSTGRES_URL ? 'BENCH_POSTGRES_URL=… ' : ''}npm run bench:volume`,
      server: `${cluster ? 'a dedicated cluster started for the run' : 'the server at BENCH_POSTGRES_URL'}: ${Object.entries(settings)
        .map(([n, v]) => `${n} ${v}`)
        .join(', ')}${hugePagesNote(cluster)}`,
      machine:
        `${cpus()[0]?.model ?? '?'} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; node ${process.version}; PostgreSQL ${pgVersion}; ` +
        `${rounds} interleaved rounds of 1 s warm-up + ${seconds} s per figure, verify and refresh ${connections} connections, login 16, journeys 8; ` +
        `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
      load: { start: loadAtStart, afterFill: loadAfterFill, end: load() },
      fill: fillReport,
      rowCounts,
      sizes,
      queries,
      unloadedQueries,
      hotSet,
      coldQueries,
      checkpointSeconds,
      service: [...service.values()],
      journeys,
      warmUp,
      fpiPerRefresh,
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
    if (keep) {
      if (cluster) {
        const pages = 'pages' in cluster.hugePages ? `, and give back its huge pages (sysctl vm.nr_hugepages)` : '';
        log(`kept: the cluster at ${cluster.url}; stop it with pg_ctl -D ${cluster.dataDir} stop, then remove ${join(cluster.dataDir, '..')}${pages}`);
      }
    } else if (cluster) {
      cluster.remove();
    } else {
      for (const name of Object.values(names)) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
    rmSync(dataDir, { recursive: true, force: true });
    finished = true;
    process.off('exit', leaveNothing);
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(signal, onSignal);
  }
}

await main();
