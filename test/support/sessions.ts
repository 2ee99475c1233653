import type { IssuedTokens } from '../../src/session/open-session.js';
import type { TestApp } from './test-app.js';
import { AGENT_SECRET, CLIENT_ID } from './test-app.js';

export interface TestSession extends IssuedTokens {
  cupid: string;
  contextId: string;
}

/**
 * A session opened the way a login that ends at the password opens one (journey row, session,
 * tokens and LOGIN_SUCCESS in one statement), without going through the password check.
 */
export async function openTestSession(
  t: TestApp,
  options: { cupid?: string; clientId?: string; deviceFingerprint?: string | null; ip?: string } = {},
): Promise<TestSession> {
  const cupid = options.cupid ?? 'CUPID_SIMPLE_001';
  const contextId = crypto.randomUUID();
  const clientId = options.clientId ?? CLIENT_ID;
  const tokens = await t.services.sessions.open(t.db, {
    contextId,
    cupid,
    clientId,
    deviceFingerprint: options.deviceFingerprint ?? null,
    origin: { correlationId: crypto.randomUUID(), ipAddress: options.ip ?? '127.0.0.1', userAgent: 'vitest', clientId },
    journey: { kind: 'start-finished', appId: 'test-app', appVersion: '1.0.0', ttlSeconds: 900 },
  });
  return { ...tokens, cupid, contextId };
}

/** The refresh cookie of a test session, as a browser would send it. */
export function refreshCookie(token: string): Record<string, string> {
  return { cookie: `refresh_token=${token}` };
}

/** The refresh token a response set in its cookie (undefined when none or cleared). */
export function refreshTokenSet(res: { headers: Record<string, unknown> }): string | undefined {
  const raw = res.headers['set-cookie'];
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [String(raw)];
  const cookie = all.find((c: string) => c.startsWith('refresh_token='));
  const value = cookie?.slice('refresh_token='.length).split(';')[0];
  return value ? value : undefined;
}

/** The status of every token of a session, by type, oldest first. */
export async function tokenRows(t: TestApp, sessionId: string) {
  const { rows } = await t.db.query<{
    token_id: string;
    token_type: string;
    status: string;
    parent_token_id: string | null;
    token_value_hash: string;
    rotated_at: Date | null;
    revoked_at: Date | null;
  }>(
    `SELECT token_id, token_type::text, status::text, parent_token_id, token_value_hash, rotated_at, revoked_at
     FROM tokens WHERE session_id = $1 ORDER BY created_at, token_type`,
    [sessionId],
  );
  return rows;
}

export async function auditTypes(t: TestApp, sessionId: string): Promise<string[]> {
  const { rows } = await t.db.query<{ event_type: string }>(
    'SELECT event_type FROM audit_logs WHERE session_id = $1 ORDER BY created_at, event_type',
    [sessionId],
  );
  return rows.map((r) => r.event_type);
}

/** A trusted device of a customer, inserted the way a device bind leaves it. */
export async function insertTrustedDevice(t: TestApp, cupid: string, name = 'Test browser'): Promise<string> {
  const fingerprint = `fp-${crypto.randomUUID()}`;
  const { rows } = await t.db.query<{ device_id: string }>(
    `INSERT INTO trusted_devices (cupid, device_fingerprint, device_fingerprint_hash, device_name, device_type)
     VALUES ($1, $2, encode(sha256(convert_to($2, 'UTF8')), 'hex'), $3, 'BROWSER') RETURNING device_id`,
    [cupid, fingerprint, name],
  );
  return rows[0]!.device_id;
}

/** POST /admin/sessions/revoke with the body given, as the development agent unless `authorization` says otherwise. */
export function revokeSession(t: TestApp, payload: Record<string, unknown>, authorization = `Bearer ${AGENT_SECRET}`) {
  return t.call({ method: 'POST', url: '/admin/sessions/revoke', headers: { authorization }, payload });
}
