import { z } from 'zod';

/**
 * Every setting the service reads, with its environment name, default and meaning. `loadSettings`
 * is the only place that touches process.env; everything else receives a typed Settings object.
 */
const csv = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

const seconds = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const EnvSchema = z.object({
  NODE_ENV: z.string().default('development'),
  /** TCP port of the HTTP listener. */
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Interface to listen on. */
  HOST: z.string().default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** PostgreSQL connection string. Unset → the embedded PGlite database in CIAM_DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Connections in the PostgreSQL pool per instance. */
  DATABASE_POOL_MAX: z.coerce.number().int().positive().default(20),
  /** Server-side statement timeout, so no query can hold a connection forever. */
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** How long a statement of the write pool waits for a row or table lock before it fails (503 with Retry-After). */
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /** How long a request waits for a free connection of either pool before it is answered 503 with Retry-After. */
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: z.coerce.number().int().positive().default(2_000),
  /** Requests allowed to queue for a connection of either pool; the next one is answered 503 with Retry-After at once. */
  DATABASE_POOL_MAX_WAITING: z.coerce.number().int().min(0).default(100),
  /** Connections in the read pool (token verify, JWKS, userinfo), apart from DATABASE_POOL_MAX. */
  DATABASE_READ_POOL_MAX: z.coerce.number().int().positive().default(10),
  /** Statement timeout of the read pool: its statements are single indexed lookups. */
  DATABASE_READ_STATEMENT_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000),
  /** What sits between the service and PostgreSQL: `none`, or `transaction` for PgBouncer's transaction pooling. */
  DATABASE_POOLER: z.enum(['none', 'transaction']).default('none'),
  /** A streaming replica for the agent API's reports (audit timeline, high-risk logins, session and device lists); unset → the primary. */
  DATABASE_READ_URL: z.string().url().optional(),
  /** A direct (not pooled) connection string for migrations and the jobs' leader lock; required with DATABASE_POOLER=transaction. */
  DATABASE_DIRECT_URL: z.string().url().optional(),
  /** Where the embedded database and generated development keys live. */
  CIAM_DATA_DIR: z.string().default('./data'),
  /** Registered x-client-id values. */
  CIAM_CLIENT_IDS: z.string().default('web-banking,mobile-app'),
  /** Scopes granted per client: `client:scope scope;client2:scope`. Clients not listed get `openid profile`. */
  CIAM_CLIENT_SCOPES: z.string().optional(),
  /** x-api-key values the gateway may present on /auth/token/verify (comma separated, for rotation). */
  CIAM_GATEWAY_API_KEY: z.string().optional(),
  /** Development agent credentials `agentId:secret,…`, sent as `Authorization: Bearer <secret>`. */
  CIAM_AGENT_KEYS: z.string().optional(),
  /** Workforce identity provider for the agent API in production. */
  CIAM_AGENT_JWKS_URL: z.string().url().optional(),
  CIAM_AGENT_ISSUER: z.string().optional(),
  CIAM_AGENT_AUDIENCE: z.string().optional(),
  CIAM_AGENT_ROLE: z.string().default('ciam-agent'),
  CIAM_AGENT_ROLE_CLAIM: z.string().default('roles'),
  /**
   * Master secret (≥ 32 bytes, base64 or hex) from which the one-time-code HMAC key and the
   * signing-key encryption key are derived. Unset outside production → generated into the data dir.
   */
  CIAM_MASTER_KEY: z.string().optional(),
  /** Issuer of ID tokens and the base of the discovery document. */
  CIAM_ISSUER: z.string().url().default('http://localhost:8080'),
  /** Trust X-Forwarded-For from a proxy in front (true, a hop count, or a list of proxy addresses). */
  CIAM_TRUST_PROXY: z.string().optional(),
  /** Add `Secure` to the refresh cookie (turn off only for plain-HTTP local development). */
  CIAM_COOKIE_SECURE: z.enum(['true', 'false']).default('true'),
  /**
   * Name of the refresh cookie. The contract's `refresh_token` by default; a deployment on a host of
   * its own should use `__Host-refresh_token` (ASVS 5.0 V3.3.1: the browser then accepts it only
   * with Secure, Path=/ and no Domain, so no sibling subdomain can set or shadow it).
   */
  CIAM_REFRESH_COOKIE_NAME: z.enum(['refresh_token', '__Host-refresh_token', '__Secure-refresh_token']).default('refresh_token'),
  /** IP addresses or CIDR ranges refused at login with 403 CIAM_E01_01_010. */
  CIAM_IP_DENY_LIST: z.string().optional(),

  /** Directory: `demo` (built-in users of the docs) or `ldap`. */
  CIAM_DIRECTORY: z.enum(['demo', 'ldap']).default('demo'),
  /** Device risk: `simulator` or `transmit`. */
  CIAM_DRS: z.enum(['simulator', 'transmit']).default('simulator'),
  /**
   * Clients that may log in without a drs_action_token when CIAM_DRS=transmit (comma separated,
   * each one of CIAM_CLIENT_IDS). Any other client's login without a token counts as CHALLENGE: MFA,
   * and no trusted-device shortcut. Ignored by the simulator, which never asks for a token.
   */
  CIAM_DRS_EXEMPT_CLIENTS: z.string().optional(),
  /** One-time code delivery: `outbox` (dev outbox) or `http`. */
  CIAM_OTP_SENDER: z.enum(['outbox', 'http']).default('outbox'),
  /** Push delivery: `outbox` (dev outbox) or `http`. */
  CIAM_PUSH_SENDER: z.enum(['outbox', 'http']).default('outbox'),
  /** eSign documents: `files` (shipped with the service) or `http`. */
  CIAM_AGREEMENTS: z.enum(['files', 'http']).default('files'),

  CIAM_JOURNEY_TTL_SECONDS: seconds(900),
  CIAM_MFA_STEP_TTL_SECONDS: seconds(300),
  CIAM_PUSH_STEP_TTL_SECONDS: seconds(120),
  CIAM_ESIGN_STEP_TTL_SECONDS: seconds(600),
  CIAM_DEVICE_BIND_STEP_TTL_SECONDS: seconds(300),
  CIAM_ACCESS_TOKEN_TTL_SECONDS: seconds(900),
  CIAM_REFRESH_TOKEN_TTL_SECONDS: seconds(2_592_000),
  CIAM_SESSION_TTL_SECONDS: seconds(2_592_000),
  /** How long the immediately previous refresh token still works after a rotation (two tabs). */
  CIAM_REFRESH_GRACE_SECONDS: z.coerce.number().int().min(0).default(3),
  /**
   * Consecutive wrong one-time codes per customer — across journeys, SMS and voice — before MFA is
   * locked. Only a correct code resets the count; each wrong code past it locks again.
   */
  CIAM_MFA_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  /** How long MFA stays locked after too many wrong codes. */
  CIAM_MFA_LOCK_SECONDS: seconds(1800),
  /** One-time codes (SMS and voice) sent per customer per hour; more answer 429 (SMS pumping). */
  CIAM_MFA_CODES_PER_HOUR: z.coerce.number().int().positive().default(10),
  /** Suggested poll interval for a pending push, in milliseconds. */
  CIAM_PUSH_POLL_INTERVAL_MS: z.coerce.number().int().positive().default(1000),
  /** Largest request body accepted, in bytes. */
  CIAM_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(65_536),
  /** A request whose headers and body have not fully arrived by then is answered 408 and closed. */
  CIAM_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** A request whose headers have not fully arrived by then is answered 408 and closed. */
  CIAM_HEADERS_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /**
   * How long an idle keep-alive connection stays open. Longer than a load balancer's idle timeout
   * (60 s on the common ones), so the balancer, not the service, closes idle connections.
   */
  CIAM_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().positive().default(72_000),
});

