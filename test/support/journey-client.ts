import { createHash, randomUUID } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { deviceKeyHash } from '../../src/devices/device-identity.js';
import type { OutboxMessage } from '../../src/providers/delivery/dev-outbox.js';
import type { Env } from '../../src/config/settings.js';
import { useTestApp, type TestApp } from './test-app.js';

/**
 * The login journey as a browser and a phone drive it, over HTTP injection: one call per
 * endpoint, each returning the status and the parsed body, plus readers of the rows the journey
 * leaves behind. Every call sends its own x-correlation-id and checks that the response echoes it.
 */

export const PASSWORD = 'SecurePass123!';
/** The user agent every call sends unless told otherwise (Chrome on Windows 10). */
export const USER_AGENT =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';

export const CUPIDS = {
  simpleuser: 'CUPID_SIMPLE_001',
  mfauser: 'CUPID_MFA_001',
  esignuser: 'CUPID_ESIGN_001',
  nopushuser: 'CUPID_NOPUSH_001',
} as const;

export type DemoUser = keyof typeof CUPIDS;

/** Settings every journey test app shares: no request-rate limits, so a file may log in often. */
export const JOURNEY_TEST_ENV = { CIAM_RATE_LIMIT_ENABLED: 'false' } as const;

/**
 * The service for a journey suite (JOURNEY_TEST_ENV and `env`), started in beforeAll and closed
 * in afterAll, with the journey client that drives it.
 */
