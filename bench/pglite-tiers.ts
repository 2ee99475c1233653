/**
 * `node --import tsx bench/pglite-tiers.ts`: the embedded engine's statements with its WASM on
 * V8's baseline compiler only (as the service runs it, src/store/engines/wasm-tiering.ts) and with
 * V8's default tiering, in child processes taking turns. Each child runs rounds of single-row
 * statements by key (insert, select, update — the shape of the service's own) and one aggregate
 * over the whole table, and prints statements per second and the aggregate's time per round.
 *
 *   BENCH_ROUNDS   rounds per child (default 6); the first is the warm-up and is not counted
 *   BENCH_TURNS    children per kind, alternating (default 2)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { median } from './proc.js';

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const turns = Number(process.env.BENCH_TURNS ?? 2);
const ROWS_PER_ROUND = 3_000;

async function child() {
  const db = await PGlite.create();
  await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL, n int NOT NULL); CREATE INDEX ON t (n)');
  const result: { statementsPerSecond: number; aggregateMs: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const t0 = performance.now();
    for (let i = 0; i < ROWS_PER_ROUND; i++) {
      const id = round * 1_000_000 + i;
      await db.query('INSERT INTO t VALUES ($1, $2, $3)', [id, `value ${i}`, i % 97]);
      await db.query('SELECT v, n FROM t WHERE id = $1', [id]);
      await db.query('UPDATE t SET n = n + 1 WHERE id = $1', [id]);
    }
    const t1 = performance.now();
    await db.query('SELECT n, count(*), max(v) FROM t GROUP BY n ORDER BY count(*) DESC, n');
    const t2 = performance.now();
    result.push({ statementsPerSecond: (3 * ROWS_PER_ROUND) / ((t1 - t0) / 1000), aggregateMs: t2 - t1 });
  }
  await db.close();
  process.stdout.write(JSON.stringify(result.slice(1)));
}

function main() {
  const kinds = [
    { name: 'baseline only (the service)', flags: ['--no-wasm-dynamic-tiering', '--no-wasm-tier-up'] },
    { name: "V8's default tiering", flags: ['--wasm-dynamic-tiering', '--wasm-tier-up'] },
  ];
  const seen = new Map<string, { statementsPerSecond: number; aggregateMs: number }[]>();
  for (let turn = 0; turn < turns; turn++) {
    for (const kind of turn % 2 === 0 ? kinds : [...kinds].reverse()) {
      const run = spawnSync(process.execPath, [...kind.flags, '--import', 'tsx', fileURLToPath(import.meta.url), '--child'], {
        env: { ...process.env, BENCH_ROUNDS: String(rounds) },
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`${kind.name}: ${run.stderr}`);
      const rows = JSON.parse(run.stdout) as { statementsPerSecond: number; aggregateMs: number }[];
      seen.set(kind.name, [...(seen.get(kind.name) ?? []), ...rows]);
      console.error(`${kind.name}: ${rows.map((r) => r.statementsPerSecond.toFixed(0)).join(' / ')} statements/s`);
    }
  }
  console.log('| WASM tiering | statements/s (median of rounds) | aggregate over the table, ms (median) |');
  console.log('|---|---:|---:|');
  for (const [name, rows] of seen) {
    console.log(`| ${name} | ${median(rows.map((r) => r.statementsPerSecond)).toFixed(0)} | ${median(rows.map((r) => r.aggregateMs)).toFixed(1)} |`);
  }
}

if (process.argv.includes('--child')) await child();
else main();
