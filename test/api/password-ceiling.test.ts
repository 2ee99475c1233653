import { describe, expect, it } from 'vitest';
import { expectError, journeyClient, JOURNEY_TEST_ENV, sha256Hex } from '../support/journey-client.js';
import { AGENT_ID, AGENT_SECRET, useTestApp } from '../support/test-app.js';

/**
 * NIST SP 800-63B §5.2.2: consecutive failed passwords are counted across temporary locks; at the
 * ceiling the account stays locked until an agent unlocks it.
 */

const t = useTestApp({
    ...JOURNEY_TEST_ENV,
    CIAM_PASSWORD_MAX_FAILURES: '2',
    CIAM_PASSWORD_LOCK_SECONDS: '60',
    CIAM_PASSWORD_FAILURE_CEILING: '5',
  });
const j = journeyClient(t);

const wrong = (username: string) => j.login(username, { password: 'wrong-password!' });
/** Lets the temporary lock run out, as the clock would. */
const expireTemporaryLock = () => t.db.query(`UPDATE password_failures SET locked_until = now() - interval '1 second' WHERE locked_until IS NOT NULL`);
const unlock = (body: Record<string, unknown>, secret = AGENT_SECRET) =>
  t.app.inject({
    method: 'POST',
    url: '/admin/password-lockouts/unlock',
    headers: { 'x-client-id': 'web-banking', authorization: `Bearer ${secret}` },
    payload: body,
  });

describe('the failure ceiling', () => {
  it('counts failures across temporary locks and locks for good at the ceiling, for unknown usernames too', async () => {
    for (const username of ['simpleuser', 'nobody-at-all']) {
      expectError(await wrong(username), 401, 'CIAM_E01_01_001');
      expectError(await wrong(username), 401, 'CIAM_E01_01_001');
      expectError(await j.login(username), 423, 'CIAM_E01_01_002'); // temporary lock
      await expireTemporaryLock();
      expectError(await wrong(username), 401, 'CIAM_E01_01_001');
      expectError(await wrong(username), 401, 'CIAM_E01_01_001');
      await expireTemporaryLock();
      expectError(await wrong(username), 401, 'CIAM_E01_01_001'); // the fifth consecutive failure
      await expireTemporaryLock();
      // No temporary lock is left, yet even the right password is refused.
      expectError(await j.login(username), 423, 'CIAM_E01_01_002');
      const { rows } = await t.db.query(
        `SELECT consecutive_failures, hard_locked_at IS NOT NULL AS hard FROM password_failures WHERE username_hash = $1`,
        [sha256Hex(username)],
      );
      expect(rows).toEqual([{ consecutive_failures: 5, hard: true }]);
    }
  });

  it('an agent unlocks it with a reason, audited with the agent id; then the right password works', async () => {
    const noReason = await unlock({ username: 'simpleuser' });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().error_code).toBe('CIAM_E01_05_001');
    expect((await unlock({ username: 'simpleuser', reason: 'customer called' }, 'not-an-agent-secret')).statusCode).toBe(401);
    expectError(await j.login('simpleuser'), 423, 'CIAM_E01_01_002');

    const res = await unlock({ username: 'SimpleUser', reason: 'Identity confirmed by phone' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ success: true, unlocked: true, lock: 'ceiling' });
    const { rows } = await t.db.query(
      `SELECT event_category, event_data FROM audit_logs WHERE event_type = 'PASSWORD_UNLOCKED'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.event_category).toBe('SECURITY');
    expect(rows[0]!.event_data).toMatchObject({
      agent_id: AGENT_ID,
      reason: 'Identity confirmed by phone',
      username_hash: sha256Hex('simpleuser'),
      lock: 'ceiling',
      consecutive_failures: 5,
    });
    expect((await j.login('simpleuser')).status).toBe(201);
    // Nothing left to unlock.
    expect((await unlock({ username: 'simpleuser', reason: 'again' })).json()).toEqual({ success: true, unlocked: false, lock: 'none' });
  });

  it('a correct password before the ceiling starts the count again', async () => {
    expectError(await wrong('mfauser'), 401, 'CIAM_E01_01_001');
    expect((await j.login('mfauser')).status).toBe(200);
    for (let i = 0; i < 2; i++) expectError(await wrong('mfauser'), 401, 'CIAM_E01_01_001');
    await expireTemporaryLock();
    for (let i = 0; i < 2; i++) expectError(await wrong('mfauser'), 401, 'CIAM_E01_01_001');
    await expireTemporaryLock();
    expect((await j.login('mfauser')).status).toBe(200);
  });
});