export function useJourneyApp(env: Env = {}): { t: TestApp; j: JourneyClient } {
  const t = useTestApp({ ...JOURNEY_TEST_ENV, ...env });
  return { t, j: journeyClient(t) };
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** A six-digit code that is certainly not `code`. */
export function otherCode(code: string): string {
  return code === '000000' ? '111111' : '000000';
}

export interface Reply {
  status: number;
  body: any;
  headers: LightMyRequestResponse['headers'];
  /** The x-correlation-id this call sent (and the response echoed). */
  correlationId: string;
  /** The refresh token of the Set-Cookie header, when one was set. */
  refreshToken?: string;
  setCookie?: string;
}

export interface CallOptions {
  headers?: Record<string, string>;
  userAgent?: string;
}

export interface LoginOptions extends CallOptions {
  password?: string;
  drsActionToken?: string;
  contextId?: string;
  deviceFingerprint?: string;
  transmitAid?: string;
}

/** What GET /dev/outbox lists: the development outbox's own message type. */
export type { OutboxMessage };

export type JourneyClient = ReturnType<typeof journeyClient>;

export function journeyClient(t: TestApp) {
  async function send(options: InjectOptions, call: CallOptions = {}): Promise<Reply> {
    const correlationId = randomUUID();
    const res = await t.call({
      ...options,
      headers: {
        'x-correlation-id': correlationId,
        'user-agent': call.userAgent ?? USER_AGENT,
        ...(options.headers as Record<string, string> | undefined),
        ...call.headers,
      },
    });
    expect(res.headers['x-correlation-id'], `${options.method} ${options.url} echoes its correlation id`).toBe(correlationId);
    const setCookie = res.headers['set-cookie'];
    const cookieLine = Array.isArray(setCookie) ? setCookie.find((c) => c.startsWith('refresh_token=')) : setCookie;
    const refreshToken = cookieLine ? /^refresh_token=([^;]*)/.exec(cookieLine)?.[1] : undefined;
    const text = res.body;
    return {
      status: res.statusCode,
      body: text.length > 0 ? JSON.parse(text) : undefined,
      headers: res.headers,
      correlationId,
      ...(cookieLine ? { setCookie: cookieLine, refreshToken } : {}),
    };
  }

  const post = (url: string, payload: unknown, call?: CallOptions) => send({ method: 'POST', url, payload: payload as object }, call);

  const client = {
    send,

    login(username: string, o: LoginOptions = {}) {
      return post(
        '/auth/login',
        {
          username,
          password: o.password ?? PASSWORD,
          transmit_aid: o.transmitAid ?? 'test-aid',
          ...(o.contextId !== undefined ? { context_id: o.contextId } : {}),
          ...(o.drsActionToken !== undefined ? { drs_action_token: o.drsActionToken } : {}),
          ...(o.deviceFingerprint !== undefined ? { device_fingerprint: o.deviceFingerprint } : {}),
        },
        o,
      );
    },

    initiate(contextId: string, transactionId: string, method: string, mfaOptionId?: number, call?: CallOptions) {
      return post(
        '/auth/mfa/initiate',
        { context_id: contextId, transaction_id: transactionId, method, ...(mfaOptionId !== undefined ? { mfa_option_id: mfaOptionId } : {}) },
        call,
      );
    },

    verify(contextId: string, transactionId: string, code: string, call?: CallOptions) {
      return post('/auth/mfa/otp/verify', { context_id: contextId, transaction_id: transactionId, code }, call);
    },

    poll(contextId: string, transactionId: string, call?: CallOptions) {
      return post(`/auth/mfa/transactions/${encodeURIComponent(transactionId)}`, { context_id: contextId }, call);
    },

    approve(contextId: string, transactionId: string, selectedNumber: number, approvalSecret: string, call?: CallOptions) {
      return post(
        `/auth/mfa/transactions/${encodeURIComponent(transactionId)}/approve`,
        { context_id: contextId, selected_number: selectedNumber, approval_secret: approvalSecret },
        call,
      );
    },

    deny(contextId: string, transactionId: string, approvalSecret: string, call?: CallOptions) {
      return post(
        `/auth/mfa/transactions/${encodeURIComponent(transactionId)}/deny`,
        { context_id: contextId, approval_secret: approvalSecret },
        call,
      );
    },

    document(documentId: string, call?: CallOptions) {
      return send({ method: 'GET', url: `/auth/esign/documents/${encodeURIComponent(documentId)}` }, call);
    },

    accept(contextId: string, transactionId: string, documentId: string, extra: Record<string, unknown> = {}, call?: CallOptions) {
      return post('/auth/esign/accept', { context_id: contextId, transaction_id: transactionId, document_id: documentId, ...extra }, call);
    },

    decline(contextId: string, transactionId: string, documentId: string, call?: CallOptions) {
      return post('/auth/esign/decline', { context_id: contextId, transaction_id: transactionId, document_id: documentId }, call);
    },

    bind(contextId: string, transactionId: string, bindDevice: boolean, call?: CallOptions) {
      return post('/auth/device/bind', { context_id: contextId, transaction_id: transactionId, bind_device: bindDevice }, call);
    },

    /** The development outbox for a customer, newest first. */
    async outbox(cupid: string): Promise<OutboxMessage[]> {
      const res = await send({ method: 'GET', url: `/dev/outbox?cupid=${encodeURIComponent(cupid)}` });
      expect(res.status).toBe(200);
      return res.body.messages as OutboxMessage[];
    },

    /** What the outbox delivered for one step. */
    async messageFor(cupid: string, transactionId: string): Promise<OutboxMessage> {
      const found = (await client.outbox(cupid)).filter((m) => m.transaction_id === transactionId);
      expect(found, `one outbox message for step ${transactionId}`).toHaveLength(1);
      return found[0]!;
    },

    // ---- Walkthrough building blocks: each asserts the answer it needs and returns what follows.

    /** Login that must answer 200 MFA_REQUIRED; returns the body. */
    async loginToMfa(username: string, o: LoginOptions = {}) {
      const res = await client.login(username, o);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.response_type_code).toBe('MFA_REQUIRED');
      return res.body as { context_id: string; transaction_id: string; otp_methods: { value: string; mfa_option_id: number }[]; mobile_approve_status: string };
    },

    /** Initiates sms / voice and reads the code the outbox received. */
    async sendCode(cupid: string, contextId: string, transactionId: string, method: 'sms' | 'voice' = 'sms', mfaOptionId = 1) {
      const res = await client.initiate(contextId, transactionId, method, mfaOptionId);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.response_type_code).toBe('OTP_VERIFY_REQUIRED');
      const message = await client.messageFor(cupid, res.body.transaction_id);
      expect(message.channel).toBe(method);
      return { transactionId: res.body.transaction_id as string, code: message.code!, reply: res };
    },

    /** Initiates push and reads what the phone received. */
    async sendPush(cupid: string, contextId: string, transactionId: string) {
      const res = await client.initiate(contextId, transactionId, 'push');
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.body.response_type_code).toBe('PUSH_VERIFY_REQUIRED');
      const message = await client.messageFor(cupid, res.body.transaction_id);
      expect(message.channel).toBe('push');
      return {
        transactionId: res.body.transaction_id as string,
        displayNumber: res.body.display_number as number,
        approvalSecret: message.approval_secret!,
        message,
        reply: res,
      };
    },

    /** Login, SMS option 1, the right code: returns the verify reply (201, or the next step). */
    async passMfaBySms(username: DemoUser, o: LoginOptions = {}) {
      const mfa = await client.loginToMfa(username, o);
      const sent = await client.sendCode(CUPIDS[username], mfa.context_id, mfa.transaction_id);
      const verified = await client.verify(mfa.context_id, sent.transactionId, sent.code);
      return { contextId: mfa.context_id, verified };
    },

    // ---- Rows.

    async journey(contextId: string) {
      const { rows } = await t.db.query(
        `SELECT context_id, cupid, app_id, app_version, device_fingerprint, host(ip_address) AS ip_address, correlation_id,
                requires_additional_steps, auth_outcome, completed_at, created_at, expires_at
           FROM auth_contexts WHERE context_id = $1`,
        [contextId],
      );
      return rows[0] as any;
    },

    async steps(contextId: string) {
      const { rows } = await t.db.query(`SELECT * FROM auth_transactions WHERE context_id = $1 ORDER BY sequence_number`, [contextId]);
      return rows as any[];
    },

    async step(transactionId: string) {
      const { rows } = await t.db.query(`SELECT * FROM auth_transactions WHERE transaction_id = $1`, [transactionId]);
      return rows[0] as any;
    },

    async audit(contextId: string) {
      const { rows } = await t.db.query(
        `SELECT event_type, event_category, severity, cupid, context_id, transaction_id, session_id, correlation_id,
                host(ip_address) AS ip_address, user_agent, event_data
           FROM audit_logs WHERE context_id = $1 ORDER BY created_at, event_type`,
        [contextId],
      );
      return rows as any[];
    },

    /** The audit event types of a journey, sorted (rows of one transaction share their timestamp). */
    async auditTypes(contextId: string): Promise<string[]> {
      return (await client.audit(contextId)).map((r) => r.event_type as string).sort();
    },

    async auditByCorrelation(correlationId: string) {
      const { rows } = await t.db.query(
        `SELECT event_type, severity, cupid, context_id, transaction_id, correlation_id, host(ip_address) AS ip_address,
                user_agent, event_data
           FROM audit_logs WHERE correlation_id = $1 ORDER BY created_at, event_type`,
        [correlationId],
      );
      return rows as any[];
    },

    async drs(contextId: string) {
      const { rows } = await t.db.query(`SELECT * FROM drs_evaluations WHERE context_id = $1`, [contextId]);
      return rows as any[];
    },

    async sessions(contextId: string) {
      const { rows } = await t.db.query(
        `SELECT session_id, context_id, cupid, device_fingerprint, host(ip_address) AS ip_address, user_agent, status
           FROM sessions WHERE context_id = $1`,
        [contextId],
      );
      return rows as any[];
    },

    async tokens(sessionId: string) {
      const { rows } = await t.db.query(
        `SELECT token_type::text AS token_type, token_value_hash, status::text AS status FROM tokens
          WHERE session_id = $1 ORDER BY token_type::text`,
        [sessionId],
      );
      return rows as { token_type: string; token_value_hash: string; status: string }[];
    },

    /** How the service stores a device identity the risk service named (its keyed hash). */
    deviceHash(deviceIdentity: string): string {
      return deviceKeyHash(t.services.secrets.deviceKey, deviceIdentity);
    },

    async trustedDevices(cupid: string, deviceIdentity: string) {
      const { rows } = await t.db.query(
        `SELECT * FROM trusted_devices WHERE cupid = $1 AND device_fingerprint_hash = $2 ORDER BY trusted_at`,
        [cupid, client.deviceHash(deviceIdentity)],
      );
      return rows as any[];
    },

    async count(sql: string, params: unknown[] = []): Promise<number> {
      const { rows } = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${sql}`, params);
      return Number(rows[0]!.n);
    },
  };
  return client;
}

/** Asserts a token answer: the contract's body, and the refresh token only in the cookie. */
export function expectTokens(res: Reply, status: 200 | 201, contextId?: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body).toMatchObject({
    response_type_code: 'SUCCESS',
    access_token: expect.any(String),
    id_token: expect.any(String),
    token_type: 'Bearer',
    expires_in: 900,
    context_id: contextId ?? expect.any(String),
  });
  expect(res.refreshToken, 'a refresh cookie is set').toMatch(/^[A-Za-z0-9_-]{20,}$/);
  expect(res.setCookie).toBe(`refresh_token=${res.refreshToken}; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=2592000`);
  expect(JSON.stringify(res.body)).not.toContain(res.refreshToken!);
  expect(res.body).not.toHaveProperty('refresh_token');
  expect(res.headers['cache-control']).toBe('no-store');
}

/** Asserts an error answer. */
export function expectError(res: Reply, status: number, code: string) {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error_code).toBe(code);
}

/** The one session a finished journey opened, with its three ACTIVE tokens matching the ones handed out. */
export async function expectSessionFor(j: JourneyClient, contextId: string, res: Reply) {
  const sessions = await j.sessions(contextId);
  expect(sessions).toHaveLength(1);
  expect(sessions[0]).toMatchObject({ status: 'ACTIVE', ip_address: '127.0.0.1' });
  const tokens = await j.tokens(sessions[0].session_id);
  expect(tokens).toEqual([
    { token_type: 'ACCESS', token_value_hash: sha256Hex(res.body.access_token), status: 'ACTIVE' },
    { token_type: 'ID', token_value_hash: sha256Hex(res.body.id_token), status: 'ACTIVE' },
    { token_type: 'REFRESH', token_value_hash: sha256Hex(res.refreshToken!), status: 'ACTIVE' },
  ]);
  return sessions[0];
}
