import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * An exclusive lock on the embedded data directory. PGlite itself does not lock its files, and two
 * processes writing one directory lose committed rows; so a second process must refuse to start.
 * The lock file holds the owner's pid: a file left by a crashed process (pid gone) is taken over.
 */
export class DataDirLock {
  /** Lock files held by this process: a second open in the same process is refused too. */
  private static readonly held = new Set<string>();

  private constructor(private readonly path: string) {}

  static acquire(dir: string): DataDirLock {
    mkdirSync(dir, { recursive: true });
    const path = resolve(dir, 'ciam.lock');
    if (DataDirLock.held.has(path)) {
      throw Object.assign(new Error(`The embedded data directory ${dir} is already open in this process.`), {
        name: 'DataDirLockedError',
      });
    }
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        DataDirLock.held.add(path);
        return new DataDirLock(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const owner = Number.parseInt(readFileSync(path, 'utf8'), 10);
        if (Number.isInteger(owner) && owner !== process.pid && processAlive(owner)) {
          throw Object.assign(new Error(
            `The embedded data directory ${dir} is in use by process ${owner}. ` +
              'Stop that process or set CIAM_DATA_DIR to another directory.',
          ), { name: 'DataDirLockedError' });
        }
        rmSync(path, { force: true }); // stale lock from a process that is gone
      }
    }
    throw new Error(`Could not lock the embedded data directory ${dir}.`);
  }

  release(): void {
    DataDirLock.held.delete(this.path);
    rmSync(this.path, { force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
