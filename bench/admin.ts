import pg from 'pg';

/** The admin connection the benches create and drop their databases through. */
export const adminUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Another database of the server whose admin connection is `server` (default: adminUrl). */
export function databaseUrl(name: string, server = adminUrl): string {
  const u = new URL(server);
  u.pathname = `/${name}`;
  return u.toString();
}

/** One statement on a connection of its own (CREATE / DROP DATABASE cannot run in a pool's transaction). */
export async function admin(sql: string, server = adminUrl) {
  const c = new pg.Client({ connectionString: server });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}
