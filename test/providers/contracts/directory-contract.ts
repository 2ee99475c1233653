import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, DEMO_USERS } from '../../../src/providers/directory/demo-directory.js';
import type { Directory } from '../../../src/providers/directory/port.js';

/**
 * What every Directory (src/providers/directory/port.ts) must do, for one holding the demo
 * customers with the demo password: `directory()` is called inside each test.
 */
export function describeDirectoryContract(name: string, directory: () => Directory): void {
  describe(`${name}: the Directory port`, () => {
    it.each(Object.entries(DEMO_USERS))('%s logs in with the demo password and reads as the demo customer', async (username, user) => {
      await expect(directory().authenticate(username, DEMO_PASSWORD)).resolves.toEqual({ ok: true, user });
    });

    it('answers a wrong password and an unknown username alike', async () => {
      await expect(directory().authenticate('mfauser', 'WrongPass123!')).resolves.toEqual({ ok: false });
      await expect(directory().authenticate('nosuchuser', DEMO_PASSWORD)).resolves.toEqual({ ok: false });
    });

    it('reads a username as text: patterns and wildcards find nobody', async () => {
      for (const username of ['*)(uid=*', '*', 'mfa*', 'mfauser)(|(uid=*', 'mfauser\u0000']) {
        await expect(directory().authenticate(username, DEMO_PASSWORD)).resolves.toEqual({ ok: false });
      }
    });

    it('finds a customer by CUPID as at login, and nobody for an unknown or wildcard CUPID', async () => {
      await expect(directory().findByCupid('CUPID_MFA_001')).resolves.toEqual(DEMO_USERS.mfauser);
      await expect(directory().findByCupid('CUPID_NOBODY_001')).resolves.toBeUndefined();
      await expect(directory().findByCupid('*')).resolves.toBeUndefined();
    });
  });
}
