import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirLock } from '../../src/store/engines/data-dir-lock.js';

const made: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ciam-lock-'));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded data directory lock', () => {
  it('refuses a second holder while the first lives, then allows it after release', () => {
    const dir = fresh();
    const first = DataDirLock.acquire(dir);
    expect(() => DataDirLock.acquire(dir)).toThrow(/already open in this process/);
    first.release();
    DataDirLock.acquire(dir).release();
  });

  it('refuses a directory held by another live process, naming the setting to change', async () => {
    const dir = fresh();
    // A child that takes the lock, says so, and waits to be killed.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('${join(process.cwd(), 'src/store/engines/data-dir-lock.ts')}').then(({ DataDirLock }) => {
           DataDirLock.acquire(${JSON.stringify(dir)}); console.log('locked'); setInterval(() => {}, 1000);
         })`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      child.on('exit', (code) => reject(new Error(`child exited ${code}`)));
    });
    try {
      expect(() => DataDirLock.acquire(dir)).toThrow(/in use by process \d+.*CIAM_DATA_DIR/);
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
    }
    // The holder died without releasing: its stale lock is taken over.
    const taken = DataDirLock.acquire(dir);
    taken.release();
  });

  it('takes over a lock file left by a process that no longer exists', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'ciam.lock'), '999999999');
    const lock = DataDirLock.acquire(dir);
    lock.release();
  });
});
