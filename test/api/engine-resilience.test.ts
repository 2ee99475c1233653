import { afterEach, describe, expect, it } from 'vitest';
import { expectTokens, journeyClient, JOURNEY_TEST_ENV, otherCode, type JourneyClient } from '../support/journey-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { openTestDatabase, testEngine } from '../support/test-database.js';

/**
 * The database connection survives what a running service meets: long idle periods, failed
 * statements, failed transactions. On the embedded engine each of these once left every later
 * login answering 503 (the one backend session kept prepared statements its replacement client
 * did not know about), while readiness still said READY.
 */

let t: TestApp | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function start(idleTimeoutMs?: number): Promise<{ t: TestApp; j: JourneyClient }> {
  const db = await openTestDatabase(idleTimeoutMs === undefined ? {} : { idleTimeoutMs });
  t = await startTestApp(JOURNEY_TEST_ENV, db);
  return { t, j: journeyClient(t) };
}

async function ready(app: TestApp) {
  return app.app.inject({ method: 'GET', url: '/health/ready' });
}

/** A statement that fails when its parameters are bound, after its name was prepared. */
async function failNamedStatement(app: TestApp) {
  await expect(
    app.db.query({ name: 'probe_failing_bind', text: 'SELECT $1::text AS v' }, ['nul \u0000 byte']),
  ).rejects.toMatchObject({ code: '22021' });
}

describe('the database connection over time', () => {
  it('serves logins after idling past every pool timeout', { timeout: 60_000 }, async () => {
    // PostgreSQL: the pool's idle timeout is injected short. PGlite has one session for the life
    // of the process and no idle timeout; idle past node-postgres' default (10 s), which once
    // replaced the connection.
    const { t: app, j } = await start(100);
    expectTokens(await j.login('simpleuser'), 201);
    await sleep(testEngine() === 'pglite' ? 10_500 : 400);
    if (testEngine() === 'postgres') expect(app.db.poolStats().total).toBe(0);
    expectTokens(await j.login('simpleuser'), 201);
    expect((await ready(app)).statusCode).toBe(200);
  });

  it('serves 100 logins after a failed statement', async () => {
    const { t: app, j } = await start();
    expectTokens(await j.login('simpleuser'), 201);
    await failNamedStatement(app);
    for (let i = 0; i < 100; i++) {
      const res = await j.login('simpleuser');
      expect(res.status, `login ${i + 1}: ${JSON.stringify(res.body)}`).toBe(201);
    }
    expect((await ready(app)).statusCode).toBe(200);
  });

  it('runs the walkthroughs after a statement error inside a transaction', async () => {
    const { t: app, j } = await start();
    expectTokens(await j.login('simpleuser'), 201);
    await expect(
      app.db.transaction(async (tx) => {
        await tx.query({ name: 'probe_in_transaction', text: 'SELECT count(*) FROM sessions WHERE cupid = $1' }, ['x']);
        await tx.query('SELECT * FROM no_such_table');
      }),
    ).rejects.toMatchObject({ code: '42P01' });

    // 1: simple login.
    expectTokens(await j.login('simpleuser'), 201);
    // 3: a wrong code, then the right one.
    const mfa = await j.loginToMfa('mfauser');
    const first = await j.sendCode('CUPID_MFA_001', mfa.context_id, mfa.transaction_id);
    const wrong = await j.verify(mfa.context_id, first.transactionId, otherCode(first.code));
    expect(wrong.status).toBe(400);
    const second = await j.sendCode('CUPID_MFA_001', mfa.context_id, wrong.body.transaction_id);
    expectTokens(await j.verify(mfa.context_id, second.transactionId, second.code), 201, mfa.context_id);
    // 5: MFA, eSign, device bind.
    const esign = await j.passMfaBySms('esignuser', { drsActionToken: 'sim:allow:resilience-device' });
    expect(esign.verified.body.response_type_code).toBe('ESIGN_REQUIRED');
    const accepted = await j.accept(esign.contextId, esign.verified.body.transaction_id, 'terms-v1-2025');
    expect(accepted.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
    const bound = await j.bind(esign.contextId, accepted.body.transaction_id, true);
    expectTokens(bound, 200, esign.contextId);
    expect((await ready(app)).statusCode).toBe(200);
  });
});

describe('readiness', () => {
  it('answers NOT_READY when the database cannot serve a query, READY otherwise', async () => {
    const { t: app } = await start();
    const up = await ready(app);
    expect(up.statusCode).toBe(200);
    expect(up.json()).toMatchObject({ status: 'READY', checks: { database: true, migrations: true } });

    await app.db.close();
    const down = await ready(app);
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({ status: 'NOT_READY', checks: { database: false } });
    await app.app.close();
    t = undefined;
  });
});