export type Env = Record<string, string | undefined>;

export interface DatabaseSettings {
  /** PostgreSQL (possibly through PgBouncer); unset → the embedded PGlite in dataDir. */
  url?: string;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  acquireTimeoutMs: number;
  maxWaiting: number;
  read: { poolMax: number; statementTimeoutMs: number };
  pooler: 'none' | 'transaction';
  /** A streaming replica for the agent reports; never used on a login or token path. */
  reportsUrl?: string;
  /** Where work that needs a session of its own connects (migrations, advisory locks): the direct URL, else `url`. */
  sessionUrl?: string;
}

export interface Settings {
  production: boolean;
  port: number;
  host: string;
  logLevel: z.infer<typeof EnvSchema>['LOG_LEVEL'];
  database: DatabaseSettings;
  dataDir: string;
  clients: Map<string, string[]>;
  gatewayApiKeys: string[];
  agentKeys: Map<string, string>;
  agentIdentityProvider?: { jwksUrl: string; issuer: string; audience: string; role: string; roleClaim: string };
  masterKey?: string;
  issuer: string;
  trustProxy: boolean | number | string[];
  cookieSecure: boolean;
  refreshCookieName: string;
  ipDenyList: string[];
  providers: {
    directory: 'demo' | 'ldap';
    drs: 'simulator' | 'transmit';
    otpSender: 'outbox' | 'http';
    pushSender: 'outbox' | 'http';
    agreements: 'files' | 'http';
  };
  /** Clients whose logins need no drs_action_token under CIAM_DRS=transmit. */
  drsExemptClients: ReadonlySet<string>;
  /** Dev-only routes and parts (outbox, demo directory) are allowed. */
  devMode: boolean;
  lifetimes: {
    journey: number;
    mfaStep: number;
    pushStep: number;
    esignStep: number;
    deviceBindStep: number;
    accessToken: number;
    refreshToken: number;
    session: number;
  };
  refreshGraceSeconds: number;
  mfaMaxAttempts: number;
  mfaLockSeconds: number;
  mfaCodesPerHour: number;
  pushPollIntervalMs: number;
  bodyLimit: number;
  httpTimeouts: { requestMs: number; headersMs: number; keepAliveMs: number };
  /** The raw environment, for adapters that read their own settings. */
  env: Env;
}

