import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recentJobRuns } from '../../src/store/queries/job-runs.js';
import { openTestDatabase, testEngine, type TestDatabase } from '../support/test-database.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'cli', 'job.js');
const MIGRATE = join(process.cwd(), 'dist', 'cli', 'migrate.js');

/** `npm run job -- <name>` as an operator runs it, against the built service. */
describe('npm run job', () => {
  let db: TestDatabase | undefined;
  let dataDir: string;
  let env: Record<string, string | undefined>;
  beforeAll(async () => {
    expect(existsSync(CLI), 'build the service first: npm run build').toBe(true);
    dataDir = mkdtempSync(join(tmpdir(), 'ciam-job-cli-'));
    env = { PATH: process.env.PATH, LOG_LEVEL: 'silent', CIAM_DATA_DIR: dataDir };
    if (testEngine() === 'postgres') {
      db = await openTestDatabase();
      env.DATABASE_URL = db.url;
    } else {
      await run(process.execPath, [MIGRATE], { env });
    }
  });
  afterAll(async () => {
    await db?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the jobs when no name is given', async () => {
    const err = await run(process.execPath, [CLI], { env }).catch((e: { code: number; stdout: string }) => e);
    expect((err as { code: number }).code).toBe(2);
    for (const name of ['expire-steps', 'expire-journeys', 'expire-sessions', 'retention', 'partitions', 'drop-old-partitions']) {
      expect((err as { stdout: string }).stdout).toContain(name);
    }
  });

  it('refuses an unknown job', async () => {
    const err = (await run(process.execPath, [CLI, 'no-such-job'], { env }).catch((e) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(2);
    expect(err.stderr).toMatch(/unknown job "no-such-job"/);
  });

  it('runs one job once and records it', { timeout: 60_000 }, async () => {
    const { stdout } = await run(process.execPath, [CLI, 'partitions'], { env });
    const outcome = JSON.parse(stdout.trim().split('\n').pop()!);
    expect(outcome).toMatchObject({ job: 'partitions', status: 'ran', rowsChanged: 0, error: null });
    if (db) expect((await recentJobRuns(db, 1, 'partitions'))[0]?.run_id).toBe(outcome.runId);
  });
});
