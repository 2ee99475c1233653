import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { DEMO_PASSWORD } from '../../src/providers/directory/demo-directory.js';
import type { TestApp } from './test-app.js';

/**
 * Small drivers for the login journey through HTTP, for the concurrency and forgery suites:
 * each walks a fresh journey up to the step under test and returns its ids.
 */

export const CUPIDS = {
  mfauser: 'CUPID_MFA_001',
  esignuser: 'CUPID_ESIGN_001',
  nopushuser: 'CUPID_NOPUSH_001',
  simpleuser: 'CUPID_SIMPLE_001',
} as const;

export type DemoUser = keyof typeof CUPIDS;

export interface OutboxMessage {
  channel: 'sms' | 'voice' | 'push';
  cupid: string;
  transaction_id: string;
  code?: string;
  display_number?: number;
  approval_secret?: string;
}

export async function postJson(t: TestApp, url: string, payload: Record<string, unknown>, extra: Partial<InjectOptions> = {}) {
  return t.call({ method: 'POST', url, payload, ...extra } as InjectOptions);
}

export async function loginAs(t: TestApp, username: DemoUser, extra: Record<string, unknown> = {}) {
  const res = await postJson(t, '/auth/login', { username, password: DEMO_PASSWORD, transmit_aid: 'aid-test', ...extra });
  return res;
}

/** What the dev outbox holds for a customer, newest first — the customer's phone. */
export async function outbox(t: TestApp, cupid: string): Promise<OutboxMessage[]> {
  const res = await t.call({ method: 'GET', url: `/dev/outbox?cupid=${encodeURIComponent(cupid)}` });
  expect(res.statusCode).toBe(200);
  return (res.json() as { messages: OutboxMessage[] }).messages;
}

export async function messageFor(t: TestApp, cupid: string, transactionId: string): Promise<OutboxMessage> {
  const found = (await outbox(t, cupid)).find((m) => m.transaction_id === transactionId);
  if (!found) throw new Error(`no outbox message for step ${transactionId}`);
  return found;
}

export interface AtInitiate {
  contextId: string;
  initiateId: string;
  cupid: string;
}

/** Login of an MFA customer, up to the open MFA_INITIATE step. */
export async function toInitiate(t: TestApp, username: DemoUser = 'mfauser', extra: Record<string, unknown> = {}): Promise<AtInitiate> {
  const res = await loginAs(t, username, extra);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  expect(body.response_type_code).toBe('MFA_REQUIRED');
  return { contextId: body.context_id, initiateId: body.transaction_id, cupid: CUPIDS[username] };
}

export interface AtVerify extends AtInitiate {
  verifyId: string;
  code: string;
}

/** … up to the open MFA_VERIFY step, with the code the phone received. */
export async function toVerify(t: TestApp, username: DemoUser = 'mfauser', extra: Record<string, unknown> = {}): Promise<AtVerify> {
  const at = await toInitiate(t, username, extra);
  const res = await postJson(t, '/auth/mfa/initiate', {
    context_id: at.contextId,
    transaction_id: at.initiateId,
    method: 'sms',
    mfa_option_id: 1,
  });
  expect(res.statusCode, res.body).toBe(200);
  const verifyId = res.json().transaction_id as string;
  const { code } = await messageFor(t, at.cupid, verifyId);
  return { ...at, verifyId, code: code! };
}

export interface AtPush extends AtInitiate {
  pushId: string;
  displayNumber: number;
  secret: string;
}

/** … up to the open MFA_PUSH_VERIFY step, with the number shown and the secret the phone got. */
export async function toPush(t: TestApp, username: DemoUser = 'mfauser'): Promise<AtPush> {
  const at = await toInitiate(t, username);
  const res = await postJson(t, '/auth/mfa/initiate', { context_id: at.contextId, transaction_id: at.initiateId, method: 'push' });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  const message = await messageFor(t, at.cupid, body.transaction_id);
  expect(message.display_number).toBe(body.display_number);
  return { ...at, pushId: body.transaction_id, displayNumber: body.display_number, secret: message.approval_secret! };
}

export interface AtBind extends AtInitiate {
  bindId: string;
  deviceId: string;
}

/** … through MFA with a not yet trusted device identity, up to the open DEVICE_BIND step. */
export async function toDeviceBind(t: TestApp, deviceId = `dev-${randomUUID()}`): Promise<AtBind> {
  const at = await toVerify(t, 'mfauser', { drs_action_token: `sim:allow:${deviceId}` });
  const res = await postJson(t, '/auth/mfa/otp/verify', { context_id: at.contextId, transaction_id: at.verifyId, code: at.code });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().response_type_code).toBe('DEVICE_BIND_REQUIRED');
  return { ...at, bindId: res.json().transaction_id, deviceId };
}

