import { describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/store/database.js';
import { useTestDatabase } from '../support/test-database.js';
import {
  count,
  expectSqlState,
  daysAgo,
  inRolledBackTransaction,
  insertAudit,
  insertContext,
  insertDrs,
  insertSession,
  insertStep,
  insertToken,
  minutesAgo,
  minutesAhead,
} from '../support/fixtures.js';

const INVALID_PARAMETER_VALUE = '22023';

// Each test counts every row a function changes, so each runs in a transaction of its own that is
// rolled back at the end: no test sees another's rows.
const db = useTestDatabase();
let q: Queryable;

function isolated(body: () => Promise<void>): () => Promise<void> {
  return () =>
    inRolledBackTransaction(db, async (tx) => {
      q = tx;
      await body();
    });
}

/** Calls a maintenance function; `args` is the SQL argument list. */
async function run(fn: string, args = ''): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT ${fn}(${args}) AS n`);
  return rows[0]!.n;
}

async function row(table: string, key: string, id: string): Promise<Record<string, unknown> | undefined> {
  const { rows } = await q.query(`SELECT * FROM ${table} WHERE ${key} = $1`, [id]);
  return rows[0];
}

describe('expire_pending_transactions', () => {
  it('expires open steps past their expiry, marks MFA ones TIMEOUT, and leaves the rest', isolated(async () => {
    const mfa = await insertStep(q, await insertContext(q), {
      transaction_type: 'MFA_VERIFY',
      created_at: minutesAgo(10),
      expires_at: minutesAgo(1),
    });
    const esign = await insertStep(q, await insertContext(q), {
      transaction_type: 'ESIGN_ACCEPT',
      phase: 'ESIGN',
      created_at: minutesAgo(20),
      expires_at: minutesAgo(2),
    });
    const live = await insertStep(q, await insertContext(q), { expires_at: minutesAhead(5) });
    const consumed = await insertStep(q, await insertContext(q), {
      transaction_status: 'CONSUMED',
      consumed_at: minutesAgo(8),
      verification_result: 'CORRECT',
      created_at: minutesAgo(10),
      expires_at: minutesAgo(5),
    });

    expect(await run('expire_pending_transactions')).toBe(2);
    expect(await row('auth_transactions', 'transaction_id', mfa)).toMatchObject({
      transaction_status: 'EXPIRED',
      verification_result: 'TIMEOUT',
      consumed_at: expect.any(Date),
    });
    expect(await row('auth_transactions', 'transaction_id', esign)).toMatchObject({
      transaction_status: 'EXPIRED',
      verification_result: null,
      consumed_at: expect.any(Date),
    });
    expect(await row('auth_transactions', 'transaction_id', live)).toMatchObject({
      transaction_status: 'PENDING',
      consumed_at: null,
    });
    expect(await row('auth_transactions', 'transaction_id', consumed)).toMatchObject({
      transaction_status: 'CONSUMED',
      verification_result: 'CORRECT',
    });
    expect(await run('expire_pending_transactions')).toBe(0);
  }));
});

describe('expire_auth_contexts', () => {
  it('marks open journeys past their expiry EXPIRED with completed_at, and nothing else', isolated(async () => {
    const lapsed = await insertContext(q, { created_at: minutesAgo(30), expires_at: minutesAgo(15) });
    const live = await insertContext(q);
    const completedAt = minutesAgo(25);
    const finished = await insertContext(q, {
      created_at: minutesAgo(30),
      expires_at: minutesAgo(15),
      auth_outcome: 'SUCCESS',
      completed_at: completedAt,
    });

    expect(await run('expire_auth_contexts')).toBe(1);
    expect(await row('auth_contexts', 'context_id', lapsed)).toMatchObject({
      auth_outcome: 'EXPIRED',
      completed_at: expect.any(Date),
    });
    expect(await row('auth_contexts', 'context_id', live)).toMatchObject({ auth_outcome: null, completed_at: null });
    expect(await row('auth_contexts', 'context_id', finished)).toMatchObject({
      auth_outcome: 'SUCCESS',
      completed_at: completedAt,
    });
    expect(await run('expire_auth_contexts')).toBe(0);
  }));
});

describe('expire_sessions', () => {
  it('expires active sessions past their expiry together with their active tokens', isolated(async () => {
    const contextId = await insertContext(q);
    const lapsed = await insertSession(q, contextId, { created_at: daysAgo(31), expires_at: minutesAgo(1) });
    const access = await insertToken(q, lapsed, { token_type: 'ACCESS', created_at: minutesAgo(5) });
    const refresh = await insertToken(q, lapsed, { token_type: 'REFRESH', created_at: minutesAgo(5) });
    const rotated = await insertToken(q, lapsed, {
      token_type: 'REFRESH',
      status: 'ROTATED',
      rotated_at: minutesAgo(5),
      created_at: minutesAgo(20),
    });
    const live = await insertSession(q, contextId);
    const liveToken = await insertToken(q, live, { token_type: 'ACCESS' });
    const revoked = await insertSession(q, contextId, {
      status: 'REVOKED',
      revoked_at: minutesAgo(30),
      expires_at: minutesAgo(1),
    });

    expect(await run('expire_sessions')).toBe(1);
    expect(await row('sessions', 'session_id', lapsed)).toMatchObject({ status: 'EXPIRED', ended_at: expect.any(Date) });
    expect((await row('tokens', 'token_id', access))!.status).toBe('EXPIRED');
    expect((await row('tokens', 'token_id', refresh))!.status).toBe('EXPIRED');
    expect((await row('tokens', 'token_id', rotated))!.status).toBe('ROTATED');
    expect(await row('sessions', 'session_id', live)).toMatchObject({ status: 'ACTIVE', ended_at: null });
    expect((await row('tokens', 'token_id', liveToken))!.status).toBe('ACTIVE');
    expect((await row('sessions', 'session_id', revoked))!.status).toBe('REVOKED');
    expect(await run('expire_sessions')).toBe(0);
  }));
});

describe('expire_tokens', () => {
  it('expires active tokens past their own expiry inside a live session', isolated(async () => {
    const sessionId = await insertSession(q, await insertContext(q));
    const lapsed = await insertToken(q, sessionId, {
      token_type: 'ACCESS',
      created_at: minutesAgo(20),
      expires_at: minutesAgo(5),
    });
    const live = await insertToken(q, sessionId, { token_type: 'REFRESH' });
    const rotated = await insertToken(q, sessionId, {
      token_type: 'ID',
      status: 'ROTATED',
      rotated_at: minutesAgo(10),
      created_at: minutesAgo(20),
      expires_at: minutesAgo(5),
    });

    expect(await run('expire_tokens')).toBe(1);
    expect((await row('tokens', 'token_id', lapsed))!.status).toBe('EXPIRED');
    expect((await row('tokens', 'token_id', live))!.status).toBe('ACTIVE');
    expect((await row('tokens', 'token_id', rotated))!.status).toBe('ROTATED');
    expect((await row('sessions', 'session_id', sessionId))!.status).toBe('ACTIVE');
    expect(await run('expire_tokens')).toBe(0);
  }));
});

describe('delete_old_auth_contexts', () => {
  it('deletes finished journeys older than 90 days with their steps and DRS rows', isolated(async () => {
    const old = { created_at: daysAgo(100), expires_at: daysAgo(100) };
    const finished = await insertContext(q, { ...old, auth_outcome: 'SUCCESS', completed_at: daysAgo(100) });
    const first = await insertStep(q, finished, {
      transaction_status: 'CONSUMED',
      consumed_at: daysAgo(100),
      created_at: daysAgo(100),
    });
    await insertStep(q, finished, {
      sequence_number: 2,
      parent_transaction_id: first,
      transaction_status: 'CONSUMED',
      consumed_at: daysAgo(100),
      created_at: daysAgo(100),
    });
    await insertDrs(q, finished, { created_at: daysAgo(100) });

    const open = await insertContext(q, old);
    await insertStep(q, open, { created_at: daysAgo(100), expires_at: daysAgo(100) });
    const withSession = await insertContext(q, { ...old, auth_outcome: 'SUCCESS', completed_at: daysAgo(100) });
    await insertSession(q, withSession, { created_at: daysAgo(100) });
    const recent = await insertContext(q, {
      created_at: daysAgo(10),
      expires_at: daysAgo(10),
      auth_outcome: 'FAILED',
      completed_at: daysAgo(10),
    });

    expect(await run('delete_old_auth_contexts')).toBe(1);
    expect(await row('auth_contexts', 'context_id', finished)).toBeUndefined();
    expect(await count(q, 'SELECT 1 FROM auth_transactions WHERE context_id = $1', [finished])).toBe(0);
    expect(await count(q, 'SELECT 1 FROM drs_evaluations WHERE context_id = $1', [finished])).toBe(0);
    for (const kept of [open, withSession, recent]) {
      expect(await row('auth_contexts', 'context_id', kept)).toBeDefined();
    }
    expect(await count(q, 'SELECT 1 FROM auth_transactions WHERE context_id = $1', [open])).toBe(1);
    expect(await run('delete_old_auth_contexts')).toBe(0);
  }));
});

describe('delete_old_drs_evaluations', () => {
  it('deletes evaluations older than 90 days', isolated(async () => {
    const contextId = await insertContext(q);
    const old = await insertDrs(q, contextId, { created_at: daysAgo(91) });
    const recent = await insertDrs(q, contextId, { created_at: daysAgo(89) });

    expect(await run('delete_old_drs_evaluations')).toBe(1);
    expect(await row('drs_evaluations', 'evaluation_id', old)).toBeUndefined();
    expect(await row('drs_evaluations', 'evaluation_id', recent)).toBeDefined();
    expect(await run('delete_old_drs_evaluations')).toBe(0);
  }));
});

describe('delete_ended_sessions', () => {
  it('deletes sessions ended over 30 days ago with their tokens; active and recently ended ones stay', isolated(async () => {
    const contextId = await insertContext(q);
    const longAgo = { created_at: daysAgo(70), expires_at: daysAgo(40) };
    const revoked = await insertSession(q, contextId, {
      ...longAgo,
      status: 'REVOKED',
      revoked_at: daysAgo(45),
      ended_at: daysAgo(45),
    });
    const revokedToken = await insertToken(q, revoked, {
      status: 'REVOKED',
      revoked_at: daysAgo(45),
      created_at: daysAgo(70),
      expires_at: daysAgo(40),
    });
    const loggedOut = await insertSession(q, contextId, { ...longAgo, status: 'LOGGED_OUT', ended_at: daysAgo(50) });
    // Expired without an ended_at (e.g. written before the column existed): its expiry counts.
    const expired = await insertSession(q, contextId, { ...longAgo, status: 'EXPIRED' });
    const recentlyRevoked = await insertSession(q, contextId, {
      status: 'REVOKED',
      revoked_at: daysAgo(10),
      ended_at: daysAgo(10),
    });
    const stillActive = await insertSession(q, contextId, longAgo);

    expect(await run('delete_ended_sessions')).toBe(3);
    for (const gone of [revoked, loggedOut, expired]) expect(await row('sessions', 'session_id', gone)).toBeUndefined();
    expect(await row('tokens', 'token_id', revokedToken)).toBeUndefined();
    expect(await row('sessions', 'session_id', recentlyRevoked)).toBeDefined();
    expect(await row('sessions', 'session_id', stillActive)).toBeDefined();
    expect(await run('delete_ended_sessions')).toBe(0);
  }));
});

describe('drop_old_audit_partitions', () => {
  it('drops monthly partitions older than two years and keeps recent ones', isolated(async () => {
    const partitions = async () =>
      (
        await q.query<{ name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = 'audit_logs'::regclass ORDER BY 1`,
        )
      ).rows.map((r) => r.name);
    const before = await partitions();
    const { rows } = await q.query<{ name: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC' - interval '3 years', '"audit_logs_"YYYY_MM') AS name`,
    );
    const old = rows[0]!.name;
    expect(await run('create_audit_partition', `(now() AT TIME ZONE 'UTC' - interval '3 years')::date`)).toBe(1);
    await insertAudit(q, { created_at: daysAgo(3 * 365 + 1) });
    expect(await partitions()).toContain(old);

    expect(await run('drop_old_audit_partitions')).toBe(1);
    expect(await partitions()).toEqual(before);
    expect(before).toContain('audit_logs_default');
    expect(await run('drop_old_audit_partitions')).toBe(0);
  }));
});

