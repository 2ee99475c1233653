import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/providers/directory/demo-directory.js';
import { LdapDirectory } from '../../src/providers/directory/ldap-directory.js';
import { usernameKey } from '../../src/security/digests.js';
import { startSlapd, type Slapd } from '../support/slapd.js';
import { useTestApp } from '../support/test-app.js';

/**
 * POST /auth/login with CIAM_DIRECTORY=ldap against a real slapd holding the demo customers: the
 * answers must be those of the demo directory, and an unreachable directory is a 503.
 */
let slapd: Slapd;
beforeAll(async () => {
  slapd = await startSlapd();
}, 300_000);
afterAll(async () => {
  await slapd?.close();
});
const t = useTestApp(() => ({ CIAM_DIRECTORY: 'ldap', ...slapd.env() }));

const login = (username: string, password: string) =>
  t.call({ method: 'POST', url: '/auth/login', payload: { username, password, transmit_aid: 'test-aid' } });

describe('login through the LDAP directory', () => {
  it('uses the LDAP directory, not the demo one', () => {
    expect(t.services.providers.directory).toBeInstanceOf(LdapDirectory);
  });

  it('logs a customer without MFA straight in: 201 with tokens and the refresh cookie', async () => {
    const res = await login('simpleuser', DEMO_PASSWORD);
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ response_type_code: 'SUCCESS', token_type: 'Bearer', expires_in: 900 });
    expect(res.headers['set-cookie']).toMatch(/^refresh_token=/);
  });

  it('asks an MFA customer for a second factor with the phones from the directory, and completes by SMS', async () => {
    const res = await login('mfauser', DEMO_PASSWORD);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      response_type_code: 'MFA_REQUIRED',
      otp_methods: [
        { value: '1234', mfa_option_id: 1 },
        { value: '5678', mfa_option_id: 2 },
      ],
      mobile_approve_status: 'ENABLED',
    });

    // The number for option 2 is looked up in the directory again, by CUPID.
    const initiated = await t.call({
      method: 'POST',
      url: '/auth/mfa/initiate',
      payload: { context_id: body.context_id, transaction_id: body.transaction_id, method: 'sms', mfa_option_id: 2 },
    });
    expect(initiated.statusCode).toBe(200);
    const { transaction_id } = initiated.json();
    const outbox = await t.call({ method: 'GET', url: '/dev/outbox?cupid=CUPID_MFA_001' });
    const message = outbox.json().messages.find((m: { transaction_id: string }) => m.transaction_id === transaction_id);
    const verified = await t.call({
      method: 'POST',
      url: '/auth/mfa/otp/verify',
      payload: { context_id: body.context_id, transaction_id, code: message.code },
    });
    expect(verified.statusCode).toBe(201);
  });

  it('answers a wrong password, an unknown user and filter syntax alike: 401 CIAM_E01_01_001, no journey', async () => {
    const before = await journeys();
    for (const [username, password] of [
      ['mfauser', 'WrongPass123!'],
      ['nosuchuser', DEMO_PASSWORD],
      ['simpleuser)(uid=simpleuser', DEMO_PASSWORD],
      ['simpleuser)(|(objectClass=person', DEMO_PASSWORD],
    ] as const) {
      const res = await login(username, password);
      expect(res.statusCode, username).toBe(401);
      expect(res.json()).toEqual({ error_code: 'CIAM_E01_01_001' });
    }
    const wildcard = await login('*)(uid=*', DEMO_PASSWORD);
    expect(wildcard.statusCode).toBe(401);
    expect(await journeys()).toBe(before);
  });

  it("a password the directory's own policy refuses (locked, expired, to change) answers 423 CIAM_E01_01_002, audited with why", async () => {
    for (const [username, reason] of [
      ['dirlockeduser', 'PASSWORD_LOCKED'],
      ['direxpireduser', 'PASSWORD_EXPIRED'],
      ['dirresetuser', 'PASSWORD_MUST_CHANGE'],
    ] as const) {
      const res = await login(username, DEMO_PASSWORD);
      expect(res.statusCode, username).toBe(423);
      expect(res.json()).toEqual({ error_code: 'CIAM_E01_01_002' });
      const { rows } = await t.db.query(
        `SELECT event_data->>'reason' AS reason FROM audit_logs WHERE event_type = 'LOGIN_FAILED' AND event_data->>'username_hash' = $1`,
        [usernameKey(username)],
      );
      expect(rows.map((r) => r.reason), username).toEqual([reason]);
    }
  });

  it('refuses an empty password as a malformed request, before the directory', async () => {
    const binds = slapd.binds().length;
    const res = await login('simpleuser', '');
    expect(res.statusCode).toBe(400);
    expect(res.json().error_code).toBe('CIAM_E01_05_001');
    await new Promise((r) => setTimeout(r, 50));
    expect(slapd.binds().length).toBe(binds);
  });

  it.each([
    ['lockeduser', 'CIAM_E01_01_002'],
    ['disableduser', 'CIAM_E01_01_003'],
    ['blockeduser', 'CIAM_E01_01_004'],
    ['mfalockeduser', 'CIAM_E01_01_005'],
    ['deceaseduser', 'CIAM_E01_01_006'],
    ['restricteduser', 'CIAM_E01_01_008'],
  ])('answers %s with 423 %s', async (username, code) => {
    const res = await login(username, DEMO_PASSWORD);
    expect(res.statusCode).toBe(423);
    expect(res.json().error_code).toBe(code);
  });

  it('answers 503 CIAM_E05_00_002 while the directory is down, and logs in again once it is back', async () => {
    await slapd.stop();
    try {
      const down = await login('simpleuser', DEMO_PASSWORD);
      expect(down.statusCode).toBe(503);
      expect(down.json().error_code).toBe('CIAM_E05_00_002');
    } finally {
      await slapd.start();
    }
    const back = await login('simpleuser', DEMO_PASSWORD);
    expect(back.statusCode).toBe(201);
  });
});

async function journeys(): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM auth_contexts');
  return rows[0]!.n;
}
