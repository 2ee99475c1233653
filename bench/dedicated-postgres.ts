import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

/**
 * The settings of a production primary sized for the seed's volumes on a machine of 24 GB and 2
 * vCPUs, as docs/operations.md ("Sizing the primary") gives them and docs/performance.md explains.
 * Durability stays on: fsync, synchronous_commit and full_page_writes keep their defaults (on).
 */
export const PRIMARY_SETTINGS: Record<string, string> = {
  // A quarter of the memory: the tokens and sessions with their indexes (~1.5 GB) and the right
  // edges of the journeys, steps and audit indexes stay in PostgreSQL's own cache.
  shared_buffers: '6GB',
  // What the planner may assume the operating system caches besides (about three quarters of the memory).
  effective_cache_size: '16GB',
  // Checkpoints by time, not by WAL volume: a checkpoint forced every GB of WAL writes each page
  // again in full after it (full_page_writes) and its I/O competes with the requests.
  max_wal_size: '8GB',
  min_wal_size: '1GB',
  checkpoint_timeout: '15min',
  checkpoint_completion_target: '0.9',
  // Full-page images compressed: fewer WAL bytes after each checkpoint for the same durability.
  wal_compression: 'lz4',
  // Solid-state storage: a random page read costs about what a sequential one does.
  random_page_cost: '1.1',
  effective_io_concurrency: '200',
  work_mem: '16MB',
  maintenance_work_mem: '1GB',
  // Cheap on a modern clock source; shows I/O time in EXPLAIN (BUFFERS) and pg_stat_database.
  track_io_timing: 'on',
  log_checkpoints: 'on',
  log_autovacuum_min_duration: '1s',
};

export interface DedicatedPostgres {
  /** Admin connection (user postgres, database postgres). */
  url: string;
  dataDir: string;
  logFile: string;
  /** The 2 MB huge pages its shared memory sits in, or why it runs without them. */
  hugePages: { pages: number } | { without: string };
  /** Stops the server and removes its directory. Synchronous, so that a signal handler can call it; safe to call twice. */
  remove(): void;
}

/** A loopback port nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * A throw-away PostgreSQL 15 cluster (the installed server binaries): initdb into a temporary
 * directory, PRIMARY_SETTINGS, a free loopback port, trust for loopback connections only. As root
 * every binary runs as the `postgres` user (PostgreSQL refuses root). The server runs in a process
 * group of its own, so a Ctrl-C of the bench does not reach it before remove() stops it.
 */
export async function startDedicatedPostgres(settings: Record<string, string> = PRIMARY_SETTINGS): Promise<DedicatedPostgres> {
  const asRoot = userInfo().uid === 0;
  const as = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const dir = mkdtempSync(join(tmpdir(), 'ciam-volume-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
  }
  const dataDir = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  let removed = false;
  let hugePagesBefore: number | undefined;
  const remove = () => {
    if (removed) return;
    removed = true;
    if (existsSync(join(dataDir, 'postmaster.pid'))) {
      try {
        execFileSync(...as(`${BIN}/pg_ctl`, ['-D', dataDir, '-m', 'fast', '-w', '-t', '60', 'stop']), { stdio: 'ignore' });
      } catch {
        try {
          execFileSync(...as(`${BIN}/pg_ctl`, ['-D', dataDir, '-m', 'immediate', 'stop']), { stdio: 'ignore' });
        } catch {
          // Already gone.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
    if (hugePagesBefore !== undefined) setHugePages(hugePagesBefore);
  };
  try {
    execFileSync(...as(`${BIN}/initdb`, ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']), { stdio: 'pipe' });
    const port = await freePort();
    appendFileSync(
      join(dataDir, 'postgresql.conf'),
      [
        '',
        '# bench:volume: a dedicated primary (bench/dedicated-postgres.ts)',
        `port = ${port}`,
        "listen_addresses = '127.0.0.1'",
        `unix_socket_directories = '${dir}'`,
        ...Object.entries(settings).map(([name, value]) => `${name} = '${value}'`),
        '',
      ].join('\n'),
    );
    // Loopback only; nothing else may connect.
    writeFileSync(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    const hugePages = reserveHugePages(dataDir, as);
    if ('pages' in hugePages) hugePagesBefore = hugePages.before;
    appendFileSync(join(dataDir, 'postgresql.conf'), `huge_pages = '${'pages' in hugePages ? 'on' : 'off'}'\n`);
    await new Promise<void>((resolve, reject) => {
      const [cmd, args] = as(`${BIN}/pg_ctl`, ['-D', dataDir, '-l', logFile, '-w', '-t', '120', 'start']);
      const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`pg_ctl start exited with ${code}`))));
    });
    return {
      url: `postgres://postgres@127.0.0.1:${port}/postgres`,
      dataDir,
      logFile,
      remove,
      hugePages: 'pages' in hugePages ? { pages: hugePages.pages } : hugePages,
    };
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
    remove();
    throw new Error(`the dedicated PostgreSQL cluster did not start: ${(err as Error).message}\n${log}`);
  }
}

const NR_HUGEPAGES = '/proc/sys/vm/nr_hugepages';

/**
 * Shared memory of 6 GB in 4 kB pages costs every backend a page-table entry per page it touches
 * and the CPU a TLB miss on nearly every buffer access: on this kind of machine the gateway verify
 * ran about half again as fast with huge pages (docs/performance.md), and a primary of this size
 * runs with them (docs/operations.md, "Sizing the primary"). PostgreSQL 15 computes how many its
 * settings need; the kernel's pool is raised to that (as root; the previous size comes back at
 * remove()). Without the right or the memory the cluster runs without them, and says so.
 */
function reserveHugePages(
  dataDir: string,
  as: (cmd: string, args: string[]) => [string, string[]],
): { pages: number; before: number } | { without: string } {
  if (!existsSync(NR_HUGEPAGES)) return { without: 'the kernel offers no huge pages' };
  const needed = Number(execFileSync(...as(`${BIN}/postgres`, ['-D', dataDir, '-C', 'shared_memory_size_in_huge_pages'])).toString().trim());
  const before = Number(readFileSync(NR_HUGEPAGES, 'utf8').trim());
  const free = () => Number(/HugePages_Free:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  if (free() >= needed) return { pages: needed, before };
  if (userInfo().uid !== 0) return { without: `${needed} huge pages needed, ${free()} free, and only root may reserve more` };
  setHugePages(before + needed - free());
  if (free() >= needed) return { pages: needed, before };
  setHugePages(before);
  return { without: `the kernel found ${free()} of the ${needed} huge pages needed` };
}

function setHugePages(n: number): void {
  try {
    writeFileSync(NR_HUGEPAGES, `${n}\n`);
  } catch {
    // Not root, or the kernel refused: the pool stays as it is.
  }
}
