import { randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { CUPIDS, journeyClient, type DemoUser, type LoginOptions } from './journey-client.js';
import type { TestApp } from './test-app.js';

/**
 * Positions in the login journey for the concurrency, forgery and fuzz suites: each walks a fresh
 * journey with the journey client up to the step under test and returns its ids; the suites then
 * send raw requests at that step.
 */

export async function postJson(t: TestApp, url: string, payload: Record<string, unknown>, extra: Partial<InjectOptions> = {}) {
  return t.call({ method: 'POST', url, payload, ...extra } as InjectOptions);
}

export interface AtInitiate {
  contextId: string;
  initiateId: string;
  cupid: string;
}

/** Login of an MFA customer, up to the open MFA_INITIATE step. */
export async function toInitiate(t: TestApp, username: DemoUser = 'mfauser', login: LoginOptions = {}): Promise<AtInitiate> {
  const mfa = await journeyClient(t).loginToMfa(username, login);
  return { contextId: mfa.context_id, initiateId: mfa.transaction_id, cupid: CUPIDS[username] };
}

export interface AtVerify extends AtInitiate {
  verifyId: string;
  code: string;
}

/** … up to the open MFA_VERIFY step, with the code the phone received. */
export async function toVerify(t: TestApp, username: DemoUser = 'mfauser', login: LoginOptions = {}): Promise<AtVerify> {
  const at = await toInitiate(t, username, login);
  const sent = await journeyClient(t).sendCode(at.cupid, at.contextId, at.initiateId);
  return { ...at, verifyId: sent.transactionId, code: sent.code };
}

export interface AtPush extends AtInitiate {
  pushId: string;
  displayNumber: number;
  secret: string;
}

/** … up to the open MFA_PUSH_VERIFY step, with the number shown and the secret the phone got. */
export async function toPush(t: TestApp, username: DemoUser = 'mfauser'): Promise<AtPush> {
  const at = await toInitiate(t, username);
  const push = await journeyClient(t).sendPush(at.cupid, at.contextId, at.initiateId);
  expect(push.message.display_number).toBe(push.displayNumber);
  return { ...at, pushId: push.transactionId, displayNumber: push.displayNumber, secret: push.approvalSecret };
}

export interface AtBind extends AtInitiate {
  bindId: string;
  deviceId: string;
}

/** … through MFA with a not yet trusted device identity, up to the open DEVICE_BIND step. */
export async function toDeviceBind(t: TestApp, deviceId = `dev-${randomUUID()}`): Promise<AtBind> {
  const at = await toVerify(t, 'mfauser', { drsActionToken: `sim:allow:${deviceId}` });
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
