import { Cron } from 'croner';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadOperationsSettings } from '../../src/config/operations.js';
import { JOBS } from '../../src/jobs/catalogue.js';
import { jobLockKey, ProcessLeaderLock } from '../../src/jobs/leader-lock.js';
import { rulesFor } from '../../src/http/rate-limit-rules.js';
import { shutdown, type ShutdownPlan } from '../../src/lifecycle/graceful-shutdown.js';

describe('job catalogue', () => {
  const gaps = (pattern: string, n = 6) => {
    const runs = new Cron(pattern, { timezone: 'UTC', paused: true }).nextRuns(n, '2025-03-01T00:00:30Z');
    return runs.slice(1).map((d, i) => (d.getTime() - runs[i]!.getTime()) / 60_000);
  };
  const byName = Object.fromEntries(JOBS.map((j) => [j.name, j]));

  it('names each job once', () => {
    expect(new Set(JOBS.map((j) => j.name)).size).toBe(JOBS.length);
    expect(Object.keys(byName)).toEqual(['expire-steps', 'expire-journeys', 'expire-sessions', 'retention', 'partitions', 'drop-old-partitions']);
  });

  it('runs on the seed schedule', () => {
    expect(gaps(byName['expire-steps']!.schedule)).toEqual([5, 5, 5, 5, 5]);
    expect(gaps(byName['expire-journeys']!.schedule)).toEqual([15, 15, 15, 15, 15]);
    expect(gaps(byName['expire-sessions']!.schedule)).toEqual([60, 60, 60, 60, 60]);
    expect(gaps(byName.retention!.schedule)).toEqual([1440, 1440, 1440, 1440, 1440]);
    const monthly = new Cron(byName.partitions!.schedule, { timezone: 'UTC', paused: true }).nextRuns(3, '2025-03-02T00:00:00Z');
    expect(monthly.map((d) => d.toISOString().slice(0, 10))).toEqual(['2025-04-01', '2025-05-01', '2025-06-01']);
    const quarterly = new Cron(byName['drop-old-partitions']!.schedule, { timezone: 'UTC', paused: true }).nextRuns(4, '2025-03-02T00:00:00Z');
    expect(quarterly.map((d) => d.toISOString().slice(0, 7))).toEqual(['2025-04', '2025-07', '2025-10', '2026-01']);
  });
});

