import { describe, expect, it } from 'vitest';
import { SqlState } from '../../src/store/database.js';
import { useTestDatabase } from '../support/test-database.js';
import {
  expectSqlState,
  hexHash,
  insertContext,
  insertDevice,
  insertDrs,
  insertSession,
  insertStep,
  insertToken,
  minutesAgo,
} from '../support/fixtures.js';

const { checkViolation, uniqueViolation } = SqlState;

const db = useTestDatabase();

describe('auth_contexts', () => {
  it('refuses an outcome without completed_at, and completed_at without an outcome', async () => {
    await expectSqlState(insertContext(db, { auth_outcome: 'SUCCESS' }), checkViolation, 'chk_auth_contexts_completed');
    await expectSqlState(insertContext(db, { completed_at: new Date() }), checkViolation, 'chk_auth_contexts_completed');
    await expect(insertContext(db, { auth_outcome: 'SUCCESS', completed_at: new Date() })).resolves.toBeTruthy();
  });

  it('refuses an outcome outside SUCCESS, EXPIRED, ABANDONED, FAILED', async () => {
    await expectSqlState(
      insertContext(db, { auth_outcome: 'DONE', completed_at: new Date() }),
      checkViolation,
      'chk_auth_contexts_outcome',
    );
  });
});

describe('auth_transactions', () => {
  it('holds at most one PENDING step per journey', async () => {
    const contextId = await insertContext(db);
    await insertStep(db, contextId, { sequence_number: 1 });
    await expectSqlState(insertStep(db, contextId, { sequence_number: 2 }), uniqueViolation, 'uq_auth_tx_one_pending');
    // A consumed step beside the open one, and an open step in another journey, are fine.
    await insertStep(db, contextId, { sequence_number: 2, transaction_status: 'CONSUMED', consumed_at: new Date() });
    await insertStep(db, await insertContext(db), { sequence_number: 1 });
  });

  it('refuses a PENDING step with consumed_at set', async () => {
    const contextId = await insertContext(db);
    await expectSqlState(insertStep(db, contextId, { consumed_at: new Date() }), checkViolation, 'chk_auth_tx_consumed');
  });

  it('refuses a CONSUMED step without consumed_at, also when consumed by UPDATE', async () => {
    const contextId = await insertContext(db);
    await expectSqlState(
      insertStep(db, contextId, { transaction_status: 'CONSUMED' }),
      checkViolation,
      'chk_auth_tx_consumed',
    );
    const stepId = await insertStep(db, contextId);
    await expectSqlState(
      db.query(`UPDATE auth_transactions SET transaction_status = 'CONSUMED' WHERE transaction_id = $1`, [stepId]),
      checkViolation,
      'chk_auth_tx_consumed',
    );
  });

  it('refuses sequence number 0', async () => {
    await expectSqlState(insertStep(db, await insertContext(db), { sequence_number: 0 }), checkViolation, 'chk_auth_tx_sequence');
  });

  it('accepts mfa_option_id 1–6 and refuses 7', async () => {
    const contextId = await insertContext(db);
    await expectSqlState(insertStep(db, contextId, { mfa_option_id: 7 }), checkViolation, 'chk_auth_tx_option');
    await expect(insertStep(db, contextId, { mfa_option_id: 6 })).resolves.toBeTruthy();
  });

  it('accepts display_number 1–99 and refuses 100', async () => {
    const contextId = await insertContext(db);
    await expectSqlState(insertStep(db, contextId, { display_number: 100 }), checkViolation, 'chk_auth_tx_display');
    await expect(insertStep(db, contextId, { display_number: 99 })).resolves.toBeTruthy();
  });

  it('refuses a phase outside MFA, ESIGN, DEVICE_BIND', async () => {
    await expectSqlState(insertStep(db, await insertContext(db), { phase: 'LOGIN' }), checkViolation, 'chk_auth_tx_phase');
  });
});

describe('sessions', () => {
  it('refuses REVOKED without revoked_at, and revoked_at on a session that is not REVOKED', async () => {
    const contextId = await insertContext(db);
    await expectSqlState(insertSession(db, contextId, { status: 'REVOKED' }), checkViolation, 'chk_sessions_revoked');
    await expectSqlState(insertSession(db, contextId, { revoked_at: new Date() }), checkViolation, 'chk_sessions_revoked');
    await expect(insertSession(db, contextId, { status: 'REVOKED', revoked_at: new Date() })).resolves.toBeTruthy();
  });
});

