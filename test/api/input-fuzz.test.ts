import { createHash } from 'node:crypto';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../../src/errors/catalogue.js';
import {
  applyMutations,
  encodeComponent,
  hostileHeader,
  mutations,
  rawPayload,
  validRecord,
  type JsonSchema,
  type LiveValues,
} from '../support/fuzz-arbitraries.js';
import { PASSWORD, USER_AGENT } from '../support/journey-client.js';
import { toDeviceBind, toEsign, toInitiate, toPush, toVerify } from '../support/journey-positions.js';
import { openTestSession, refreshCookie } from '../support/sessions.js';
import { AGENT_SECRET, CLIENT_ID, GATEWAY_KEY, startTestApp } from '../support/test-app.js';

/**
 * Property-based fuzzing of every operation of the served /openapi.json (read from the app, so a
 * new route is covered without touching this file): generated path, query, header and body
 * input — valid, near-valid and hostile — sent with valid credentials and, where an operation
 * needs one, the ids of a live journey step, so that input reaches the handlers and the SQL.
 * Whatever arrives, the answer is never a 5xx, never a hang, and every 4xx is a catalogued
 * `{ error_code }` with its catalogued status; the service is healthy afterwards.
 *
 * Seeded and count-bounded: CIAM_FUZZ_SEED (default below) replays a run, CIAM_FUZZ_RUNS sets the
 * requests per operation.
 */

const SEED = Number(process.env.CIAM_FUZZ_SEED ?? 20_261_205);
const RUNS = Number(process.env.CIAM_FUZZ_RUNS ?? 24);
/** A live journey step is consumed by the first request that gets through: a fresh one this often. */
const REFRESH_EVERY = 6;
const REQUEST_TIMEOUT_MS = 10_000;

const t = await startTestApp({
  CIAM_RATE_LIMIT_ENABLED: 'false',
  // Wrong codes and passwords are what a fuzzer sends: the lockouts are not under test here.
  CIAM_MFA_MAX_ATTEMPTS: '100000',
  CIAM_MFA_CODES_PER_HOUR: '100000',
  CIAM_PASSWORD_MAX_FAILURES: '100',
});
afterAll(async () => {
  await t.close();
});

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
}

interface Operation {
  method: string;
  path: string;
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
  security?: Record<string, unknown>[];
}

const doc = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
  paths: Record<string, Record<string, Omit<Operation, 'method' | 'path'>>>;
};
const operations: Operation[] = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
);

const CUPID = 'CUPID_SIMPLE_001';

/** What a real client of this operation would hold: credentials and the ids of live steps. */
async function liveFor(op: Operation): Promise<{ values: LiveValues; headers: Record<string, string> }> {
  const schemes = new Set((op.security ?? []).flatMap((s) => Object.keys(s)));
  const headers: Record<string, string> = {};
  const values: LiveValues = {
    cupid: CUPID,
    reason: 'customer called the bank',
    document_id: 'terms-v1-2025',
    'x-client-id': CLIENT_ID,
    'x-app-id': ['web-banking', 'ios'],
    'x-app-version': ['1.0.0', '2.3.4-beta'],
    'x-api-key': GATEWAY_KEY,
  };
  if (schemes.has('agentAuth')) headers.authorization = `Bearer ${AGENT_SECRET}`;
  if (schemes.has('apiKeyAuth')) headers['x-api-key'] = GATEWAY_KEY;
  if (schemes.has('bearerAuth') || schemes.has('cookieAuth') || schemes.has('apiKeyAuth') || schemes.has('agentAuth')) {
    const session = await openTestSession(t, { cupid: CUPID });
    if (schemes.has('bearerAuth')) headers.authorization = `Bearer ${session.accessToken}`;
    if (schemes.has('cookieAuth')) Object.assign(headers, refreshCookie(session.refreshToken));
    Object.assign(values, { session_id: session.sessionId, token: session.accessToken, scopes: [['openid'], []] });
  }
  const path = op.path;
  if (path === '/auth/login') {
    Object.assign(values, {
      username: ['mfauser', 'esignuser', 'nopushuser', 'nobody'],
      password: PASSWORD,
      drs_action_token: ['sim:allow:fuzz-device', 'sim:challenge', 'sim:deny'],
      device_fingerprint: 'fuzz-fingerprint',
    });
  } else if (path === '/auth/mfa/initiate') {
    const at = await toInitiate(t, 'mfauser');
    Object.assign(values, { context_id: at.contextId, transaction_id: at.initiateId, method: ['sms', 'voice', 'push'], mfa_option_id: [1, 2] });
  } else if (path === '/auth/mfa/otp/verify') {
    const at = await toVerify(t, 'mfauser');
    Object.assign(values, { context_id: at.contextId, transaction_id: at.verifyId, code: [at.code, '000000'] });
  } else if (path.startsWith('/auth/mfa/transactions/')) {
    const at = await toPush(t, 'mfauser');
    Object.assign(values, { context_id: at.contextId, transaction_id: at.pushId, selected_number: [at.displayNumber, 1], approval_secret: at.secret });
  } else if (path.startsWith('/auth/esign/') && op.method === 'POST') {
    const at = await toEsign(t);
    Object.assign(values, { context_id: at.contextId, transaction_id: at.esignId, document_id: at.documentId, acceptance_ip: ['10.0.0.1', '::1'] });
  } else if (path === '/auth/device/bind') {
    const at = await toDeviceBind(t);
    Object.assign(values, { context_id: at.contextId, transaction_id: at.bindId });
  }
  return { values, headers };
}

