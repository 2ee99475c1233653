import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { adminUrl } from './postgres-urls.js';
import { freePort } from './free-port.js';

const run = promisify(execFile);

/**
 * A throwaway streaming replica of the test PostgreSQL server: `pg_basebackup -R` into a temp
 * directory, a minimal configuration of its own (the Debian cluster keeps its configuration
 * outside the data directory), started with `pg_ctl` on a free loopback port. PostgreSQL refuses
 * to run as root, so as root everything runs as the `postgres` user. The primary must allow
 * replication connections from 127.0.0.1 (`.ci/run` adds that rule).
 */
export interface Replica {
  port: number;
  /** `url` (a database of the primary) on the replica. */
  urlFor(url: string): string;
  /** Stops applying WAL: from now on the replica shows the primary as it was (a lagging replica). */
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  /** Waits until the replica has applied everything the primary had written when called. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

const BIN = '/usr/lib/postgresql/15/bin';

export async function startReplica(): Promise<Replica> {
  const primary = new URL(adminUrl());
  const asRoot = userInfo().uid === 0;
  const as = (cmd: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', cmd, ...args], { timeout: 120_000 }) : run(cmd, args, { timeout: 120_000 });

  await assertReplicationAllowed();
  const dir = mkdtempSync(join(tmpdir(), 'ciam-replica-'));
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const data = join(dir, 'data');
  const port = await freePort();
  await as(`${BIN}/pg_basebackup`, [
    '-h', primary.hostname, '-p', primary.port || '5432', '-U', decodeURIComponent(primary.username || 'postgres'),
    '-D', data, '-R', '-X', 'stream', '-c', 'fast',
  ]);
  const writeAsOwner = async (file: string, text: string) => {
    // Written through the owner so the server may read it.
    const tmp = join(tmpdir(), `ciam-replica-${process.pid}-${file}`);
    writeFileSync(tmp, text, { mode: 0o644 });
    await as('cp', [tmp, join(data, file)]);
    rmSync(tmp, { force: true });
  };
  await writeAsOwner(
    'postgresql.conf',
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      `unix_socket_directories = '${dir}'`,
      'hot_standby = on',
      // A standby needs at least the primary's values of these.
      ...(await primarySettings(['max_connections', 'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions', 'max_locks_per_transaction'])),
      'shared_buffers = 32MB',
      'fsync = off',
      '',
    ].join('\n'),
  );
  await writeAsOwner('pg_hba.conf', 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
  await writeAsOwner('pg_ident.conf', '');
  try {
    await as(`${BIN}/pg_ctl`, ['-D', data, '-l', join(dir, 'log'), '-w', '-t', '60', 'start']);
  } catch (err) {
    const log = existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').split('\n').slice(-15).join('\n') : '';
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`the replica did not start: ${(err as Error).message}\n${log}`);
  }

  const replicaUrl = (url: string) => {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(port);
    return u.toString();
  };
  const onReplica = async <T>(sql: string): Promise<T | undefined> => {
    const client = new pg.Client({ connectionString: replicaUrl(adminUrl()) });
    await client.connect();
    try {
      return (await client.query(sql)).rows[0] as T | undefined;
    } finally {
      await client.end();
    }
  };

  return {
    port,
    urlFor: replicaUrl,
    async pauseReplay() {
      await onReplica('SELECT pg_wal_replay_pause()');
    },
    async resumeReplay() {
      await onReplica('SELECT pg_wal_replay_resume()');
    },
    async catchUp() {
      const admin = new pg.Client({ connectionString: adminUrl() });
      await admin.connect();
      const { rows } = await admin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
      await admin.end();
      const deadline = Date.now() + 30_000;
      for (;;) {
        const row = await onReplica<{ done: boolean }>(`SELECT pg_last_wal_replay_lsn() >= '${rows[0]!.lsn}'::pg_lsn AS done`);
        if (row?.done) return;
        if (Date.now() > deadline) throw new Error('the replica did not catch up within 30 s');
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await as(`${BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function primarySettings(names: string[]): Promise<string[]> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ name: string; setting: string }>('SELECT name, setting FROM pg_settings WHERE name = ANY($1)', [names]);
    return rows.map((r) => `${r.name} = ${r.setting}`);
  } finally {
    await admin.end();
  }
}

/**
 * Why no replica can be made here, or undefined when one can: the server's binaries for
 * pg_basebackup and pg_ctl (Debian's PostgreSQL 15), and a pg_hba.conf rule allowing replication
 * from 127.0.0.1 (the throw-away embedded server of a machine without PostgreSQL has neither).
 */
export async function replicaUnavailableReason(): Promise<string | undefined> {
  if (!existsSync(`${BIN}/pg_basebackup`) || !existsSync(`${BIN}/pg_ctl`)) return `${BIN}/pg_basebackup or pg_ctl is missing`;
  try {
    await assertReplicationAllowed();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

async function assertReplicationAllowed(): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND (address = '127.0.0.1' OR type = 'local')`,
    );
    if (!rows[0]?.n) {
      throw new Error('the test PostgreSQL server allows no replication connection from 127.0.0.1: add `host replication all 127.0.0.1/32 trust` to pg_hba.conf (as .ci/run does)');
    }
  } finally {
    await admin.end();
  }
}