describe('tokens', () => {
  async function newSession(): Promise<string> {
    return insertSession(db, await insertContext(db));
  }

  it('refuses REVOKED without revoked_at', async () => {
    await expectSqlState(insertToken(db, await newSession(), { status: 'REVOKED' }), checkViolation, 'chk_tokens_revoked');
  });

  it('refuses ROTATED without rotated_at, and accepts it with rotated_at and no revoked_at', async () => {
    const sessionId = await newSession();
    await expectSqlState(insertToken(db, sessionId, { status: 'ROTATED' }), checkViolation, 'chk_tokens_rotated');
    await expect(insertToken(db, sessionId, { status: 'ROTATED', rotated_at: new Date() })).resolves.toBeTruthy();
  });

  it('holds one ACTIVE token of each type per session', async () => {
    const sessionId = await newSession();
    await insertToken(db, sessionId, { token_type: 'ACCESS' });
    await expectSqlState(
      insertToken(db, sessionId, { token_type: 'ACCESS' }),
      uniqueViolation,
      'uq_tokens_one_active_per_type',
    );
    await insertToken(db, sessionId, { token_type: 'REFRESH' });
    await insertToken(db, sessionId, { token_type: 'ACCESS', status: 'ROTATED', rotated_at: minutesAgo(1) });
  });

  it('refuses a second ACTIVE token with the same hash, but keeps ROTATED duplicates', async () => {
    const hash = hexHash();
    await insertToken(db, await newSession(), { token_value_hash: hash });
    await expectSqlState(
      insertToken(db, await newSession(), { token_value_hash: hash }),
      uniqueViolation,
      'uq_tokens_active_hash',
    );
    await expect(
      insertToken(db, await newSession(), { token_value_hash: hash, status: 'ROTATED', rotated_at: new Date() }),
    ).resolves.toBeTruthy();
  });

  it('refuses a hash that is not 64 lower-case hex digits', async () => {
    const sessionId = await newSession();
    await expectSqlState(insertToken(db, sessionId, { token_value_hash: 'not-a-hash' }), checkViolation, 'chk_tokens_hash');
    await expectSqlState(
      insertToken(db, sessionId, { token_value_hash: hexHash().toUpperCase() }),
      checkViolation,
      'chk_tokens_hash',
    );
    await expectSqlState(
      insertToken(db, sessionId, { token_value_hash: hexHash().slice(1) }),
      checkViolation,
      'chk_tokens_hash',
    );
  });
});

describe('trusted_devices', () => {
  it('holds one ACTIVE trust per cupid and fingerprint hash; a revoked one may be trusted again', async () => {
    const fingerprintHash = hexHash();
    const first = await insertDevice(db, { cupid: 'CUPID_DEV_1', device_fingerprint_hash: fingerprintHash });
    await expectSqlState(
      insertDevice(db, { cupid: 'CUPID_DEV_1', device_fingerprint_hash: fingerprintHash }),
      uniqueViolation,
      'uq_devices_active_cupid_fp',
    );
    // The same device trusted by another customer is a different trust.
    await insertDevice(db, { cupid: 'CUPID_DEV_2', device_fingerprint_hash: fingerprintHash });
    await db.query(`UPDATE trusted_devices SET status = 'REVOKED', revoked_at = now() WHERE device_id = $1`, [first]);
    await expect(insertDevice(db, { cupid: 'CUPID_DEV_1', device_fingerprint_hash: fingerprintHash })).resolves.toBeTruthy();
  });

  it('refuses REVOKED without revoked_at', async () => {
    await expectSqlState(insertDevice(db, { status: 'REVOKED' }), checkViolation, 'chk_devices_revoked');
  });
});

describe('drs_evaluations', () => {
  it('accepts risk scores 0 and 100 and refuses 101 and -1', async () => {
    const contextId = await insertContext(db);
    await expectSqlState(insertDrs(db, contextId, { risk_score: 101 }), checkViolation, 'chk_drs_risk');
    await expectSqlState(insertDrs(db, contextId, { risk_score: -1 }), checkViolation, 'chk_drs_risk');
    await insertDrs(db, contextId, { risk_score: 0 });
    await insertDrs(db, contextId, { risk_score: 100 });
  });
});

describe('audit_logs', () => {
  it('refuses a category outside the seven', async () => {
    await expectSqlState(
      db.query(`INSERT INTO audit_logs (event_type, event_category, event_data) VALUES ('X', 'OTHER', '{}')`),
      checkViolation,
      'chk_audit_category',
    );
  });
});

describe('ids and indexes of the write paths', () => {
  it('gives journeys, sessions, tokens and audit rows time-ordered version-7 ids', async () => {
    const contextId = await insertContext(db);
    const sessionId = await insertSession(db, contextId);
    const first = await insertToken(db, sessionId);
    await new Promise((r) => setTimeout(r, 5));
    const second = await insertToken(db, sessionId, { token_type: 'REFRESH' });
    const { rows } = await db.query<{ audit_id: string }>(
      `INSERT INTO audit_logs (event_type, event_category, event_data) VALUES ('X', 'AUTH', '{}') RETURNING audit_id`,
    );
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    for (const id of [contextId, sessionId, first, second, rows[0]!.audit_id]) expect(id).toMatch(v7);
    // The first 48 bits are the time in milliseconds: later ids sort after earlier ones.
    expect(second > first).toBe(true);
    const millis = Number.parseInt(second.replace(/-/g, '').slice(0, 12), 16);
    expect(Math.abs(millis - Date.now())).toBeLessThan(60_000);
  });

  it('finds a token by its hash in every status through the two partial hash indexes', async () => {
    const sessionId = await insertSession(db, await insertContext(db));
    const hash = hexHash();
    await insertToken(db, sessionId, { token_type: 'REFRESH', token_value_hash: hash, status: 'ROTATED', rotated_at: new Date() });
    const { rows } = await db.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE tablename = 'tokens' AND indexdef LIKE '%(token_value_hash)%' ORDER BY indexname`,
    );
    expect(rows.map((r) => r.indexdef.replace(/^.* USING /, ''))).toEqual([
      `btree (token_value_hash) WHERE (status <> 'ACTIVE'::token_status)`,
      `btree (token_value_hash) WHERE (status = 'ACTIVE'::token_status)`,
    ]);
    const found = await db.query(`SELECT 1 FROM tokens WHERE token_value_hash = $1 AND status <> 'ACTIVE'`, [hash]);
    expect(found.rowCount).toBe(1);
  });
});