export class SettingsError extends Error {
  override name = 'SettingsError';
}

const DEFAULT_SCOPES = ['openid', 'profile'];

function parseClients(ids: string, scopes: string | undefined): Map<string, string[]> {
  const clients = new Map(csv(ids).map((id) => [id, DEFAULT_SCOPES] as [string, string[]]));
  for (const entry of (scopes ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
    // Scopes may contain colons themselves (accounts:read): only the first one ends the client id.
    const at = entry.indexOf(':');
    const client = entry.slice(0, Math.max(at, 0)).trim();
    if (at <= 0 || !clients.has(client)) {
      throw new SettingsError(`CIAM_CLIENT_SCOPES names "${client || entry}", which is not in CIAM_CLIENT_IDS.`);
    }
    clients.set(client, entry.slice(at + 1).split(/\s+/).filter(Boolean));
  }
  return clients;
}

function parseAgentKeys(value: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of csv(value)) {
    const at = pair.indexOf(':');
    const agentId = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    if (at <= 0 || secret.length < 16) {
      throw new SettingsError('CIAM_AGENT_KEYS must be `agentId:secret,…` with secrets of at least 16 characters.');
    }
    keys.set(secret, agentId);
  }
  return keys;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10);
  return csv(value);
}

// Development defaults: usable out of the box, refused in production.
const DEV_GATEWAY_KEY = 'dev-gateway-key-change-me';
const DEV_AGENT_KEYS = 'agent-dev:dev-agent-secret-change-me';

