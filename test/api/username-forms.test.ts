import { describe, expect, it } from 'vitest';
import { usernameKey } from '../../src/security/digests.js';
import { CUPIDS, expectError, expectTokens, journeyClient } from '../support/journey-client.js';
import { useTestApp } from '../support/test-app.js';

/**
 * Full-width and mixed-width forms of a username (`ｉｖａｎ`, `ｉvan`) name the same account — a
 * directory folds them (slapd binds `uid=ｉｖａｎ` as `uid=ivan`) — so the rate limit and the
 * password lockout must count them as one, and the directory must be asked for one name.
 */
const t = useTestApp({
    CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: '4',
    CIAM_RATE_LIMIT_LOGIN_PER_IP: '1000',
    CIAM_PASSWORD_MAX_FAILURES: '3',
  }, { timeoutMs: 120_000 });
const j = journeyClient(t);

describe('one form of a username at the edge', () => {
  it('a full-width username logs in as the customer it folds to', async () => {
    const res = await j.login('ｓｉｍｐｌｅｕｓｅｒ');
    expectTokens(res, 201);
    expect(await j.journey(res.body.context_id)).toMatchObject({ cupid: CUPIDS.simpleuser });
  });

  it('wrong passwords under different forms add up to one lockout', async () => {
    for (const form of ['nopushuser', 'ｎｏｐｕｓｈｕｓｅｒ', 'ＮｏＰｕｓｈＵｓｅｒ']) {
      expectError(await j.login(form, { password: 'WrongPass123!' }), 401, 'CIAM_E01_01_001');
    }
    expectError(await j.login('ｎopushuser'), 423, 'CIAM_E01_01_002');
    const { rows } = await t.db.query(`SELECT count(*)::int AS n FROM audit_logs WHERE event_data->>'username_hash' = $1`, [usernameKey('nopushuser')]);
    expect(rows[0]!.n).toBe(4);
  });

  it('the per-username rate limit counts every form under the name it folds to', async () => {
    for (let i = 0; i < 4; i++) await j.login('mfauser', { password: 'WrongPass123!', headers: { 'x-forwarded-for': `192.0.2.${i}` } });
    for (const form of ['ｍｆａｕｓｅｒ', 'ｍfauser', 'mｆauser']) {
      expectError(await j.login(form), 429, 'CIAM_E00_00_005');
    }
  });
});