const FUZZED_HEADERS = ['x-client-id', 'x-correlation-id', 'x-app-id', 'x-app-version', 'user-agent', 'authorization', 'cookie', 'x-api-key', 'x-forwarded-for', 'accept'];

/** Which part of the request one run makes hostile; the rest stays valid so the input gets through to the handler. */
type Focus = 'none' | 'path' | 'query' | 'headers' | 'body' | 'raw';

function partSchema(op: Operation, where: Parameter['in']): JsonSchema {
  const params = (op.parameters ?? []).filter((p) => p.in === where);
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema ?? {}])),
    required: params.filter((p) => p.required).map((p) => p.name),
  };
}

/** One generated request for `op`, given the live values of the moment. */
function requestFor(op: Operation, live: LiveValues) {
  const path = partSchema(op, 'path');
  const query = partSchema(op, 'query');
  const header = partSchema(op, 'header');
  const body = op.requestBody?.content?.['application/json']?.schema;
  const focus: Focus[] = ['none', 'headers', 'body', 'body', 'body', 'raw'];
  if (Object.keys(path.properties!).length > 0) focus.push('path', 'path');
  if (Object.keys(query.properties!).length > 0) focus.push('query', 'query');
  const bodyKeys = Object.keys(body?.properties ?? {});
  return fc.record({
    focus: fc.constantFrom(...focus),
    path: validRecord(path, live),
    pathChanges: mutations(Object.keys(path.properties!), 1),
    query: validRecord(query, live),
    queryChanges: mutations(Object.keys(query.properties!)),
    headers: validRecord(header, live),
    headerChanges: fc.array(fc.tuple(fc.constantFrom(...FUZZED_HEADERS), fc.option(hostileHeader)), { minLength: 1, maxLength: 2 }),
    body: body ? validRecord(body, live) : fc.constant(undefined),
    bodyChanges: fc.oneof(
      { weight: 6, arbitrary: mutations(bodyKeys).map((m) => ({ mutations: m })) },
      { weight: 1, arbitrary: fc.constantFrom(null, [], 'text', 42, true, [{}]).map((replace) => ({ replace })) },
    ),
    raw: rawPayload,
  });
}

type Generated = ReturnType<typeof requestFor> extends fc.Arbitrary<infer R> ? R : never;

const asText = (v: unknown) => (typeof v === 'string' ? v : (JSON.stringify(v) ?? ''));

function injectOptions(op: Operation, r: Generated, credentials: Record<string, string>): InjectOptions {
  const pathValues = r.focus === 'path' ? applyMutations(r.path, r.pathChanges) : r.path;
  let url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeComponent(asText(pathValues[name] ?? '')));
  const queryValues = r.focus === 'query' ? applyMutations(r.query, r.queryChanges) : r.query;
  const query: string[] = [];
  for (const [name, value] of Object.entries(queryValues)) {
    for (const v of Array.isArray(value) && value.length > 0 ? value : [value]) query.push(`${encodeComponent(name)}=${encodeComponent(asText(v))}`);
  }
  if (query.length > 0) url += `?${query.join('&')}`;

  const headers: Record<string, string> = { 'x-client-id': CLIENT_ID, 'user-agent': USER_AGENT, ...credentials };
  for (const [name, value] of Object.entries(r.headers)) headers[name.toLowerCase()] = asText(value);
  if (r.focus === 'headers') {
    for (const [name, value] of r.headerChanges) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
  }
  const options: InjectOptions = { method: op.method as InjectOptions['method'], url, headers };
  if (r.focus === 'raw') {
    if (r.raw.contentType) headers['content-type'] = r.raw.contentType;
    options.payload = r.raw.payload;
  } else if (r.body !== undefined || r.focus === 'body') {
    let payload: unknown = r.body ?? {};
    if (r.focus === 'body') payload = 'replace' in r.bodyChanges ? r.bodyChanges.replace : applyMutations(r.body ?? {}, r.bodyChanges.mutations);
    headers['content-type'] = 'application/json';
    options.payload = JSON.stringify(payload) ?? '';
  }
  return options;
}

const SWEEP_POISONS = ['\u0000', '\ud800', '\u001b'];
const SWEEP_HEADERS: Record<string, string> = {
  'user-agent': USER_AGENT,
  'x-app-id': 'web-banking',
  'x-app-version': '1.0.0',
  'x-correlation-id': '6f1c2b1e-3d4a-4b5c-8d6e-7f8091a2b3c4',
};

