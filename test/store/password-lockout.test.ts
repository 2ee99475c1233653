import { describe, expect, it } from 'vitest';
import { usernameKey } from '../../src/security/digests.js';
import { withPasswordLockout } from '../../src/providers/directory/password-lockout.js';
import type { Directory, DirectoryUser } from '../../src/providers/directory/port.js';
import { testEngine, useTestDatabase } from '../support/test-database.js';

const alice: DirectoryUser = { cupid: 'CUPID_ALICE', state: 'ACTIVE', mfaRequired: false, phones: [], mobileApproveStatus: 'NOT_REGISTERED' };

/** A directory with one user, counting how often a password actually reached it. */
function fakeDirectory() {
  const calls = { n: 0 };
  const directory: Directory = {
    async authenticate(username, password) {
      calls.n++;
      await new Promise((r) => setTimeout(r, 5));
      return username === 'alice' && password === 'right' ? { ok: true, user: alice } : { ok: false };
    },
    findByCupid: async (cupid) => (cupid === alice.cupid ? alice : undefined),
  };
  return { directory, calls };
}

const db = useTestDatabase();

const failures = async (username: string) => {
  const { rows } = await db.query<{ failures: number; locked_until: Date | null }>(
    'SELECT failures, locked_until FROM password_failures WHERE username_hash = $1',
    [usernameKey(username)],
  );
  return rows[0];
};

describe('withPasswordLockout', () => {
  it('locks a username after maxFailures wrong passwords, without checking passwords while locked', async () => {
    const { directory, calls } = fakeDirectory();
    const guarded = withPasswordLockout(directory, db, { maxFailures: 3, lockSeconds: 60 });
    for (let i = 0; i < 3; i++) expect(await guarded.authenticate('alice', 'wrong')).toEqual({ ok: false });
    expect(await guarded.authenticate('alice', 'right')).toEqual({ ok: false, locked: true });
    expect(await guarded.authenticate('alice', 'wrong')).toEqual({ ok: false, locked: true });
    expect(calls.n).toBe(3);
  });

  it('locks unknown usernames the same way, so lockout reveals nothing', async () => {
    const { directory } = fakeDirectory();
    const guarded = withPasswordLockout(directory, db, { maxFailures: 2, lockSeconds: 60 });
    await guarded.authenticate('nobody', 'x');
    await guarded.authenticate('nobody', 'x');
    expect(await guarded.authenticate('nobody', 'x')).toEqual({ ok: false, locked: true });
  });

  it('keys the count on a hash of the lower-cased username, never the name itself', async () => {
    const { directory } = fakeDirectory();
    const guarded = withPasswordLockout(directory, db, { maxFailures: 2, lockSeconds: 60 });
    await guarded.authenticate('Carol', 'x');
    await guarded.authenticate(' carol ', 'x');
    expect(await guarded.authenticate('CAROL', 'x')).toEqual({ ok: false, locked: true });
    const { rows } = await db.query<{ username_hash: string }>('SELECT username_hash FROM password_failures');
    for (const row of rows) expect(row.username_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a correct password clears the count', async () => {
    const { directory } = fakeDirectory();
    await db.query('DELETE FROM password_failures');
    const guarded = withPasswordLockout(directory, db, { maxFailures: 3, lockSeconds: 60 });
    await guarded.authenticate('alice', 'wrong');
    await guarded.authenticate('alice', 'wrong');
    expect((await guarded.authenticate('alice', 'right')).ok).toBe(true);
    expect(await failures('alice')).toBeUndefined();
    for (let i = 0; i < 3; i++) expect(await guarded.authenticate('alice', 'wrong')).toEqual({ ok: false });
    expect((await guarded.authenticate('alice', 'right')).ok).toBe(false);
  });

  it('unlocks after lockSeconds and counts afresh', async () => {
    const { directory } = fakeDirectory();
    await db.query('DELETE FROM password_failures');
    const guarded = withPasswordLockout(directory, db, { maxFailures: 2, lockSeconds: 1 });
    await guarded.authenticate('alice', 'wrong');
    await guarded.authenticate('alice', 'wrong');
    expect(await guarded.authenticate('alice', 'right')).toEqual({ ok: false, locked: true });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(await guarded.authenticate('alice', 'wrong')).toEqual({ ok: false });
    expect((await failures('alice'))?.failures).toBe(1);
    expect((await guarded.authenticate('alice', 'right')).ok).toBe(true);
  });

  it('forgets failures older than the failure window', async () => {
    const { directory } = fakeDirectory();
    await db.query('DELETE FROM password_failures');
    const guarded = withPasswordLockout(directory, db, { maxFailures: 2, lockSeconds: 60, failureWindowSeconds: 60 });
    await guarded.authenticate('alice', 'wrong');
    await db.query(`UPDATE password_failures SET last_failed_at = now() - interval '2 minutes'`);
    expect(await guarded.authenticate('alice', 'wrong')).toEqual({ ok: false });
    expect((await failures('alice'))?.failures).toBe(1);
    expect((await failures('alice'))?.locked_until).toBeNull();
    await guarded.authenticate('alice', 'wrong');
    expect(await guarded.authenticate('alice', 'right')).toEqual({ ok: false, locked: true });
  });

  it('counts nothing when the directory cannot answer', async () => {
    await db.query('DELETE FROM password_failures');
    const down: Directory = {
      authenticate: async () => {
        throw new Error('directory down');
      },
      findByCupid: async () => undefined,
    };
    const guarded = withPasswordLockout(down, db, { maxFailures: 2 });
    await expect(guarded.authenticate('alice', 'x')).rejects.toThrow('directory down');
    expect(await failures('alice')).toBeUndefined();
  });

  it('locks on the first failure when maxFailures is 1', async () => {
    await db.query('DELETE FROM password_failures');
    const guarded = withPasswordLockout(fakeDirectory().directory, db, { maxFailures: 1, lockSeconds: 60 });
    expect(await guarded.authenticate('alice', 'wrong')).toEqual({ ok: false });
    expect(await guarded.authenticate('alice', 'right')).toEqual({ ok: false, locked: true });
  });

  it('refuses a limit above the 100 NIST SP 800-63B allows', () => {
    expect(() => withPasswordLockout(fakeDirectory().directory, db, { maxFailures: 101 })).toThrow(/1 to 100/);
  });

  it.skipIf(testEngine() !== 'postgres')('counts every one of many concurrent failures, and never locks concurrent successes', async () => {
    const { directory } = fakeDirectory();
    await db.query('DELETE FROM password_failures');
    const guarded = withPasswordLockout(directory, db, { maxFailures: 100, lockSeconds: 60 });
    await Promise.all(Array.from({ length: 30 }, () => guarded.authenticate('alice', 'wrong')));
    expect((await failures('alice'))?.failures).toBe(30);

    const strict = withPasswordLockout(directory, db, { maxFailures: 3, lockSeconds: 60 });
    await db.query('DELETE FROM password_failures');
    const results = await Promise.all(Array.from({ length: 20 }, () => strict.authenticate('alice', 'right')));
    expect(results.every((r) => r.ok)).toBe(true);
  });
});
