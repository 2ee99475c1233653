import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Transmit Security's token endpoint and Detection and Response API, with the
 * request and response shapes Transmit documents:
 *
 * - POST /oidc/token (form: grant_type=client_credentials, client_id, client_secret, resource) →
 *   { access_token, token_type, expires_in, scope }; wrong credentials → 401 invalid_client.
 * - GET /risk/v1/recommendation?action_token=… (Bearer) → { id, issued_at, recommendation: { type },
 *   risk_score, context, risk_signals, reasons }.
 * - POST /risk/v1/action/result (Bearer, JSON { action_token, result, user_id?, challenge_type? }) → 201.
 *
 * Action tokens `tx:<allow|challenge|deny|trust>[:<device id>[:<risk score>]]` choose the answer;
 * any other token is unknown to Transmit (400). Every request is recorded, and each endpoint can be
 * told to misbehave: answer a status, answer garbage or an unexpected body, hang, or drop the
 * connection.
 */

export type Endpoint = 'token' | 'recommendation' | 'result';
/** `json`: a 200 answer with this body instead of the documented one (a changed or broken API). */
export type Misbehaviour = { status: number } | { json: unknown } | 'garbage' | 'hang' | 'reset';

export interface RecordedRequest {
  endpoint: Endpoint | 'other';
  method: string;
  path: string;
  query: Record<string, string>;
  authorization?: string;
  /** Form fields or JSON body, parsed. */
  body: Record<string, unknown>;
}

export interface FakeTransmit {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  requests: RecordedRequest[];
  /** expires_in of the tokens issued from now on. */
  tokenLifetimeSeconds: number;
  /** Delay before the token endpoint answers (to make concurrent logins overlap). */
  tokenDelayMs: number;
  /** The endpoint misbehaves for the next `times` requests (every request when omitted). */
  misbehave(endpoint: Endpoint, how: Misbehaviour, times?: number): void;
  /** Forgets every issued token, as a key rotation at Transmit would: the API answers 401. */
  revokeTokens(): void;
  /** Back to good behaviour with nothing recorded. */
  reset(): void;
  count(endpoint: Endpoint): number;
  close(): Promise<void>;
}

export const TRANSMIT_RISK_RESOURCE = 'https://risk.identity.security';

const SCORES = { ALLOW: 18.5, CHALLENGE: 73.2, DENY: 96.4, TRUST: 3.1 } as const;
type Kind = keyof typeof SCORES;