/**
 * Besides the random runs, a sweep: each field of each part in turn, in an otherwise minimal valid
 * request, with one character PostgreSQL refuses (NUL, a lone surrogate) or the contract refuses
 * (a control character). It guarantees what the random runs only make likely.
 */
function sweepRequests(op: Operation, live: LiveValues): Generated[] {
  const [base] = fc.sample(requestFor(op, live), { seed: seedFor(op), numRuns: 1 });
  const requiredOnly = (values: Record<string, unknown>, schema: JsonSchema | undefined) =>
    Object.fromEntries(Object.entries(values).filter(([k]) => (schema?.required ?? []).includes(k)));
  const body = op.requestBody?.content?.['application/json']?.schema;
  const query = partSchema(op, 'query');
  const out: Generated[] = [];
  for (const char of SWEEP_POISONS) {
    const poison = (key: string) => [{ kind: 'poison' as const, key, char, at: 3 }];
    for (const key of Object.keys(partSchema(op, 'path').properties!)) out.push({ ...base!, focus: 'path', pathChanges: poison(key) });
    for (const key of Object.keys(query.properties!)) {
      out.push({ ...base!, focus: 'query', query: requiredOnly(base!.query, query), queryChanges: poison(key) });
    }
    for (const key of Object.keys(body?.properties ?? {})) {
      out.push({ ...base!, focus: 'body', body: requiredOnly(base!.body ?? {}, body), bodyChanges: { mutations: poison(key) } });
    }
    for (const [name, value] of Object.entries(SWEEP_HEADERS)) {
      out.push({ ...base!, focus: 'headers', headerChanges: [[name, value.slice(0, 3) + char + value.slice(3)]] });
    }
  }
  return out;
}

function withTimeout(p: Promise<LightMyRequestResponse>): Promise<LightMyRequestResponse | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), REQUEST_TIMEOUT_MS);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** What is wrong with an answer, or undefined when it is acceptable. */
function problemWith(res: LightMyRequestResponse | 'timeout'): string | undefined {
  if (res === 'timeout') return `no answer within ${REQUEST_TIMEOUT_MS} ms`;
  if (res.statusCode >= 500) return `${res.statusCode} ${res.body.slice(0, 200)}`;
  if (res.statusCode < 400) return undefined;
  let body: { error_code?: unknown };
  try {
    body = res.json();
  } catch {
    return `${res.statusCode} with a body that is not JSON: ${res.body.slice(0, 100)}`;
  }
  const code = body?.error_code;
  if (typeof code !== 'string' || !(code in ERROR_CATALOGUE)) return `${res.statusCode} without a catalogued error_code: ${res.body.slice(0, 200)}`;
  const status = ERROR_CATALOGUE[code as keyof typeof ERROR_CATALOGUE].status;
  if (status !== res.statusCode) return `${res.statusCode} with ${code}, catalogued as ${status}`;
  return undefined;
}

function seedFor(op: Operation): number {
  return (SEED ^ createHash('sha256').update(`${op.method} ${op.path}`).digest().readInt32BE(0)) | 0;
}

function describeRequest(options: InjectOptions): string {
  const text = JSON.stringify({ method: options.method, url: options.url, headers: options.headers, payload: options.payload });
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

describe(`input fuzzing of every operation of /openapi.json (seed ${SEED}, a sweep and ${RUNS} random requests each)`, () => {
  it('finds the operations', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  it.each(operations.map((op) => [`${op.method} ${op.path}`, op] as const))('%s', async (_name, op) => {
    const problems: string[] = [];
    const send = async (r: Generated, credentials: Record<string, string>) => {
      const options = injectOptions(op, r, credentials);
      const problem = problemWith(await withTimeout(t.app.inject(options)));
      if (problem) problems.push(`${problem}\n    ← ${describeRequest(options)}`);
    };
    let live = await liveFor(op);
    for (const r of sweepRequests(op, live.values)) await send(r, live.headers);

    live = await liveFor(op);
    let run = 0;
    // The live values change as steps are consumed, so the request is generated from them each time.
    const property = fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 - 1 }), async (n) => {
      if (run > 0 && run % REFRESH_EVERY === 0) live = await liveFor(op);
      run += 1;
      const [r] = fc.sample(requestFor(op, live.values), { seed: n, numRuns: 1 });
      await send(r!, live.headers);
    });
    await fc.assert(property, { seed: seedFor(op), numRuns: RUNS, endOnFailure: true });
    expect(problems.length, `CIAM_FUZZ_SEED=${SEED}\n${problems.join('\n')}`).toBe(0);
  });

  it('leaves the service healthy: ready, and a normal login still works', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode, ready.body).toBe(200);
    const login = await t.call({ method: 'POST', url: '/auth/login', payload: { username: 'simpleuser', password: PASSWORD, transmit_aid: 'aid' } });
    expect(login.statusCode, login.body).toBe(201);
    expect(login.json().response_type_code).toBe('SUCCESS');
  });
});
