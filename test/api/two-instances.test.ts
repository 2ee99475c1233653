import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenHash } from '../../src/session/token-values.js';
import type { Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { CUPIDS, expectTokens, journeyClient, JOURNEY_TEST_ENV, type JourneyClient } from '../support/journey-client.js';
import { refreshCookie, refreshTokenSet } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { openTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Two instances behind a load balancer that does not pin customers: every call may land on either.
 * On PostgreSQL each instance has its own pool on the shared database; on the embedded engine (one
 * process by design) they share the handle — what is tested either way is that no instance keeps
 * state of its own that another would need.
 */
let db: TestDatabase;
let secondDb: Database;
let a: TestApp;
let b: TestApp;
let ja: JourneyClient;
let jb: JourneyClient;

beforeAll(async () => {
  db = await openTestDatabase();
  secondDb = db.url ? await openPostgres({ connectionString: db.url, poolMax: 5, statementTimeoutMs: 30_000 }) : db;
  // One master key for the fleet: codes and signing keys sealed by one instance open on the other.
  const env = { ...JOURNEY_TEST_ENV, CIAM_MASTER_KEY: randomBytes(32).toString('base64'), CIAM_REFRESH_GRACE_SECONDS: '0' };
  a = await startTestApp(env, db);
  b = await startTestApp(env, secondDb as TestDatabase);
  ja = journeyClient(a);
  jb = journeyClient(b);
});
afterAll(async () => {
  await a?.app.close();
  await b?.app.close();
  if (secondDb !== db) await secondDb?.close();
  await db?.close();
});

describe('two instances sharing one database', () => {
  it('a journey started on one instance completes on the other', async () => {
    const mfa = await ja.loginToMfa('mfauser');
    // The code is sent by instance B (its outbox stands in for the SMS gateway)…
    const sent = await jb.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    // …and the customer's verify lands on instance A.
    const verified = await ja.verify(mfa.context_id, sent.transactionId, sent.code);
    expectTokens(verified, 201);
    expect(verified.body.context_id).toBe(mfa.context_id);
    expect((await ja.journey(mfa.context_id)).auth_outcome).toBe('SUCCESS');
    // A step consumed on one instance is refused on the other.
    const replay = await jb.verify(mfa.context_id, sent.transactionId, sent.code);
    expect(replay.status).toBeGreaterThanOrEqual(400);
  });

  it('a refresh token rotated on one instance is refused as reused on the other, which revokes the session', async () => {
    const login = await ja.login('simpleuser');
    expectTokens(login, 201);
    const first = login.refreshToken!;

    const rotated = await a.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(first) });
    expect(rotated.statusCode).toBe(200);
    const second = refreshTokenSet(rotated)!;
    // Past any grace for two tabs: presenting the old token now is theft.
    await db.query(`UPDATE tokens SET rotated_at = now() - interval '10 seconds' WHERE token_value_hash = $1`, [tokenHash(first)]);

    const reused = await b.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(first) });
    expect(reused.statusCode).toBe(401);
    expect(reused.json().error_code).toBe('CIAM_E04_00_002');
    const { rows } = await db.query<{ event_type: string }>(
      `SELECT event_type FROM audit_logs WHERE event_type = 'TOKEN_REUSE_DETECTED' AND session_id =
         (SELECT session_id FROM tokens WHERE token_value_hash = $1)`,
      [tokenHash(first)],
    );
    expect(rows).toHaveLength(1);

    // The current token, back on the first instance, died with its session.
    const after = await a.call({ method: 'POST', url: '/auth/refresh', headers: refreshCookie(second) });
    expect(after.statusCode).toBe(401);
  });
});
