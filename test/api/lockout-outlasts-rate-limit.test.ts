import { describe, expect, it } from 'vitest';
import { expectError, journeyClient } from '../support/journey-client.js';
import { useTestApp } from '../support/test-app.js';

/**
 * Without Redis the per-username rate limit lives in a bounded in-memory map, so a flood of fresh
 * usernames can push a limited one out. That frees the username from the rate limit only: the
 * password lockout is kept in the database and still refuses it.
 */
const t = useTestApp({
    CIAM_RATE_LIMIT_WINDOW_SECONDS: '300',
    CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '3',
    CIAM_RATE_LIMIT_MEMORY_KEYS: '5',
    CIAM_PASSWORD_MAX_FAILURES: '3',
    CIAM_PASSWORD_LOCK_SECONDS: '300',
  });
const j = journeyClient(t);

describe('a username pushed out of the rate limiter', () => {
  it('is still locked by the password lockout, even with the right password', async () => {
    for (let i = 0; i < 3; i++) expectError(await j.login('mfauser', { password: 'wrong-password!' }), 401, 'CIAM_E01_01_001');
    expectError(await j.login('mfauser', { password: 'wrong-password!' }), 429, 'CIAM_E00_00_005');
    for (let i = 0; i < 10; i++) expect((await j.login(`junk-${i}`, { password: 'x' })).status).toBe(401);
    // The rate limiter has forgotten the name (no 429) — the lockout has not.
    const again = await j.login('mfauser');
    expectError(again, 423, 'CIAM_E01_01_002');
  });
});