export interface AtEsign extends AtInitiate {
  esignId: string;
  documentId: string;
}

/**
 * … through MFA for esignuser, up to the open ESIGN_PRESENT step. Earlier acceptances in this
 * test database are forgotten first, so that the document is pending again.
 */
export async function toEsign(t: TestApp): Promise<AtEsign> {
  await t.db.query(`DELETE FROM esign_acceptances WHERE cupid = $1`, [CUPIDS.esignuser]);
  const at = await toVerify(t, 'esignuser');
  const res = await postJson(t, '/auth/mfa/otp/verify', { context_id: at.contextId, transaction_id: at.verifyId, code: at.code });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  expect(body.response_type_code).toBe('ESIGN_REQUIRED');
  return { ...at, esignId: body.transaction_id, documentId: body.esign_document_id };
}

/** Fires the same request `n` times at once and waits for every answer. */
export async function together(n: number, send: () => Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse[]> {
  return Promise.all(Array.from({ length: n }, () => send()));
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  try {
    return (res.json() as { error_code?: string }).error_code;
  } catch {
    return undefined;
  }
}

/** A losing concurrent submission: already processed (400 CIAM_E01_03_003) or gone (410) — never a server error. */
export function expectLoser(res: LightMyRequestResponse): void {
  expect(res.statusCode, res.body).toBeLessThan(500);
  const answer = `${res.statusCode} ${errorCode(res)}`;
  expect(['400 CIAM_E01_03_003', '410 CIAM_E01_03_002'], res.body).toContain(answer);
}

export interface StepRowView {
  transaction_id: string;
  transaction_type: string;
  transaction_status: string;
  sequence_number: number;
  parent_transaction_id: string | null;
  verification_result: string | null;
  selected_number: number | null;
  consumed_at: Date | null;
}

export async function stepsOf(t: TestApp, contextId: string): Promise<StepRowView[]> {
  const { rows } = await t.db.query<StepRowView>(
    `SELECT transaction_id, transaction_type::text, transaction_status::text, sequence_number, parent_transaction_id,
            verification_result, selected_number, consumed_at
     FROM auth_transactions WHERE context_id = $1 ORDER BY sequence_number`,
    [contextId],
  );
  return rows;
}

export async function stepById(t: TestApp, transactionId: string): Promise<StepRowView> {
  const { rows } = await t.db.query<StepRowView>(
    `SELECT transaction_id, transaction_type::text, transaction_status::text, sequence_number, parent_transaction_id,
            verification_result, selected_number, consumed_at
     FROM auth_transactions WHERE transaction_id = $1`,
    [transactionId],
  );
  return rows[0]!;
}

export async function pendingCount(t: TestApp, contextId: string): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM auth_transactions WHERE context_id = $1 AND transaction_status = 'PENDING'`,
    [contextId],
  );
  return rows[0]!.n;
}

export async function sessionsOf(t: TestApp, contextId: string): Promise<number> {
  const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM sessions WHERE context_id = $1`, [contextId]);
  return rows[0]!.n;
}

export async function auditTypes(t: TestApp, contextId: string): Promise<string[]> {
  const { rows } = await t.db.query<{ event_type: string }>(
    `SELECT event_type FROM audit_logs WHERE context_id = $1 ORDER BY created_at, event_type`,
    [contextId],
  );
  return rows.map((r) => r.event_type);
}

/**
 * Everything a journey step can change, apart from the audit log: row counts of the journey
 * tables and the full state of the named journeys and their steps. Two equal snapshots mean
 * that nothing changed.
 */
export async function snapshot(t: TestApp, contextIds: string[]) {
  const counts: Record<string, number> = {};
  for (const table of ['auth_contexts', 'auth_transactions', 'sessions', 'tokens', 'trusted_devices', 'esign_acceptances', 'mfa_lockouts']) {
    const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`);
    counts[table] = rows[0]!.n;
  }
  const journeys = await t.db.query(
    `SELECT context_id, auth_outcome, completed_at, expires_at FROM auth_contexts WHERE context_id = ANY($1::uuid[]) ORDER BY context_id`,
    [contextIds],
  );
  const steps = await t.db.query(
    `SELECT transaction_id, transaction_status::text, verification_result, selected_number, consumed_at, esign_action,
            device_bind_decision, mfa_method, expires_at
     FROM auth_transactions WHERE context_id = ANY($1::uuid[]) ORDER BY context_id, sequence_number`,
    [contextIds],
  );
  return { counts, journeys: journeys.rows, steps: steps.rows };
}