describe('operations settings', () => {
  it('defaults', () => {
    const s = loadOperationsSettings({});
    expect(s.jobs).toMatchObject({ enabled: true, batchSize: 5000, auditRetentionMonths: 24, auditPartitionsAhead: 2, disabled: [] });
    expect(s.rateLimits).toMatchObject({ enabled: true, windowMs: 60_000, loginPerUsername: 10, redisUrl: undefined });
    expect(s.passwordLockout).toEqual({ maxFailures: 10, lockSeconds: 900, failureWindowSeconds: 86_400, ceiling: 100 });
    expect(s.slowRequestMs).toBe(1000);
    expect(s.logBufferBytes).toBe(8 * 1024 * 1024);
    expect(s.shutdownDrainMs).toBe(0);
    expect(loadOperationsSettings({ NODE_ENV: 'production' }).shutdownDrainMs).toBe(5000);
  });

  it('refuses values outside what is safe', () => {
    expect(() => loadOperationsSettings({ CIAM_PASSWORD_MAX_FAILURES: '101' })).toThrow(/CIAM_PASSWORD_MAX_FAILURES/);
    expect(() => loadOperationsSettings({ CIAM_AUDIT_PARTITIONS_AHEAD: '1' })).toThrow(/CIAM_AUDIT_PARTITIONS_AHEAD/);
    expect(() => loadOperationsSettings({ CIAM_JOB_BATCH_SIZE: '0' })).toThrow(/CIAM_JOB_BATCH_SIZE/);
    expect(() => loadOperationsSettings({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL/);
    expect(() => loadOperationsSettings({ CIAM_LOG_BUFFER_BYTES: '4096' })).toThrow(/CIAM_LOG_BUFFER_BYTES/);
    expect(() => loadOperationsSettings({ CIAM_LOG_BUFFER_BYTES: '2gb' })).toThrow(/CIAM_LOG_BUFFER_BYTES/);
  });

  it('reads the disabled job list', () => {
    expect(loadOperationsSettings({ CIAM_JOBS_DISABLED: 'drop-old-partitions, retention' }).jobs.disabled).toEqual([
      'drop-old-partitions',
      'retention',
    ]);
  });
});

describe('rate-limit rules', () => {
  const limits = loadOperationsSettings({}).rateLimits;
  it('attach by method and URL template', () => {
    expect(rulesFor('POST', '/auth/login', limits).map((r) => [r.kind, r.hook])).toEqual([
      ['ip', 'onRequest'],
      ['username', 'preValidation'],
    ]);
    expect(rulesFor('POST', '/auth/mfa/initiate', limits).map((r) => r.kind)).toEqual(['context']);
    expect(rulesFor('POST', '/auth/mfa/otp/verify', limits).map((r) => r.kind)).toEqual(['context']);
    expect(rulesFor('POST', '/auth/mfa/transactions/:transaction_id', limits).map((r) => r.kind)).toEqual(['transaction']);
    for (const answer of ['approve', 'deny']) {
      expect(rulesFor('POST', `/auth/mfa/transactions/:transaction_id/${answer}`, limits).map((r) => r.kind)).toEqual(['ip', 'transaction']);
    }
    expect(rulesFor('GET', '/auth/login', limits)).toEqual([]);
  });

  it('key the username by its hash, never the name', () => {
    const [, username] = rulesFor('POST', '/auth/login', limits);
    const key = username!.key({ body: { username: 'Alice' } } as never);
    expect(key).toMatch(/^user:[0-9a-f]{64}$/);
    expect(username!.key({ body: { username: ' alice' } } as never)).toBe(key);
    expect(username!.key({ body: {} } as never)).toBeUndefined();
  });
});

describe('leader lock', () => {
  it('derives a stable 32-bit key per job', () => {
    expect(jobLockKey('retention')).toBe(jobLockKey('retention'));
    expect(jobLockKey('retention')).not.toBe(jobLockKey('partitions'));
    expect(Number.isInteger(jobLockKey('x')) && Math.abs(jobLockKey('x')) < 2 ** 31).toBe(true);
  });

  it('in one process, never runs one job twice at once but runs different jobs side by side', async () => {
    const lock = new ProcessLeaderLock();
    let release!: () => void;
    const first = lock.runExclusive('a', () => new Promise<string>((r) => (release = () => r('done'))));
    expect(await lock.runExclusive('a', async () => 'again')).toEqual({ acquired: false });
    expect(await lock.runExclusive('b', async () => 'other')).toEqual({ acquired: true, value: 'other' });
    release();
    expect(await first).toEqual({ acquired: true, value: 'done' });
    expect(await lock.runExclusive('a', async () => 'later')).toEqual({ acquired: true, value: 'later' });
  });
});

describe('graceful shutdown', () => {
  function plan(steps: string[], overrides: Partial<ShutdownPlan> = {}): ShutdownPlan {
    return {
      app: {
        log: pino({ level: 'silent' }),
        stopAccepting: () => steps.push('readiness off'),
        close: async () => {
          steps.push('http closing');
          await new Promise((r) => setTimeout(r, 20));
          steps.push('http closed');
        },
      } as never,
      drainMs: 50,
      timeoutMs: 5_000,
      scheduler: {
        stop: async () => {
          steps.push('scheduler stopping');
          await new Promise((r) => setTimeout(r, 5));
          steps.push('scheduler stopped');
        },
      },
      resources: [() => void steps.push('directory closed'), async () => void steps.push('database closed')],
      ...overrides,
    };
  }

  it('turns readiness off, drains, closes HTTP, waits for the scheduler, then closes the resources in order', async () => {
    const steps: string[] = [];
    const started = Date.now();
    expect(await shutdown(plan(steps), 'SIGTERM')).toBe(0);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(steps).toEqual([
      'readiness off',
      'scheduler stopping',
      'scheduler stopped',
      'http closing',
      'http closed',
      'directory closed',
      'database closed',
    ]);
  });

  it('flushes the logs last, with the time left before the deadline, and keeps status 0 when lines could not be written', async () => {
    const steps: string[] = [];
    let budget = -1;
    const flushing = plan(steps, {
      timeoutMs: 4_000,
      flushLogs: async (withinMs) => {
        budget = withinMs;
        steps.push('logs flushed');
        return false;
      },
    });
    expect(await shutdown(flushing, 'SIGTERM')).toBe(0);
    expect(steps.at(-1)).toBe('logs flushed');
    expect(steps.at(-2)).toBe('database closed');
    // Drain (50 ms) and the steps came first; a margin is kept so the flush never races the deadline.
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThanOrEqual(4_000 - 50);
  });

  it('answers 1 when a step fails', async () => {
    const steps: string[] = [];
    const failing = plan(steps, { resources: [async () => Promise.reject(new Error('pool stuck'))] });
    expect(await shutdown(failing, 'SIGTERM')).toBe(1);
  });
});
