import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../support/test-database.js';
import { insertContext, insertDrs, insertSession, insertStep, insertToken, minutesAgo, minutesAhead } from '../support/fixtures.js';

const db = useTestDatabase();

describe('v_active_sessions', () => {
  it('lists live sessions with their active-token count and access/refresh flags', async () => {
    const cupid = 'CUPID_VIEW_SESSIONS';
    const contextId = await insertContext(db, { cupid });
    const full = await insertSession(db, contextId, { cupid });
    await insertToken(db, full, { token_type: 'ACCESS' });
    await insertToken(db, full, { token_type: 'REFRESH', expires_at: minutesAhead(60 * 24 * 30) });
    await insertToken(db, full, { token_type: 'ID' });
    await insertToken(db, full, { token_type: 'ACCESS', status: 'ROTATED', rotated_at: minutesAgo(1) });

    const idOnly = await insertSession(db, contextId, { cupid });
    await insertToken(db, idOnly, { token_type: 'ID' });
    await insertToken(db, idOnly, { token_type: 'REFRESH', status: 'REVOKED', revoked_at: minutesAgo(1) });
    await insertToken(db, idOnly, { token_type: 'ACCESS', status: 'EXPIRED' });

    const bare = await insertSession(db, contextId, { cupid });

    // None of these is live: revoked, logged out, or past its expiry while still marked ACTIVE.
    const revoked = await insertSession(db, contextId, { cupid, status: 'REVOKED', revoked_at: new Date() });
    await insertToken(db, revoked, { token_type: 'ACCESS' });
    await insertSession(db, contextId, { cupid, status: 'LOGGED_OUT' });
    const expired = await insertSession(db, contextId, { cupid, created_at: minutesAgo(120), expires_at: minutesAgo(1) });
    await insertToken(db, expired, { token_type: 'ACCESS' });

    const { rows } = await db.query(
      `SELECT session_id, active_token_count::int AS active, has_active_access_token AS access,
              has_active_refresh_token AS refresh
       FROM v_active_sessions WHERE cupid = $1`,
      [cupid],
    );
    const bySession = new Map(rows.map((r) => [r.session_id, { active: r.active, access: r.access, refresh: r.refresh }]));
    expect(bySession).toEqual(
      new Map([
        [full, { active: 3, access: true, refresh: true }],
        [idOnly, { active: 1, access: false, refresh: false }],
        [bare, { active: 0, access: false, refresh: false }],
      ]),
    );
  });
});

describe('v_pending_transactions', () => {
  it('lists only open, unexpired steps, with the journey cupid and seconds until expiry', async () => {
    const cupid = 'CUPID_VIEW_PENDING';
    const open = await insertContext(db, { cupid });
    await insertStep(db, open, { sequence_number: 1, transaction_status: 'CONSUMED', consumed_at: minutesAgo(1) });
    const pending = await insertStep(db, open, { sequence_number: 2, expires_at: minutesAhead(5) });

    const lapsed = await insertContext(db, { cupid });
    await insertStep(db, lapsed, { created_at: minutesAgo(10), expires_at: minutesAgo(1) });
    const closed = await insertContext(db, { cupid });
    await insertStep(db, closed, { sequence_number: 1, transaction_status: 'EXPIRED', consumed_at: minutesAgo(1) });
    await insertStep(db, closed, { sequence_number: 2, transaction_status: 'REJECTED', consumed_at: minutesAgo(1) });

    const { rows } = await db.query(
      `SELECT transaction_id, context_id, cupid, sequence_number, seconds_until_expiry
       FROM v_pending_transactions WHERE cupid = $1`,
      [cupid],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ transaction_id: pending, context_id: open, cupid, sequence_number: 2 });
    expect(rows[0]!.seconds_until_expiry).toBeGreaterThan(280);
    expect(rows[0]!.seconds_until_expiry).toBeLessThanOrEqual(300);
  });
});

