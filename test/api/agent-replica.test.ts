import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replicaUnavailableReason, startReplica, type Replica } from '../support/replica.js';
import { available } from '../support/requirements.js';
import { openTestSession, revokeSession } from '../support/sessions.js';
import { AGENT_SECRET, GATEWAY_KEY, useTestApp } from '../support/test-app.js';
import { openTestDatabase } from '../support/test-database.js';

/**
 * DATABASE_READ_URL: the agent reports read a real streaming replica of the test server; nothing
 * on a login or token path does. Pausing WAL replay on the replica makes it lag: the agent then
 * sees the primary as it was, while every write and every token check still sees the present.
 */
const agent = { authorization: `Bearer ${AGENT_SECRET}` };
const onPostgres = process.env.CIAM_TEST_ENGINE === 'postgres';
const replicaPossible = onPostgres && available('A streaming replica of the test PostgreSQL', await replicaUnavailableReason());

describe.skipIf(!replicaPossible)(
  'agent reports on a streaming replica (PostgreSQL only: PGlite has no replication; one replica for the postgres project is enough)',
  () => {
    let replica: Replica;
    beforeAll(async () => {
      replica = await startReplica();
    }, 180_000);
    afterAll(async () => {
      await replica?.close();
    });
    const t = useTestApp({}, { db: () => openTestDatabaseWithReplica(replica) });
    beforeAll(async () => {
      await replica.catchUp();
    }, 180_000);

    const sessionsOf = async (cupid: string) => {
      const res = await t.call({ method: 'GET', url: `/admin/customers/${cupid}/sessions`, headers: agent });
      expect(res.statusCode).toBe(200);
      return (res.json().sessions as { session_id: string }[]).map((s) => s.session_id).sort();
    };

    it('reads the reports from the replica: what it has replayed, and no more', async () => {
      const first = await openTestSession(t, { cupid: 'CUPID_REPLICA_001' });
      await replica.catchUp();
      expect(await sessionsOf('CUPID_REPLICA_001')).toEqual([first.sessionId]);

      await replica.pauseReplay();
      try {
        const second = await openTestSession(t, { cupid: 'CUPID_REPLICA_001' });
        // The primary has both sessions; the lagging replica, which the listing reads, only the first.
        const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE cupid = 'CUPID_REPLICA_001'`);
        expect(rows[0]!.n).toBe(2);
        expect(await sessionsOf('CUPID_REPLICA_001')).toEqual([first.sessionId]);
        const audit = await t.call({ method: 'GET', url: '/admin/customers/CUPID_REPLICA_001/audit', headers: agent });
        expect(audit.statusCode).toBe(200);
        const sessionIds = new Set((audit.json().events as { session_id: string | null }[]).map((e) => e.session_id));
        expect(sessionIds.has(first.sessionId)).toBe(true);
        expect(sessionIds.has(second.sessionId)).toBe(false);

        // Nothing on a token path reads the replica: the new session's token verifies and refreshes.
        const verify = await t.call({
          method: 'POST',
          url: '/auth/token/verify',
          headers: { 'x-api-key': GATEWAY_KEY },
          payload: { token: second.accessToken },
        });
        expect(verify.json()).toMatchObject({ active: true });
        const refresh = await t.call({ method: 'POST', url: '/auth/refresh', headers: { cookie: `refresh_token=${second.refreshToken}` } });
        expect(refresh.statusCode).toBe(200);

        // An agent's revocation writes the primary and takes effect at once, though its own
        // listing still shows the session until the replica replays it.
        const revoke = await revokeSession(t, { session_id: first.sessionId, reason: 'customer called: lost phone' });
        expect(revoke.statusCode).toBe(200);
        const dead = await t.call({ method: 'POST', url: '/auth/token/verify', headers: { 'x-api-key': GATEWAY_KEY }, payload: { token: first.accessToken } });
        expect(dead.json()).toEqual({ active: false });
        expect(await sessionsOf('CUPID_REPLICA_001')).toEqual([first.sessionId]);
      } finally {
        await replica.resumeReplay();
      }
      await replica.catchUp();
      const { rows } = await t.db.query<{ session_id: string }>(`SELECT session_id FROM sessions WHERE cupid = 'CUPID_REPLICA_001' AND status = 'ACTIVE'`);
      expect(await sessionsOf('CUPID_REPLICA_001')).toEqual(rows.map((r) => r.session_id).sort());
      expect(rows).toHaveLength(1);
    });
  },
);

function openTestDatabaseWithReplica(replica: Replica) {
  // The test database is created on the primary first; the replica learns of it through WAL.
  return openTestDatabase({
    reportsOn: (primaryUrl: string) => ({ connectionString: replica.urlFor(primaryUrl), poolMax: 3, statementTimeoutMs: 5_000 }),
  });
}