describe('drop_old_audit_partitions retention floor', () => {
  it('refuses a retention under two years, so no caller can empty the audit log', isolated(async () => {
    const month = `(now() AT TIME ZONE 'UTC' - interval '3 months')::date`;
    expect(await run('create_audit_partition', month)).toBe(1);
    await q.query('SAVEPOINT before_drop');
    await expectSqlState(run('drop_old_audit_partitions', `interval '1 month'`), INVALID_PARAMETER_VALUE);
    await q.query('ROLLBACK TO SAVEPOINT before_drop');
    const { rows } = await q.query(`SELECT to_regclass(to_char(${month}, '"audit_logs_"YYYY_MM')) IS NOT NULL AS kept`);
    expect(rows[0]!.kept).toBe(true);
  }));
});

describe('batch bound', () => {
  // Each case makes five rows its function would change.
  const cases: Array<{ fn: string; args: string; makeFive: () => Promise<void> }> = [
    {
      fn: 'expire_pending_transactions',
      args: '2',
      makeFive: async () => {
        for (let i = 0; i < 5; i++) {
          await insertStep(q, await insertContext(q), { created_at: minutesAgo(10), expires_at: minutesAgo(1 + i) });
        }
      },
    },
    {
      fn: 'expire_auth_contexts',
      args: '2',
      makeFive: async () => {
        for (let i = 0; i < 5; i++) await insertContext(q, { created_at: minutesAgo(30), expires_at: minutesAgo(1 + i) });
      },
    },
    {
      fn: 'expire_sessions',
      args: '2',
      makeFive: async () => {
        const contextId = await insertContext(q);
        for (let i = 0; i < 5; i++) {
          await insertSession(q, contextId, { created_at: daysAgo(31), expires_at: minutesAgo(1 + i) });
        }
      },
    },
    {
      fn: 'expire_tokens',
      args: '2',
      makeFive: async () => {
        const contextId = await insertContext(q);
        for (let i = 0; i < 5; i++) {
          const sessionId = await insertSession(q, contextId);
          await insertToken(q, sessionId, { created_at: minutesAgo(20), expires_at: minutesAgo(1 + i) });
        }
      },
    },
    {
      fn: 'delete_old_auth_contexts',
      args: `interval '90 days', 2`,
      makeFive: async () => {
        for (let i = 0; i < 5; i++) {
          const old = daysAgo(95);
          await insertContext(q, { created_at: old, expires_at: old, auth_outcome: 'EXPIRED', completed_at: old });
        }
      },
    },
    {
      fn: 'delete_old_drs_evaluations',
      args: `interval '90 days', 2`,
      makeFive: async () => {
        const contextId = await insertContext(q);
        for (let i = 0; i < 5; i++) await insertDrs(q, contextId, { created_at: daysAgo(95 + i) });
      },
    },
    {
      fn: 'delete_ended_sessions',
      args: `interval '30 days', 2`,
      makeFive: async () => {
        const contextId = await insertContext(q);
        for (let i = 0; i < 5; i++) {
          await insertSession(q, contextId, { status: 'LOGGED_OUT', created_at: daysAgo(60), ended_at: daysAgo(40 + i) });
        }
      },
    },
  ];

  it.each(cases)('$fn changes at most p_limit rows per call: 2, 2, 1, 0', ({ fn, args, makeFive }) =>
    isolated(async () => {
      await makeFive();
      const calls = [];
      for (let i = 0; i < 4; i++) calls.push(await run(fn, args));
      expect(calls).toEqual([2, 2, 1, 0]);
    })(),
  );
});