describe('v_high_risk_logins', () => {
  it('lists evaluations with risk 70 and above, with the journey ip and outcome', async () => {
    const cupid = 'CUPID_VIEW_RISK';
    const denied = await insertContext(db, {
      cupid,
      ip_address: '198.51.100.7',
      auth_outcome: 'FAILED',
      completed_at: new Date(),
    });
    const deny = await insertDrs(db, denied, { cupid, recommendation: 'DENY', risk_score: 95 });
    const open = await insertContext(db, { cupid, ip_address: '2001:db8::7' });
    const edge = await insertDrs(db, open, { cupid, recommendation: 'CHALLENGE', risk_score: 70 });
    await insertDrs(db, open, { cupid, recommendation: 'CHALLENGE', risk_score: 69 });
    await insertDrs(db, open, { cupid, recommendation: 'ALLOW', risk_score: 5 });

    const { rows } = await db.query(
      `SELECT evaluation_id, risk_score, recommendation, host(ip_address) AS ip, auth_outcome
       FROM v_high_risk_logins WHERE cupid = $1 ORDER BY risk_score DESC`,
      [cupid],
    );
    expect(rows).toEqual([
      { evaluation_id: deny, risk_score: 95, recommendation: 'DENY', ip: '198.51.100.7', auth_outcome: 'FAILED' },
      { evaluation_id: edge, risk_score: 70, recommendation: 'CHALLENGE', ip: '2001:db8::7', auth_outcome: null },
    ]);
  });
});

describe('v_token_rotation_chains', () => {
  it('numbers each token along its rotation chain and gives its lifetime in seconds', async () => {
    const sessionId = await insertSession(db, await insertContext(db));
    const t0 = minutesAgo(10).getTime();
    const at = (seconds: number) => new Date(t0 + seconds * 1000);
    const first = await insertToken(db, sessionId, {
      token_type: 'REFRESH',
      status: 'ROTATED',
      created_at: at(0),
      rotated_at: at(60),
      expires_at: at(30 * 86_400),
    });
    const second = await insertToken(db, sessionId, {
      token_type: 'REFRESH',
      parent_token_id: first,
      status: 'ROTATED',
      created_at: at(60),
      rotated_at: at(180),
      expires_at: at(60 + 30 * 86_400),
    });
    const third = await insertToken(db, sessionId, {
      token_type: 'REFRESH',
      parent_token_id: second,
      created_at: at(180),
      expires_at: at(180 + 30 * 86_400),
    });
    // Outside the chain: an access token that simply ran out, and one revoked early.
    const lapsed = await insertToken(db, sessionId, { status: 'EXPIRED', created_at: at(-600), expires_at: at(300) });
    const revoked = await insertToken(db, sessionId, {
      status: 'REVOKED',
      created_at: at(0),
      revoked_at: at(45),
      expires_at: at(900),
    });

    const { rows } = await db.query(
      `SELECT token_id, root_token_id, generation, lifetime_seconds FROM v_token_rotation_chains WHERE session_id = $1`,
      [sessionId],
    );
    const byToken = new Map(rows.map((r) => [r.token_id, r]));
    expect(byToken.size).toBe(5);
    expect(byToken.get(first)).toMatchObject({ root_token_id: first, generation: 1, lifetime_seconds: 60 });
    expect(byToken.get(second)).toMatchObject({ root_token_id: first, generation: 2, lifetime_seconds: 120 });
    expect(byToken.get(third)).toMatchObject({ root_token_id: first, generation: 3 });
    // Still active: alive from creation until now (420 s after t0 + 180 s).
    expect(byToken.get(third)!.lifetime_seconds).toBeGreaterThanOrEqual(419);
    expect(byToken.get(third)!.lifetime_seconds).toBeLessThan(440);
    expect(byToken.get(lapsed)).toMatchObject({ root_token_id: lapsed, generation: 1, lifetime_seconds: 900 });
    expect(byToken.get(revoked)).toMatchObject({ root_token_id: revoked, generation: 1, lifetime_seconds: 45 });
  });
});
