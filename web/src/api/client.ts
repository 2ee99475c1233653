import createClient from 'openapi-fetch';
import { pageConfig } from '../config';
import type { components, paths } from './openapi';

/**
 * Every API call the pages make, in one place, typed from the service's own OpenAPI document
 * (openapi.d.ts is generated from /openapi.json). Each call answers a Result: the body on success,
 * the catalogue's error body otherwise — a network failure becomes the pseudo-code NETWORK.
 */
// The page also meets codes that are not in the catalogue (NETWORK, HTTP_<status>).
export type ErrorBody = Omit<components['schemas']['ErrorResponse'], 'error_code'> & { error_code: string };
export type Result<T> = { ok: true; status: number; data: T } | { ok: false; status: number; error: ErrorBody };

const api = createClient<paths>({ baseUrl: '' });

/** The headers every call carries: the page's registered client id and a fresh correlation id. */
function header() {
  return { 'x-client-id': pageConfig().clientId, 'x-correlation-id': crypto.randomUUID() };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function settle<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<Result<T>> {
  try {
    const { data, error, response } = await call;
    if (response.ok) return { ok: true, status: response.status, data: data as T };
    const body = error && typeof error === 'object' && 'error_code' in error ? (error as ErrorBody) : { error_code: `HTTP_${response.status}` };
    return { ok: false, status: response.status, error: body };
  } catch {
    return { ok: false, status: 0, error: { error_code: 'NETWORK' } };
  }
}

type Json<P extends keyof paths, M extends 'get' | 'post' | 'delete', S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { 'application/json': infer B } } };
}
  ? B
  : never;

// ---- The login journey (the browser's side)

export type LoginAnswer = Json<'/auth/login', 'post', 200> | Json<'/auth/login', 'post', 201>;
export type StepAnswer =
  | LoginAnswer
  | Json<'/auth/mfa/otp/verify', 'post', 200>
  | Json<'/auth/mfa/otp/verify', 'post', 201>
  | Json<'/auth/mfa/transactions/{transaction_id}', 'post', 200>
  | Json<'/auth/mfa/transactions/{transaction_id}', 'post', 201>
  | Json<'/auth/esign/accept', 'post', 200>
  | Json<'/auth/esign/accept', 'post', 201>
  | Json<'/auth/device/bind', 'post', 200>;
export type Challenge = Json<'/auth/mfa/initiate', 'post', 200>;
export type EsignDocument = Json<'/auth/esign/documents/{document_id}', 'get', 200>;

export interface Credentials {
  username: string;
  password: string;
  drsActionToken?: string;
}

export const login = (c: Credentials) =>
  settle<LoginAnswer>(
    api.POST('/auth/login', {
      params: { header: header() },
      body: { username: c.username, password: c.password, transmit_aid: 'web', ...(c.drsActionToken ? { drs_action_token: c.drsActionToken } : {}) },
    }),
  );

export const initiateMfa = (contextId: string, transactionId: string, method: 'sms' | 'voice' | 'push', mfaOptionId?: number) =>
  settle<Challenge>(
    api.POST('/auth/mfa/initiate', {
      params: { header: header() },
      body: {
        context_id: contextId,
        transaction_id: transactionId,
        method,
        ...(mfaOptionId !== undefined ? { mfa_option_id: mfaOptionId as 1 | 2 | 3 | 4 | 5 | 6 } : {}),
      },
    }),
  );

export const verifyOtp = (contextId: string, transactionId: string, code: string) =>
  settle<StepAnswer>(api.POST('/auth/mfa/otp/verify', { params: { header: header() }, body: { context_id: contextId, transaction_id: transactionId, code } }));

export const pollPush = (contextId: string, transactionId: string) =>
  settle<StepAnswer>(
    api.POST('/auth/mfa/transactions/{transaction_id}', {
      params: { header: header(), path: { transaction_id: transactionId } },
      body: { context_id: contextId },
    }),
  );

export const esignDocument = (documentId: string) =>
  settle<EsignDocument>(api.GET('/auth/esign/documents/{document_id}', { params: { header: header(), path: { document_id: documentId } } }));

export const acceptDocument = (contextId: string, transactionId: string, documentId: string) =>
  settle<StepAnswer>(
    api.POST('/auth/esign/accept', {
      params: { header: header() },
      body: { context_id: contextId, transaction_id: transactionId, document_id: documentId, acceptance_timestamp: new Date().toISOString() },
    }),
  );

export const declineDocument = (contextId: string, transactionId: string, documentId: string) =>
  settle<unknown>(
    api.POST('/auth/esign/decline', {
      params: { header: header() },
      body: { context_id: contextId, transaction_id: transactionId, document_id: documentId },
    }),
  );

export const bindDevice = (contextId: string, transactionId: string, bind: boolean) =>
  settle<StepAnswer>(
    api.POST('/auth/device/bind', { params: { header: header() }, body: { context_id: contextId, transaction_id: transactionId, bind_device: bind } }),
  );

// ---- The customer's session (account page)

export type Refreshed = Json<'/auth/refresh', 'post', 200>;
export type MySession = Json<'/me/sessions', 'get', 200>['sessions'][number];
export type MyDevice = Json<'/me/devices', 'get', 200>['devices'][number];

