import { describe, expect, it } from 'vitest';
import { SqlState, sqlStateOf } from '../../src/store/database.js';
import { testEngine, useTestDatabase } from '../support/test-database.js';

const db = useTestDatabase();

const failingInsert = `INSERT INTO drs_evaluations (context_id, cupid, action_token_hash, recommendation, risk_score, raw_response)
                       VALUES (gen_random_uuid(), 'C', 'h', 'ALLOW', 101, '{}')`;

describe('the pool after a failed statement', () => {
  it('answers the next query (PGlite once failed it with "Connection terminated unexpectedly")', async () => {
    for (let round = 0; round < 3; round++) {
      let code: string | undefined;
      try {
        await db.query(failingInsert);
      } catch (err) {
        code = sqlStateOf(err);
      }
      expect(code).toBe(SqlState.checkViolation);
      expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    }
  });

  it('answers a query queued behind the failing one', async () => {
    for (let round = 0; round < 3; round++) {
      // Issued together, as concurrent requests are: the second waits for the pool's connection.
      const failing = db.query(failingInsert).then(
        () => undefined,
        (err: unknown) => sqlStateOf(err),
      );
      const next = db.query<{ one: number }>('SELECT 1 AS one');
      expect(await failing).toBe(SqlState.checkViolation);
      expect((await next).rows).toEqual([{ one: 1 }]);
    }
  });

  it('still runs transactions after a failed one', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query('SELECT 1');
        await tx.query('SELECT * FROM no_such_table');
      }),
    ).rejects.toMatchObject({ code: '42P01' });
    await expect(db.transaction(async (tx) => (await tx.query('SELECT 2 AS two')).rows)).resolves.toEqual([{ two: 2 }]);
  });
});

describe('the embedded engine', () => {
  it.runIf(testEngine() === 'pglite')("keeps a 32 MB buffer cache in the service's process, not a server's 128 MB", async () => {
    const { rows } = await db.query<{ size: string }>("SELECT current_setting('shared_buffers') AS size");
    expect(rows).toEqual([{ size: '32MB' }]);
  });
});
