import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '../../src/providers/directory/demo-directory.js';
import { useTestApp } from '../support/test-app.js';
import {
  errorCode,
  postJson,
  sessionsOf,
  snapshot,
  stepById,
  toDeviceBind,
  toEsign,
  toInitiate,
  toPush,
  toVerify,
} from '../support/journey-positions.js';

/**
 * Requests a customer's own browser would never send: approvals without the phone's secret,
 * step ids replayed under another journey, fields the contract does not know, and the question
 * "does this username exist?".
 */

// Many logins of the same demo customers within a minute: the abuse limits are not under test here.
const t = useTestApp({ CIAM_RATE_LIMIT_ENABLED: 'false' });

function approve(at: { pushId: string; contextId: string }, body: Record<string, unknown>) {
  return postJson(t, `/auth/mfa/transactions/${at.pushId}/approve`, { context_id: at.contextId, ...body });
}

async function auditCount(contextId: string, eventType: string): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_logs WHERE context_id = $1 AND event_type = $2`,
    [contextId, eventType],
  );
  return rows[0]!.n;
}

describe('push approval must prove possession of the phone', () => {
  it('without approval_secret → 400 CIAM_E01_05_001, the step untouched', async () => {
    const at = await toPush(t);
    const before = await snapshot(t, [at.contextId]);
    const res = await approve(at, { selected_number: at.displayNumber });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res)).toBe('CIAM_E01_05_001');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });

  it('with a wrong secret → 404, still PENDING and unanswered, audited; the right secret still works', async () => {
    const at = await toPush(t);
    const before = await snapshot(t, [at.contextId]);
    const res = await approve(at, { selected_number: at.displayNumber, approval_secret: 'not-the-secret-the-phone-got' });
    expect(res.statusCode, res.body).toBe(404);
    expect(res.json()).toEqual({ error_code: 'CIAM_E01_03_001', context_id: at.contextId });

    expect(await snapshot(t, [at.contextId])).toEqual(before);
    const step = await stepById(t, at.pushId);
    expect([step.transaction_status, step.verification_result, step.selected_number]).toEqual(['PENDING', null, null]);
    const refused = await t.db.query(
      `SELECT severity::text, event_category, event_data FROM audit_logs WHERE context_id = $1 AND event_type = 'MFA_PUSH_APPROVAL_REFUSED'`,
      [at.contextId],
    );
    expect(refused.rows).toHaveLength(1);
    expect(refused.rows[0]).toMatchObject({ severity: 'WARN', event_category: 'SECURITY', event_data: { reason: 'INVALID_APPROVAL_SECRET' } });
    expect(await auditCount(at.contextId, 'MFA_PUSH_APPROVED')).toBe(0);

    const poll = await postJson(t, `/auth/mfa/transactions/${at.pushId}`, { context_id: at.contextId });
    expect(poll.json().response_type_code).toBe('MFA_PENDING');

    const right = await approve(at, { selected_number: at.displayNumber, approval_secret: at.secret });
    expect(right.statusCode, right.body).toBe(200);
    expect(right.json()).toEqual({ success: true, transaction_id: at.pushId });
    const collected = await postJson(t, `/auth/mfa/transactions/${at.pushId}`, { context_id: at.contextId });
    expect(collected.statusCode, collected.body).toBe(201);
    expect(await sessionsOf(t, at.contextId)).toBe(1);
  });

  it("with a second journey's secret → 404, neither journey changes", async () => {
    const a = await toPush(t, 'mfauser');
    const b = await toPush(t, 'esignuser');
    const before = await snapshot(t, [a.contextId, b.contextId]);
    const res = await approve(a, { selected_number: a.displayNumber, approval_secret: b.secret });
    expect(res.statusCode, res.body).toBe(404);
    expect(errorCode(res)).toBe('CIAM_E01_03_001');
    expect(await snapshot(t, [a.contextId, b.contextId])).toEqual(before);
    expect(await auditCount(a.contextId, 'MFA_PUSH_APPROVAL_REFUSED')).toBe(1);
    expect(await auditCount(a.contextId, 'MFA_PUSH_APPROVED')).toBe(0);
    expect(await auditCount(b.contextId, 'MFA_PUSH_APPROVED')).toBe(0);
  });

  it('deny without the secret → 404, the step untouched; with it → REJECTED', async () => {
    const at = await toPush(t);
    const before = await snapshot(t, [at.contextId]);
    const forged = await postJson(t, `/auth/mfa/transactions/${at.pushId}/deny`, { context_id: at.contextId, approval_secret: 'guess' });
    expect(forged.statusCode, forged.body).toBe(404);
    expect(errorCode(forged)).toBe('CIAM_E01_03_001');
    expect(await snapshot(t, [at.contextId])).toEqual(before);

    const denied = await postJson(t, `/auth/mfa/transactions/${at.pushId}/deny`, { context_id: at.contextId, approval_secret: at.secret });
    expect(denied.statusCode, denied.body).toBe(200);
    expect(denied.json()).toEqual({ success: true, transaction_id: at.pushId });
    const step = await stepById(t, at.pushId);
    expect([step.transaction_status, step.verification_result]).toEqual(['REJECTED', 'REJECTED']);
  });

  it('with the wrong number → {success:false}, the step REJECTED and the next poll 410', async () => {
    const at = await toPush(t);
    const wrongNumber = (at.displayNumber % 99) + 1;
    const res = await approve(at, { selected_number: wrongNumber, approval_secret: at.secret });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ success: false, transaction_id: at.pushId });

    const step = await stepById(t, at.pushId);
    expect([step.transaction_status, step.verification_result, step.selected_number]).toEqual(['REJECTED', 'REJECTED', wrongNumber]);
    expect(step.consumed_at).not.toBeNull();
    const rejected = await t.db.query(
      `SELECT event_data FROM audit_logs WHERE context_id = $1 AND event_type = 'MFA_PUSH_REJECTED'`,
      [at.contextId],
    );
    expect(rejected.rows.map((r) => r.event_data.reason)).toEqual(['NUMBER_MISMATCH']);

    const poll = await postJson(t, `/auth/mfa/transactions/${at.pushId}`, { context_id: at.contextId });
    expect(poll.statusCode, poll.body).toBe(410);
    expect(errorCode(poll)).toBe('CIAM_E01_03_002');
    const again = await approve(at, { selected_number: at.displayNumber, approval_secret: at.secret });
    expect(again.statusCode, again.body).toBe(400);
    expect(errorCode(again)).toBe('CIAM_E01_03_003');
    expect(await sessionsOf(t, at.contextId)).toBe(0);
  });
});

describe("a step id used under another journey's context_id → 404, nothing changes in either journey", () => {
  async function expectForeign(send: () => ReturnType<typeof postJson>, contexts: string[]) {
    const before = await snapshot(t, contexts);
    const res = await send();
    expect(res.statusCode, res.body).toBe(404);
    expect(errorCode(res)).toBe('CIAM_E01_03_001');
    expect(await snapshot(t, contexts)).toEqual(before);
  }

  it('initiate', async () => {
    const a = await toInitiate(t, 'mfauser');
    const b = await toInitiate(t, 'nopushuser');
    await expectForeign(
      () => postJson(t, '/auth/mfa/initiate', { context_id: b.contextId, transaction_id: a.initiateId, method: 'sms', mfa_option_id: 1 }),
      [a.contextId, b.contextId],
    );
  });

  it('verify (with the right code)', async () => {
    const a = await toVerify(t, 'mfauser');
    const b = await toVerify(t, 'nopushuser');
    await expectForeign(
      () => postJson(t, '/auth/mfa/otp/verify', { context_id: b.contextId, transaction_id: a.verifyId, code: a.code }),
      [a.contextId, b.contextId],
    );
  });

  it('poll', async () => {
    const a = await toPush(t, 'mfauser');
    const b = await toPush(t, 'esignuser');
    const ok = await approve(a, { selected_number: a.displayNumber, approval_secret: a.secret });
    expect(ok.statusCode).toBe(200);
    // The approved step of journey a must not be collected through journey b.
    await expectForeign(() => postJson(t, `/auth/mfa/transactions/${a.pushId}`, { context_id: b.contextId }), [a.contextId, b.contextId]);
    expect(await sessionsOf(t, b.contextId)).toBe(0);
  });

  it('approve (with the right number and secret)', async () => {
    const a = await toPush(t, 'mfauser');
    const b = await toPush(t, 'esignuser');
    await expectForeign(
      () => approve({ pushId: a.pushId, contextId: b.contextId }, { selected_number: a.displayNumber, approval_secret: a.secret }),
      [a.contextId, b.contextId],
    );
  });

  it('eSign accept', async () => {
    const a = await toEsign(t);
    const b = await toVerify(t, 'mfauser');
    await expectForeign(
      () => postJson(t, '/auth/esign/accept', { context_id: b.contextId, transaction_id: a.esignId, document_id: a.documentId }),
      [a.contextId, b.contextId],
    );
  });

  it('device bind', async () => {
    const a = await toDeviceBind(t);
    const b = await toDeviceBind(t);
    await expectForeign(
      () => postJson(t, '/auth/device/bind', { context_id: b.contextId, transaction_id: a.bindId, bind_device: true }),
      [a.contextId, b.contextId],
    );
  });
});

describe('choices the journey did not offer', () => {
  it("resuming another customer's journey: the context_id is ignored, that journey is untouched", async () => {
    const victim = await toVerify(t, 'mfauser');
    const before = await snapshot(t, [victim.contextId]);
    const res = await postJson(t, '/auth/login', {
      username: 'nopushuser',
      password: DEMO_PASSWORD,
      transmit_aid: 'aid-test',
      context_id: victim.contextId,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().context_id).not.toBe(victim.contextId);
    const after = await snapshot(t, [victim.contextId]);
    expect({ journeys: after.journeys, steps: after.steps }).toEqual({ journeys: before.journeys, steps: before.steps });
    // The only new rows are the intruder's own journey and its first step.
    expect(after.counts.auth_contexts).toBe(before.counts.auth_contexts! + 1);
    expect(after.counts.auth_transactions).toBe(before.counts.auth_transactions! + 1);
    expect((await stepById(t, victim.verifyId)).transaction_status).toBe('PENDING');
  });

  it('push for a customer without the app → 400 CIAM_E01_01_009, the step untouched', async () => {
    const at = await toInitiate(t, 'nopushuser');
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'push' });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res)).toBe('CIAM_E01_01_009');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });

  it('a phone option that was not offered → 400 CIAM_E01_05_001, the step untouched', async () => {
    const at = await toInitiate(t, 'nopushuser');
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'sms', mfa_option_id: 2 });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res)).toBe('CIAM_E01_05_001');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });

  it('a code sent to a push step → 400 CIAM_E01_01_018, the step untouched', async () => {
    const at = await toPush(t);
    const before = await snapshot(t, [at.contextId]);
    const res = await postJson(t, '/auth/mfa/otp/verify', { context_id: at.contextId, transaction_id: at.pushId, code: '123456' });
    expect(res.statusCode, res.body).toBe(400);
    expect(errorCode(res)).toBe('CIAM_E01_01_018');
    expect(await snapshot(t, [at.contextId])).toEqual(before);
  });
});

describe('the same journey in other spelling is still that journey', () => {
  it('eSign accept with the context_id in capital letters is accepted like verify, bind and the others', async () => {
    const at = await toEsign(t);
    const res = await postJson(t, '/auth/esign/accept', {
      context_id: at.contextId.toUpperCase(),
      transaction_id: at.esignId.toUpperCase(),
      document_id: at.documentId,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(await sessionsOf(t, at.contextId)).toBe(1);
  });
});

describe('what the client says is not what the service records', () => {
  it('eSign: esign_acceptances.ip_address is the address the service saw, not acceptance_ip', async () => {
    const at = await toEsign(t);
    const res = await t.call({
      method: 'POST',
      url: '/auth/esign/accept',
      remoteAddress: '198.51.100.23',
      payload: {
        context_id: at.contextId,
        transaction_id: at.esignId,
        document_id: at.documentId,
        acceptance_ip: '203.0.113.99',
        acceptance_timestamp: '2001-01-01T00:00:00Z',
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { rows } = await t.db.query(
      `SELECT host(ip_address) AS ip, accepted_at FROM esign_acceptances WHERE context_id = $1`,
      [at.contextId],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.ip).toBe('198.51.100.23');
    expect(rows[0]!.accepted_at.getTime()).toBeGreaterThan(Date.parse('2020-01-01'));
    const audit = await t.db.query(
      `SELECT host(ip_address) AS ip, event_data FROM audit_logs WHERE context_id = $1 AND event_type = 'ESIGN_ACCEPTED'`,
      [at.contextId],
    );
    expect(audit.rows[0]!.ip).toBe('198.51.100.23');
    expect(audit.rows[0]!.event_data.claimed_acceptance_ip).toBe('203.0.113.99');
  });

  it('a body field the contract does not know is ignored: a forged cupid or revoked_by acts on nothing', async () => {
    const login = await postJson(t, '/auth/login', { username: 'mfauser', password: DEMO_PASSWORD, transmit_aid: 'x', cupid: 'CUPID_SIMPLE_001' });
    expect(login.statusCode, login.body).toBe(200);
    const { rows: journeys } = await t.db.query('SELECT cupid FROM auth_contexts WHERE context_id = $1', [login.json().context_id]);
    expect(journeys[0]!.cupid).toBe('CUPID_MFA_001');

    const bind = await toDeviceBind(t);
    const bound = await postJson(t, '/auth/device/bind', {
      context_id: bind.contextId,
      transaction_id: bind.bindId,
      bind_device: true,
      cupid: 'CUPID_SIMPLE_001',
      revoked_by: 'agent-007',
    });
    expect(bound.statusCode, bound.body).toBe(200);
    const { rows: sessions } = await t.db.query('SELECT cupid, revoked_by FROM sessions WHERE context_id = $1', [bind.contextId]);
    expect(sessions).toEqual([{ cupid: 'CUPID_MFA_001', revoked_by: null }]);
    const { rows: audit } = await t.db.query('SELECT event_data FROM audit_logs WHERE context_id = $1', [bind.contextId]);
    expect(JSON.stringify(audit)).not.toContain('agent-007');
  });
});

describe('no username enumeration', () => {
  function median(values: number[]): number {
    const sorted = [...values].sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }

  it('unknown user and wrong password: same status, same body, about the same time', async () => {
    // Known usernames spread over several accounts and every attempt from its own address, so that
    // neither a per-account lockout nor a per-address limit can change the answer halfway.
    const known = ['simpleuser', 'mfauser', 'esignuser', 'nopushuser', 'lockeduser', 'disableduser', 'blockeduser', 'mfalockeduser', 'deceaseduser', 'restricteduser'];
    const attempt = async (username: string, i: number) => {
      const started = process.hrtime.bigint();
      const res = await t.call({
        method: 'POST',
        url: '/auth/login',
        remoteAddress: `10.77.${Math.floor(i / 200)}.${(i % 200) + 1}`,
        payload: { username, password: 'WrongPass999!', transmit_aid: 'aid-timing' },
      });
      return { res, ms: Number(process.hrtime.bigint() - started) / 1e6 };
    };

    // Warm-up (first argon2 calls, JIT) not measured.
    await attempt('warm-up-nobody', 0);
    await attempt('simpleuser', 1);

    const unknown: number[] = [];
    const wrong: number[] = [];
    const answers = new Set<string>();
    for (let i = 0; i < 20; i++) {
      // Interleaved, so that machine noise falls on both alike.
      const u = await attempt(`nobody-${i}-${Date.now()}`, 10 + 2 * i);
      const w = await attempt(known[i % known.length]!, 11 + 2 * i);
      for (const { res } of [u, w]) answers.add(`${res.statusCode} ${res.body}`);
      unknown.push(u.ms);
      wrong.push(w.ms);
    }
    expect([...answers]).toEqual(['401 {"error_code":"CIAM_E01_01_001"}']);

    const ratio = median(unknown) / median(wrong);
    expect(ratio, `unknown ${median(unknown).toFixed(1)} ms, wrong password ${median(wrong).toFixed(1)} ms`).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });
});
