import pg from 'pg';
import { AGED_MONTHS, AUDIT_MONTHS_BACK, agedAuditRows, expiringSessions, retentionJourneys } from './backlog.js';
import { auditOfDay, drsOfDay, journeysOfDay, sessionsOfDay, stepsOfDay, tokensOfDay, trustedDevices, type FillStatement } from './day.js';
import { allIndexDefinitions, dropSecondaryIndexes, rebuildStatement } from './indexes.js';

export interface FillReport {
  /** Seconds of statement time per table (chunks summed), and rows. */
  tables: { table: string; rows: number; seconds: number }[];
  indexes: { name: string; seconds: number }[];
  phases: { rows: number; indexes: number; vacuum: number; total: number };
}

interface Task {
  name: string;
  after: string[];
  run(c: pg.Client): Promise<number>;
}

/** Rows per statement: big enough to be set-based, small enough to share out over two connections. */
const CHUNK = 1_000_000;
const CONNECTIONS = 2;

/**
 * Fills a freshly migrated database to the seed's volumes (bench/volume/shape.ts) on two
 * connections: secondary indexes set aside, every table inserted set-based in chunks, the indexes
 * built again from the migrations' definitions (checked to be identical), then VACUUM ANALYZE.
 * Foreign keys are not checked row by row during the fill (session_replication_role = replica);
 * the rows are consistent by construction and counted for orphans at the end.
 */