export function loadSettings(env: Env = process.env): Settings {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`Setting ${issue.path.join('.')} is invalid: ${issue.message}`);
  }
  const e = parsed.data;
  const production = e.NODE_ENV === 'production';

  if (production) {
    const refuse = (what: string) => {
      throw new SettingsError(`Refusing to start in production: ${what}`);
    };
    if (e.CIAM_DIRECTORY === 'demo') refuse('CIAM_DIRECTORY=demo (the demo directory) — set CIAM_DIRECTORY=ldap.');
    if (e.CIAM_DRS === 'simulator') refuse('CIAM_DRS=simulator — set CIAM_DRS=transmit.');
    if (e.CIAM_OTP_SENDER === 'outbox') refuse('CIAM_OTP_SENDER=outbox (the dev outbox) — set CIAM_OTP_SENDER=http.');
    if (e.CIAM_PUSH_SENDER === 'outbox') refuse('CIAM_PUSH_SENDER=outbox (the dev outbox) — set CIAM_PUSH_SENDER=http.');
    if (!e.DATABASE_URL) refuse('DATABASE_URL is missing (the embedded database is for development).');
    if (!e.CIAM_MASTER_KEY) refuse('CIAM_MASTER_KEY is missing.');
    if (!e.CIAM_GATEWAY_API_KEY) refuse('CIAM_GATEWAY_API_KEY is missing.');
    if (e.CIAM_AGENT_KEYS) refuse('CIAM_AGENT_KEYS is set (development agent keys) — configure CIAM_AGENT_JWKS_URL.');
    if (!e.CIAM_AGENT_JWKS_URL || !e.CIAM_AGENT_ISSUER || !e.CIAM_AGENT_AUDIENCE) {
      refuse('CIAM_AGENT_JWKS_URL, CIAM_AGENT_ISSUER and CIAM_AGENT_AUDIENCE are required for the agent API.');
    }
    if (e.CIAM_COOKIE_SECURE === 'false') refuse('CIAM_COOKIE_SECURE=false.');
  }
  if (e.DATABASE_LOCK_TIMEOUT_MS >= e.DATABASE_STATEMENT_TIMEOUT_MS) {
    throw new SettingsError('DATABASE_LOCK_TIMEOUT_MS must be shorter than DATABASE_STATEMENT_TIMEOUT_MS (a lock wait is part of a statement).');
  }
  if (e.DATABASE_READ_URL && !e.DATABASE_URL) {
    throw new SettingsError('DATABASE_READ_URL needs DATABASE_URL (a replica of the PostgreSQL primary; the embedded database has none).');
  }
  if (e.DATABASE_POOLER === 'transaction' && !e.DATABASE_URL) {
    throw new SettingsError('DATABASE_POOLER=transaction needs DATABASE_URL (the PgBouncer address).');
  }
  if (e.DATABASE_POOLER === 'transaction' && !e.DATABASE_DIRECT_URL) {
    throw new SettingsError(
      'DATABASE_POOLER=transaction needs DATABASE_DIRECT_URL: migrations and the jobs\' leader lock hold a session, which transaction pooling does not keep.',
    );
  }
  // The cookie is always written with Path=/ and no Domain; a prefixed name also needs Secure.
  if (e.CIAM_REFRESH_COOKIE_NAME !== 'refresh_token' && e.CIAM_COOKIE_SECURE !== 'true') {
    throw new SettingsError(`CIAM_REFRESH_COOKIE_NAME=${e.CIAM_REFRESH_COOKIE_NAME} requires CIAM_COOKIE_SECURE=true (browsers refuse the prefix otherwise).`);
  }
  if (e.CIAM_MASTER_KEY && Buffer.from(e.CIAM_MASTER_KEY, 'base64').length < 32) {
    throw new SettingsError('CIAM_MASTER_KEY must hold at least 32 bytes (base64).');
  }

  const gatewayApiKeys = csv(e.CIAM_GATEWAY_API_KEY ?? DEV_GATEWAY_KEY);
  if (gatewayApiKeys.some((k) => k.length < 16)) {
    throw new SettingsError('CIAM_GATEWAY_API_KEY values must be at least 16 characters.');
  }

  return {
    production,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    database: {
      url: e.DATABASE_URL,
      dataDir: `${e.CIAM_DATA_DIR}/pglite`,
      poolMax: e.DATABASE_POOL_MAX,
      statementTimeoutMs: e.DATABASE_STATEMENT_TIMEOUT_MS,
      lockTimeoutMs: e.DATABASE_LOCK_TIMEOUT_MS,
      acquireTimeoutMs: e.DATABASE_POOL_ACQUIRE_TIMEOUT_MS,
      maxWaiting: e.DATABASE_POOL_MAX_WAITING,
      read: { poolMax: e.DATABASE_READ_POOL_MAX, statementTimeoutMs: e.DATABASE_READ_STATEMENT_TIMEOUT_MS },
      pooler: e.DATABASE_POOLER,
      sessionUrl: e.DATABASE_DIRECT_URL ?? e.DATABASE_URL,
      reportsUrl: e.DATABASE_READ_URL,
    },
    dataDir: e.CIAM_DATA_DIR,
    clients: parseClients(e.CIAM_CLIENT_IDS, e.CIAM_CLIENT_SCOPES),
    gatewayApiKeys,
    agentKeys: parseAgentKeys(production ? e.CIAM_AGENT_KEYS : (e.CIAM_AGENT_KEYS ?? DEV_AGENT_KEYS)),
    agentIdentityProvider:
      e.CIAM_AGENT_JWKS_URL && e.CIAM_AGENT_ISSUER && e.CIAM_AGENT_AUDIENCE
        ? {
            jwksUrl: e.CIAM_AGENT_JWKS_URL,
            issuer: e.CIAM_AGENT_ISSUER,
            audience: e.CIAM_AGENT_AUDIENCE,
            role: e.CIAM_AGENT_ROLE,
            roleClaim: e.CIAM_AGENT_ROLE_CLAIM,
          }
        : undefined,
    masterKey: e.CIAM_MASTER_KEY,
    issuer: e.CIAM_ISSUER.replace(/\/$/, ''),
    trustProxy: parseTrustProxy(e.CIAM_TRUST_PROXY),
    cookieSecure: e.CIAM_COOKIE_SECURE === 'true',
    refreshCookieName: e.CIAM_REFRESH_COOKIE_NAME,
    ipDenyList: csv(e.CIAM_IP_DENY_LIST),
    providers: {
      directory: e.CIAM_DIRECTORY,
      drs: e.CIAM_DRS,
      otpSender: e.CIAM_OTP_SENDER,
      pushSender: e.CIAM_PUSH_SENDER,
      agreements: e.CIAM_AGREEMENTS,
    },
    drsExemptClients: parseDrsExemptClients(e.CIAM_DRS_EXEMPT_CLIENTS, e.CIAM_CLIENT_IDS),
    devMode: !production,
    lifetimes: {
      journey: e.CIAM_JOURNEY_TTL_SECONDS,
      mfaStep: e.CIAM_MFA_STEP_TTL_SECONDS,
      pushStep: e.CIAM_PUSH_STEP_TTL_SECONDS,
      esignStep: e.CIAM_ESIGN_STEP_TTL_SECONDS,
      deviceBindStep: e.CIAM_DEVICE_BIND_STEP_TTL_SECONDS,
      accessToken: e.CIAM_ACCESS_TOKEN_TTL_SECONDS,
      refreshToken: e.CIAM_REFRESH_TOKEN_TTL_SECONDS,
      session: e.CIAM_SESSION_TTL_SECONDS,
    },
    refreshGraceSeconds: e.CIAM_REFRESH_GRACE_SECONDS,
    mfaMaxAttempts: e.CIAM_MFA_MAX_ATTEMPTS,
    mfaLockSeconds: e.CIAM_MFA_LOCK_SECONDS,
    mfaCodesPerHour: e.CIAM_MFA_CODES_PER_HOUR,
    pushPollIntervalMs: e.CIAM_PUSH_POLL_INTERVAL_MS,
    bodyLimit: e.CIAM_BODY_LIMIT_BYTES,
    httpTimeouts: {
      requestMs: e.CIAM_REQUEST_TIMEOUT_MS,
      // Node refuses a headers timeout above the request timeout.
      headersMs: Math.min(e.CIAM_HEADERS_TIMEOUT_MS, e.CIAM_REQUEST_TIMEOUT_MS),
      keepAliveMs: e.CIAM_KEEP_ALIVE_TIMEOUT_MS,
    },
    env,
  };
}

function parseDrsExemptClients(value: string | undefined, clientIds: string): ReadonlySet<string> {
  const known = new Set(csv(clientIds));
  const exempt = csv(value);
  const unknown = exempt.find((client) => !known.has(client));
  if (unknown !== undefined) throw new SettingsError(`CIAM_DRS_EXEMPT_CLIENTS names "${unknown}", which is not in CIAM_CLIENT_IDS.`);
  return new Set(exempt);
}