/** Exchanges the HttpOnly refresh cookie for a new access token (the cookie rotates). */
export const refresh = () => settle<Refreshed>(api.POST('/auth/refresh', { params: { header: header() } }));

export const logout = (accessToken: string | undefined) =>
  settle<unknown>(api.POST('/auth/logout', { params: { header: { ...header(), ...(accessToken ? bearer(accessToken) : {}) } } }));

export const mySessions = (token: string) => settle<Json<'/me/sessions', 'get', 200>>(api.GET('/me/sessions', { params: { header: { ...header(), ...bearer(token) } } }));

export const endMySession = (token: string, sessionId: string) =>
  settle<unknown>(api.DELETE('/me/sessions/{session_id}', { params: { header: { ...header(), ...bearer(token) }, path: { session_id: sessionId } } }));

export const endMyOtherSessions = (token: string) =>
  settle<Json<'/me/sessions/revoke-others', 'post', 200>>(api.POST('/me/sessions/revoke-others', { params: { header: { ...header(), ...bearer(token) } } }));

export const myDevices = (token: string) => settle<Json<'/me/devices', 'get', 200>>(api.GET('/me/devices', { params: { header: { ...header(), ...bearer(token) } } }));

export const removeMyDevice = (token: string, deviceId: string) =>
  settle<unknown>(api.DELETE('/me/devices/{device_id}', { params: { header: { ...header(), ...bearer(token) }, path: { device_id: deviceId } } }));

// ---- The agent console

export type AgentSession = Json<'/admin/customers/{cupid}/sessions', 'get', 200>['sessions'][number];
export type AgentDevice = Json<'/admin/customers/{cupid}/devices', 'get', 200>['devices'][number];
export type AuditPage = Json<'/admin/customers/{cupid}/audit', 'get', 200>;
export type HighRiskPage = Json<'/admin/high-risk-logins', 'get', 200>;

export const agentSessions = (agent: string, cupid: string) =>
  settle<Json<'/admin/customers/{cupid}/sessions', 'get', 200>>(
    api.GET('/admin/customers/{cupid}/sessions', { params: { header: { ...header(), ...bearer(agent) }, path: { cupid } } }),
  );

export const agentDevices = (agent: string, cupid: string) =>
  settle<Json<'/admin/customers/{cupid}/devices', 'get', 200>>(
    api.GET('/admin/customers/{cupid}/devices', { params: { header: { ...header(), ...bearer(agent) }, path: { cupid } } }),
  );

export interface PageQuery {
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
}

const definedOnly = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== '')) as T;

export const agentAudit = (agent: string, cupid: string, query: PageQuery) =>
  settle<AuditPage>(
    api.GET('/admin/customers/{cupid}/audit', { params: { header: { ...header(), ...bearer(agent) }, path: { cupid }, query: definedOnly(query) } }),
  );

export const highRiskLogins = (agent: string, query: PageQuery & { min_score?: string }) =>
  settle<HighRiskPage>(api.GET('/admin/high-risk-logins', { params: { header: { ...header(), ...bearer(agent) }, query: definedOnly(query) } }));

export const agentRevokeSession = (agent: string, sessionId: string, reason: string) =>
  settle<Json<'/admin/sessions/revoke', 'post', 200>>(
    api.POST('/admin/sessions/revoke', { params: { header: { ...header(), ...bearer(agent) } }, body: { session_id: sessionId, reason } }),
  );

export const agentRevokeAll = (agent: string, cupid: string, reason: string) =>
  settle<Json<'/admin/customers/{cupid}/sessions/revoke', 'post', 200>>(
    api.POST('/admin/customers/{cupid}/sessions/revoke', { params: { header: { ...header(), ...bearer(agent) }, path: { cupid } }, body: { reason } }),
  );

export const agentRevokeDevice = (agent: string, deviceId: string, reason: string) =>
  settle<Json<'/admin/devices/revoke', 'post', 200>>(
    api.POST('/admin/devices/revoke', { params: { header: { ...header(), ...bearer(agent) } }, body: { device_id: deviceId, reason } }),
  );

// ---- Development: the demo phone (dev outbox)

export type OutboxMessage = Json<'/dev/outbox', 'get', 200>['messages'][number];

export const outbox = (cupid: string) =>
  settle<Json<'/dev/outbox', 'get', 200>>(api.GET('/dev/outbox', { params: { header: header(), query: { cupid } } }));

export const approvePush = (contextId: string, transactionId: string, selectedNumber: number, approvalSecret: string) =>
  settle<unknown>(
    api.POST('/auth/mfa/transactions/{transaction_id}/approve', {
      params: { header: header(), path: { transaction_id: transactionId } },
      body: { context_id: contextId, selected_number: selectedNumber, approval_secret: approvalSecret },
    }),
  );

export const denyPush = (contextId: string, transactionId: string, approvalSecret: string) =>
  settle<unknown>(
    api.POST('/auth/mfa/transactions/{transaction_id}/deny', {
      params: { header: header(), path: { transaction_id: transactionId } },
      body: { context_id: contextId, approval_secret: approvalSecret },
    }),
  );