export async function fill(url: string, log: (line: string) => void): Promise<FillReport> {
  const t0 = Date.now();
  const dayEnd = new Date(t0).toISOString();
  const clients = await Promise.all(Array.from({ length: CONNECTIONS }, () => connect(url)));
  const [main] = clients as [pg.Client];
  try {
    for (let m = 1; m <= AUDIT_MONTHS_BACK; m++) {
      await main.query(`SELECT create_audit_partition(((now() AT TIME ZONE 'UTC') - make_interval(months => $1))::date)`, [m]);
    }
    const before = await allIndexDefinitions(main);
    const dropped = await dropSecondaryIndexes(main);
    log(`fill: ${dropped.length} secondary indexes set aside`);

    const tables = new Map<string, { rows: number; seconds: number }>();
    const statementTasks = (s: FillStatement, after: string[], name = s.table): Task[] => {
      const chunks: Task[] = [];
      for (let from = 0, k = 0; from < s.count; from += CHUNK, k++) {
        const to = Math.min(s.count, from + CHUNK) - 1;
        chunks.push({
          name: `${name}#${k}`,
          after,
          async run(c) {
            const t = Date.now();
            const r = await c.query(s.sql, [dayEnd, from, to]);
            const entry = tables.get(s.table) ?? { rows: 0, seconds: 0 };
            entry.rows += r.rowCount ?? 0;
            entry.seconds += (Date.now() - t) / 1000;
            tables.set(s.table, entry);
            return r.rowCount ?? 0;
          },
        });
      }
      return chunks;
    };
    const audit = statementTasks(auditOfDay, []);
    // Order matters only for what each connection picks next: the audit chunks fill the gaps.
    const tasks: Task[] = [
      ...statementTasks(journeysOfDay, [], 'journeys'),
      ...audit.slice(0, 1),
      ...statementTasks(sessionsOfDay, ['journeys#0'], 'sessions'),
      ...statementTasks(stepsOfDay, ['journeys#0']),
      ...statementTasks(tokensOfDay, ['sessions#0']),
      ...statementTasks(drsOfDay, ['journeys#0']),
      ...statementTasks(trustedDevices, []),
      ...statementTasks(retentionJourneys, []),
      ...statementTasks(expiringSessions, []),
      ...AGED_MONTHS.flatMap((m) => statementTasks(agedAuditRows(m), [])),
      ...audit.slice(1),
    ];
    const rowsStart = Date.now();
    await runTasks(clients, tasks, (task, seconds, rows) => log(`fill: ${task.name} ${rows} rows in ${seconds.toFixed(1)} s`));
    const rowsSeconds = (Date.now() - rowsStart) / 1000;

    const indexStart = Date.now();
    const indexes: FillReport['indexes'] = [];
    // The audit log's indexes first: they are the largest, and the rest fills in beside them.
    const ordered = [...dropped].sort((a, b) => Number(b.table === 'audit_logs') - Number(a.table === 'audit_logs'));
    await runTasks(
      clients,
      ordered.map((index) => ({
        name: index.name,
        after: [],
        async run(c) {
          const t = Date.now();
          await c.query(rebuildStatement(index));
          indexes.push({ name: index.name, seconds: (Date.now() - t) / 1000 });
          return 0;
        },
      })),
      (task, seconds) => log(`fill: index ${task.name} in ${seconds.toFixed(1)} s`),
    );
    const after = await allIndexDefinitions(main);
    if (JSON.stringify(after) !== JSON.stringify(before)) {
      throw new Error(`the rebuilt indexes differ from the migrations':\n${diff(before, after)}`);
    }
    const indexSeconds = (Date.now() - indexStart) / 1000;

    const vacuumStart = Date.now();
    const vacuum = ['audit_logs', 'auth_transactions', 'auth_contexts', 'drs_evaluations', 'tokens', 'sessions', 'trusted_devices'];
    await runTasks(
      clients,
      vacuum.map((table) => ({ name: `vacuum ${table}`, after: [], run: async (c) => (await c.query(`VACUUM (ANALYZE) ${table}`), 0) })),
      (task, seconds) => log(`fill: ${task.name} in ${seconds.toFixed(1)} s`),
    );
    const vacuumSeconds = (Date.now() - vacuumStart) / 1000;
    await checkReferences(main);
    return {
      tables: [...tables].map(([table, v]) => ({ table, ...v })),
      indexes,
      phases: { rows: rowsSeconds, indexes: indexSeconds, vacuum: vacuumSeconds, total: (Date.now() - t0) / 1000 },
    };
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  // The fill's own session only: nothing waits on its commits, no row-by-row trigger checks, and
  // room for sorting the index builds.
  await c.query(`SET synchronous_commit = off; SET session_replication_role = replica;
                 SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET statement_timeout = 0`);
  return c;
}

/** Runs tasks on the given connections, each taking the next task whose predecessors are done. */
async function runTasks(clients: pg.Client[], tasks: Task[], done: (task: Task, seconds: number, rows: number) => void): Promise<void> {
  const pending = [...tasks];
  const finished = new Set<string>();
  const running = new Set<string>();
  const waiters: (() => void)[] = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  const worker = async (c: pg.Client) => {
    for (;;) {
      const i = pending.findIndex((t) => t.after.every((a) => finished.has(a)));
      if (i < 0) {
        if (pending.length === 0) return;
        await new Promise<void>((r) => waiters.push(r));
        continue;
      }
      const [task] = pending.splice(i, 1) as [Task];
      running.add(task.name);
      const t = Date.now();
      try {
        const rows = await task.run(c);
        done(task, (Date.now() - t) / 1000, rows);
      } finally {
        running.delete(task.name);
        finished.add(task.name);
        wake();
      }
    }
  };
  await Promise.all(clients.map(worker));
}

/** The foreign keys the fill did not check row by row: no row may point at nothing. */
async function checkReferences(c: pg.Client): Promise<void> {
  const { rows } = await c.query<{ orphans: number }>(`
    SELECT (SELECT count(*) FROM auth_transactions t WHERE NOT EXISTS (SELECT 1 FROM auth_contexts c WHERE c.context_id = t.context_id))
         + (SELECT count(*) FROM auth_transactions t WHERE t.parent_transaction_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM auth_transactions p WHERE p.transaction_id = t.parent_transaction_id))
         + (SELECT count(*) FROM sessions s WHERE NOT EXISTS (SELECT 1 FROM auth_contexts c WHERE c.context_id = s.context_id))
         + (SELECT count(*) FROM tokens t WHERE NOT EXISTS (SELECT 1 FROM sessions s WHERE s.session_id = t.session_id))
         + (SELECT count(*) FROM drs_evaluations d WHERE NOT EXISTS (SELECT 1 FROM auth_contexts c WHERE c.context_id = d.context_id))
         AS orphans`);
  if (Number(rows[0]!.orphans) > 0) throw new Error(`the fill left ${rows[0]!.orphans} rows pointing at nothing`);
}

function diff(before: string[], after: string[]): string {
  const b = new Set(before);
  const a = new Set(after);
  return [...before.filter((d) => !a.has(d)).map((d) => `- ${d}`), ...after.filter((d) => !b.has(d)).map((d) => `+ ${d}`)].join('\n');
}
