import pg from 'pg';
import { databaseUrl } from './admin.js';

/** A database name unique to this run and its URL (not created yet). */
export function benchDatabase(prefix: string): { name: string; url: string } {
  const name = `${prefix}_${Date.now().toString(36)}`;
  return { name, url: databaseUrl(name) };
}

async function withClient<T>(url: string, work: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await work(c);
  } finally {
    await c.end();
  }
}

/**
 * Waits (at most 60 s) until no autovacuum worker runs on the bench database, so that the clean-up
 * after one figure's writes does not take the CPU from the next figure.
 */
export async function settle(url: string): Promise<void> {
  await withClient(url, async (c) => {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const { rows } = await c.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = current_database()`,
      );
      if (rows[0]!.n === 0) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  });
}

/** Process ids of the client backends connected to a database (other than the asking one). */
export async function backendPids(adminClient: pg.Client, database: string): Promise<number[]> {
  const { rows } = await adminClient.query<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()`,
    [database],
  );
  return rows.map((r) => r.pid);
}

/**
 * Writes every dirty page out now (CHECKPOINT, which also fsyncs them) and waits for autovacuum to
 * finish, so that what is measured next does not share the disk and the CPU with the write-back of
 * what came before. Answers the checkpoint's seconds.
 */
export async function checkpointAndSettle(url: string): Promise<number> {
  const t = performance.now();
  await withClient(url, (c) => c.query('CHECKPOINT'));
  const seconds = (performance.now() - t) / 1000;
  await settle(url);
  return seconds;
}

/**
 * Loads tables and all their indexes into PostgreSQL's cache (pg_prewarm), as a primary that has
 * been serving them holds them — and as a restarted one does again with pg_prewarm's autoprewarm.
 * Answers the 8 kB blocks loaded.
 */
export async function loadIntoCache(url: string, tables: string[]): Promise<number> {
  return withClient(url, async (c) => {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_prewarm');
    const { rows } = await c.query<{ blocks: string }>(
      `SELECT sum(pg_prewarm(r))::bigint AS blocks FROM (
         SELECT unnest($1::text[]::regclass[]) AS r
         UNION ALL SELECT indexrelid::regclass FROM pg_index WHERE indrelid = ANY ($1::text[]::regclass[])
       ) hot`,
      [tables],
    );
    return Number(rows[0]!.blocks);
  });
}