export async function startFakeTransmit(): Promise<FakeTransmit> {
  const clientId = 'ciam-test-client';
  const clientSecret = randomBytes(16).toString('hex');
  const issued = new Set<string>();
  const requests: RecordedRequest[] = [];
  const faults = new Map<Endpoint, { how: Misbehaviour; remaining: number }>();

  const fake = {
    baseUrl: '',
    clientId,
    clientSecret,
    requests,
    tokenLifetimeSeconds: 3600,
    tokenDelayMs: 0,
    misbehave(endpoint: Endpoint, how: Misbehaviour, times = Number.POSITIVE_INFINITY) {
      faults.set(endpoint, { how, remaining: times });
    },
    revokeTokens() {
      issued.clear();
    },
    reset() {
      faults.clear();
      requests.length = 0;
      fake.tokenLifetimeSeconds = 3600;
      fake.tokenDelayMs = 0;
    },
    count(endpoint: Endpoint) {
      return requests.filter((r) => r.endpoint === endpoint).length;
    },
    close: async () => {},
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) json(res, 500, { message: 'fake failed' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://fake');
    const endpoint = endpointOf(req.method, url.pathname);
    const body = parseBody(await readBody(req), req.headers['content-type']);
    requests.push({
      endpoint,
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization,
      body,
    });
    if (endpoint === 'other') return json(res, 404, { message: 'Not found' });
    if (misbehaved(endpoint, req, res)) return;

    if (endpoint === 'token') {
      if (fake.tokenDelayMs > 0) await new Promise((r) => setTimeout(r, fake.tokenDelayMs));
      return token(res, body);
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!bearer || !issued.has(bearer)) return json(res, 401, { message: 'Unauthorized' });
    if (endpoint === 'recommendation') return recommendation(res, url.searchParams.get('action_token'));
    return actionResult(res, body);
  }

  function misbehaved(endpoint: Endpoint, req: IncomingMessage, res: ServerResponse): boolean {
    const fault = faults.get(endpoint);
    if (!fault || fault.remaining <= 0) return false;
    fault.remaining -= 1;
    const how = fault.how;
    if (how === 'hang') return true; // Never answers; close() drops the socket.
    if (how === 'reset') {
      req.socket.destroy();
      return true;
    }
    if (how === 'garbage') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('<html>upstream error</html>');
      return true;
    }
    if ('json' in how) json(res, 200, how.json);
    else json(res, how.status, { message: `status ${how.status}` });
    return true;
  }

  function token(res: ServerResponse, form: Record<string, unknown>) {
    if (form.grant_type !== 'client_credentials') return json(res, 400, { error: 'unsupported_grant_type' });
    if (form.client_id !== clientId || form.client_secret !== clientSecret) {
      return json(res, 401, { error: 'invalid_client' });
    }
    if (form.resource !== TRANSMIT_RISK_RESOURCE) return json(res, 400, { error: 'invalid_target' });
    const accessToken = randomBytes(24).toString('base64url');
    issued.add(accessToken);
    json(res, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: fake.tokenLifetimeSeconds, scope: '' });
  }

  function recommendation(res: ServerResponse, actionToken: string | null) {
    const match = /^tx:(allow|challenge|deny|trust)(?::([^:]*))?(?::(-?[\d.]+))?$/.exec(actionToken ?? '');
    if (!match) return json(res, 400, { message: 'Invalid action token' });
    const kind = match[1]!.toUpperCase() as Kind;
    const deviceId = match[2] || `device-${randomBytes(6).toString('hex')}`;
    const now = Date.now();
    json(res, 200, {
      id: randomBytes(32).toString('hex'),
      issued_at: now,
      recommendation: { type: kind },
      risk_score: match[3] === undefined ? SCORES[kind] : Number(match[3]),
      context: {
        action_id: randomBytes(32).toString('hex'),
        action_type: 'login',
        action_performed_at: now - 40,
        client_id: 'd152ddd.ece93f4.c2a3d12.riskid.security',
        application_id: 'ece93f4',
        tenant_id: 'c2a3d12',
        device_id: deviceId,
        device_fingerprint: 'a3c8f5ea75cb65fcdc3d0452b985f957a46e24afdc912e93dac1e115ecf408e5',
        correlation_id: 'bcb934d8-89cb-433b-a4c7-b7d94299586b',
        ip: '203.0.113.7',
        ip_country: 'GB',
        ip_asn_name: 'AS64500 Example Networks',
        ip_organization_type: 'isp',
        device_timezone: 'Europe/London',
        device_platform: 'desktop',
        os_name: 'macOS',
        browser_name: 'Chrome',
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
      },
      risk_signals: riskSignals(kind),
      reasons: REASONS[kind],
    });
  }

  function actionResult(res: ServerResponse, body: Record<string, unknown>) {
    if (typeof body.action_token !== 'string' || !['success', 'failure', 'incomplete'].includes(String(body.result))) {
      return json(res, 400, { message: 'Bad request' });
    }
    json(res, 201, {});
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}

const REASONS: Record<Kind, string[]> = {
  ALLOW: [],
  TRUST: [],
  CHALLENGE: ['new_device', 'impossible_travel'],
  DENY: ['bot_by_device_data', 'hosting_asn'],
};

function riskSignals(kind: Kind) {
  return {
    device: { incognito: false, tampered: false, emulated: kind === 'DENY', tz_mismatch: kind === 'CHALLENGE' },
    network: { vpn: kind === 'CHALLENGE', tor: kind === 'DENY', hosting: kind === 'DENY', proxy: false },
    behavior: { typing_velocity: 4.2, no_user_interaction: kind === 'DENY' },
    history: { ip_action_rate_60_sec: kind === 'DENY' ? 40 : 1, linking_device_to_users_count: 1 },
  };
}

function endpointOf(method: string | undefined, path: string): Endpoint | 'other' {
  if (method === 'POST' && path === '/oidc/token') return 'token';
  if (method === 'GET' && path === '/risk/v1/recommendation') return 'recommendation';
  if (method === 'POST' && path === '/risk/v1/action/result') return 'result';
  return 'other';
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (!text) return {};
  if (contentType?.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return { unparsed: text };
  }
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
