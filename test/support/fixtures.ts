import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect } from 'vitest';
import { sqlStateOf, type Database, type Queryable } from '../../src/store/database.js';
import { adminUrl, databaseUrl } from './postgres-urls.js';

/**
 * Rows for the store and job suites, inserted with plain SQL so each test states only what it is
 * about: every insert fills the required columns and takes the rest from `row`.
 */

type Row = Record<string, unknown>;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

export const minutesAgo = (n: number): Date => new Date(Date.now() - n * MINUTE);
export const minutesAhead = (n: number): Date => new Date(Date.now() + n * MINUTE);
export const daysAgo = (n: number): Date => new Date(Date.now() - n * DAY);
export const daysAhead = (n: number): Date => new Date(Date.now() + n * DAY);

/** A SHA-256-shaped hex string, unique per call. */
export function hexHash(): string {
  return randomBytes(32).toString('hex');
}

export async function insertRow(db: Queryable, table: string, row: Row): Promise<Row> {
  const columns = Object.keys(row);
  const { rows } = await db.query(
    `INSERT INTO ${table} (${columns.join(', ')})
     VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
    Object.values(row),
  );
  return rows[0]!;
}

export async function insertContext(db: Queryable, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'auth_contexts', {
    cupid: 'CUPID_TEST_001',
    app_id: 'web-banking',
    app_version: '1.0.0',
    ip_address: '203.0.113.10',
    ...row,
  });
  return inserted.context_id as string;
}

export async function insertStep(db: Queryable, contextId: string, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'auth_transactions', {
    context_id: contextId,
    transaction_type: 'MFA_INITIATE',
    sequence_number: 1,
    phase: 'MFA',
    ...row,
  });
  return inserted.transaction_id as string;
}

export async function insertSession(db: Queryable, contextId: string, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'sessions', {
    context_id: contextId,
    cupid: 'CUPID_TEST_001',
    ip_address: '203.0.113.10',
    ...row,
  });
  return inserted.session_id as string;
}

export async function insertToken(db: Queryable, sessionId: string, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'tokens', {
    session_id: sessionId,
    token_type: 'ACCESS',
    token_value_hash: hexHash(),
    expires_at: minutesAhead(15),
    ...row,
  });
  return inserted.token_id as string;
}

export async function insertDevice(db: Queryable, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'trusted_devices', {
    cupid: 'CUPID_TEST_001',
    device_fingerprint: 'fp-browser-1',
    device_fingerprint_hash: hexHash(),
    ...row,
  });
  return inserted.device_id as string;
}

export async function insertDrs(db: Queryable, contextId: string, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'drs_evaluations', {
    context_id: contextId,
    cupid: 'CUPID_TEST_001',
    action_token_hash: hexHash(),
    recommendation: 'ALLOW',
    risk_score: 20,
    raw_response: '{}',
    ...row,
  });
  return inserted.evaluation_id as string;
}

export async function insertAudit(db: Queryable, row: Row = {}): Promise<string> {
  const inserted = await insertRow(db, 'audit_logs', {
    event_type: 'LOGIN_SUCCESS',
    event_category: 'AUTH',
    event_data: '{}',
    ...row,
  });
  return inserted.audit_id as string;
}

/** Awaits `work` and asserts it failed with this SQLSTATE (and, when given, this constraint). */
export async function expectSqlState(work: Promise<unknown>, code: string, constraint?: string): Promise<void> {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, `expected SQLSTATE ${code}, but the statement succeeded`).toBeDefined();
  expect(sqlStateOf(err), String((err as Error).message)).toBe(code);
  if (constraint) expect((err as { constraint?: string }).constraint).toBe(constraint);
}

export async function count(db: Queryable, sql: string, values: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM (${sql}) AS q`, values);
  return rows[0]!.n;
}

const rollbackSignal = new Error('rollback');

/** Runs `body` in a transaction that is always rolled back, so a test leaves nothing behind. */
export async function inRolledBackTransaction(db: Database, body: (tx: Queryable) => Promise<void>): Promise<void> {
  await db
    .transaction(async (tx) => {
      await body(tx);
      throw rollbackSignal;
    })
    .catch((err: unknown) => {
      if (err !== rollbackSignal) throw err;
    });
}

/** PostgreSQL only: an empty database (not copied from the migrated template), and its removal. */
export async function createEmptyPostgresDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: databaseUrl(name),
    async drop() {
      const cleanup = new pg.Client({ connectionString: adminUrl() });
      await cleanup.connect();
      try {
        await cleanup.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
