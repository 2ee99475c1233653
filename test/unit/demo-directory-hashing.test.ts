import { availableParallelism } from 'node:os';
import { describe, expect, it, vi } from 'vitest';

/** Each verification waits until the test lets it finish; the mock counts how many hash at once. */
const hashing = vi.hoisted(() => {
  const state = { running: 0, most: 0, failures: 0, hashFailures: 0, hashed: 0, waiting: [] as (() => void)[] };
  return {
    state,
    verify: async (stored: string, password: string) => {
      state.running++;
      state.most = Math.max(state.most, state.running);
      await new Promise<void>((resolve) => state.waiting.push(resolve));
      state.running--;
      if (state.failures > 0 && state.failures--) throw new Error('the hashing thread failed');
      return stored === `hash:${password}`;
    },
  };
});

vi.mock('@node-rs/argon2', () => ({
  hash: async (password: string) => {
    hashing.state.hashed++;
    if (hashing.state.hashFailures > 0 && hashing.state.hashFailures--) throw new Error('the hashing thread failed');
    return `hash:${password}`;
  },
  verify: hashing.verify,
}));

const { DEMO_PASSWORD, DEMO_USERS, DemoDirectory, HASHING_CONCURRENCY } = await import('../../src/providers/directory/demo-directory.js');

/** Lets the verifications started so far finish, until every login has its answer. */
async function drain<T>(pending: Promise<T>[]): Promise<T[]> {
  let settled = false;
  const all = Promise.all(pending).finally(() => (settled = true));
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    hashing.state.waiting.splice(0).forEach((finish) => finish());
  }
  return all;
}

describe('demo directory: password checks that hash at once', () => {
  it('are bounded by the number of cores by default', () => {
    expect(HASHING_CONCURRENCY).toBe(availableParallelism());
  });

  it('never exceed the bound, and every login waiting behind it gets its answer', async () => {
    hashing.state.most = 0;
    const directory = new DemoDirectory(DEMO_USERS, 2);
    const logins = [
      ...Array.from({ length: 6 }, () => directory.authenticate('simpleuser', DEMO_PASSWORD)),
      directory.authenticate('simpleuser', 'WrongPass123!'),
      directory.authenticate('nosuchuser', DEMO_PASSWORD),
    ];
    const answers = await drain(logins);
    expect(hashing.state.most).toBe(2);
    expect(answers.slice(0, 6)).toEqual(Array(6).fill({ ok: true, user: DEMO_USERS.simpleuser }));
    expect(answers.slice(6)).toEqual([{ ok: false }, { ok: false }]);
    expect(hashing.state.running).toBe(0);
  });

  it('frees its place when a check fails', async () => {
    hashing.state.most = 0;
    hashing.state.failures = 1;
    const directory = new DemoDirectory(DEMO_USERS, 1);
    const failed: Promise<unknown> = directory.authenticate('simpleuser', DEMO_PASSWORD).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    const answers = await drain<unknown>([failed, directory.authenticate('mfauser', DEMO_PASSWORD)]);
    expect(answers).toEqual(['the hashing thread failed', { ok: true, user: DEMO_USERS.mfauser }]);
    expect(hashing.state.most).toBe(1);
  });

  it('hash the demo and decoy passwords once, at the first login rather than at start-up', async () => {
    hashing.state.hashed = 0;
    const directory = new DemoDirectory(DEMO_USERS, 2);
    expect(hashing.state.hashed).toBe(0);
    await drain([directory.authenticate('simpleuser', DEMO_PASSWORD), directory.authenticate('nosuchuser', DEMO_PASSWORD)]);
    await drain([directory.authenticate('mfauser', DEMO_PASSWORD)]);
    expect(hashing.state.hashed).toBe(2);
  });

  it('hash again at the next login when the first hashing failed', async () => {
    hashing.state.hashFailures = 1;
    const directory = new DemoDirectory(DEMO_USERS, 1);
    const failed = directory.authenticate('simpleuser', DEMO_PASSWORD).then(
      () => 'answered',
      (e: Error) => e.message,
    );
    expect(await drain<unknown>([failed])).toEqual(['the hashing thread failed']);
    expect(await drain([directory.authenticate('simpleuser', DEMO_PASSWORD)])).toEqual([{ ok: true, user: DEMO_USERS.simpleuser }]);
  });
});
