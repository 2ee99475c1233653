import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';

/**
 * A throwaway PgBouncer in transaction pooling mode in front of a PostgreSQL server: its own temp
 * directory and config, a free loopback port, and every database of the server reachable by its
 * own name (the `*` fallback entry). Trust authentication, like the test server behind it. It runs
 * in the foreground as our child and logs to stderr.
 */
export interface Pgbouncer {
  port: number;
  /** `server` with host and port replaced by the bouncer's. */
  urlFor(server: string): string;
  close(): Promise<void>;
}

const PGBOUNCER = '/usr/sbin/pgbouncer';

export async function startPgbouncer(server: string, options: { poolSize?: number } = {}): Promise<Pgbouncer> {
  // Installed (or the project left out) by pgbouncerAvailable() in vitest.config.ts.
  if (!existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} is missing: run scripts/ci-install-test-servers.sh`);
  const target = new URL(server);
  const user = decodeURIComponent(target.username || 'postgres');
  const dir = mkdtempSync(join(tmpdir(), 'ciam-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  const users = join(dir, 'userlist.txt');
  writeFileSync(users, `"${user}" ""\n`);
  writeFileSync(
    ini,
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${users}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.poolSize ?? 20}`,
      'max_client_conn = 500',
      // node-postgres sends none of the session parameters PgBouncer refuses; JDBC-style clients would.
      'ignore_startup_parameters = extra_float_digits',
      'server_reset_query =',
      'log_connections = 0',
      'log_disconnections = 0',
      '',
    ].join('\n'),
  );
  // PgBouncer refuses to run as root: as root, it is told to switch to the database's user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    chmodSync(ini, 0o644);
    chmodSync(users, 0o644);
  }
  const args = [...(asRoot ? ['-u', 'postgres'] : []), ini];
  const proc: ChildProcess = spawn(PGBOUNCER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  const log: string[] = [];
  proc.stderr?.on('data', (chunk: Buffer) => log.push(...chunk.toString().split('\n').filter(Boolean).slice(-50)));
  const killOnExit = () => proc.kill('SIGKILL');
  process.once('exit', killOnExit);
  await waitUntilListening(port, proc, log);

  return {
    port,
    urlFor(url: string) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    async close() {
      process.removeListener('exit', killOnExit);
      if (proc.exitCode === null && proc.signalCode === null) {
        // SIGINT: PgBouncer's "safe shutdown" waits for clients; SIGTERM closes at once.
        const exited = new Promise((done) => proc.once('exit', done));
        proc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitUntilListening(port: number, proc: ChildProcess, log: string[]): Promise<void> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      throw new Error(`pgbouncer exited while starting:\n${log.slice(-20).join('\n')}`);
    }
    const open = await new Promise<boolean>((done) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), done(true)));
      socket.once('error', () => done(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}:\n${log.slice(-20).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

