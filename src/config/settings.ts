import { z } from 'zod';
import { readAccessSettings, type AccessSettings } from './access.js';
import { readHttpAgreementsSettings, type HttpAgreementsSettings } from './agreements.js';
import { readBreakerSettings, type BreakerSettings } from './breaker.js';
import { readDatabaseSettings, type DatabaseSettings } from './database.js';
import { csv, flag, list, nonNegativeInt, oneOf, optionalText, positiveInt, readEnv, refuseInProduction, SettingsError, text, url, wholeNumber, type Env } from './fields.js';
import { readLdapSettings, type LdapSettings } from './ldap.js';
import { loadOperationsSettings, type OperationsSettings } from './operations.js';
import { readWebhookPushSettings, type WebhookPushSettings } from './push-webhook.js';
import { readTransmitSettings, type TransmitSettings } from './transmit.js';
import { readTwilioSettings, type TwilioSettings } from './twilio.js';
import { loadWebSettings, type WebSettings } from './web.js';

export { SettingsError, type Env } from './fields.js';
export type { DatabaseSettings } from './database.js';

/**
 * Every setting the service reads, with its environment name, default and meaning: this file and
 * one file per concern beside it (database, access, operations, web, each production adapter).
 * `loadSettings` parses them all once at start-up into one typed object that is handed down;
 * nothing outside src/config reads the environment.
 */
const ServiceEnv = z.object({
  NODE_ENV: text('development'),
  /** TCP port of the HTTP listener. */
  PORT: wholeNumber(8080, { min: 0, max: 65535 }),
  /** Interface to listen on. */
  HOST: text('0.0.0.0'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
  /** Where the embedded database and generated development keys live. */
  CIAM_DATA_DIR: text('./data'),
  /**
   * Master secret (≥ 32 bytes, base64 or hex) from which the one-time-code HMAC key and the
   * signing-key encryption key are derived. Unset outside production → generated into the data dir.
   */
  CIAM_MASTER_KEY: optionalText(),
  /** Issuer of ID tokens and the base of the discovery document. */
  CIAM_ISSUER: url('http://localhost:8080'),
  /** Trust X-Forwarded-For from a proxy in front (true, a hop count, or a list of proxy addresses). */
  CIAM_TRUST_PROXY: optionalText(),
  /** Add `Secure` to the refresh cookie (turn off only for plain-HTTP local development). */
  CIAM_COOKIE_SECURE: flag(true),
  /**
   * Name of the refresh cookie. The contract's `refresh_token` by default; a deployment on a host of
   * its own should use `__Host-refresh_token` (ASVS 5.0 V3.3.1: the browser then accepts it only
   * with Secure, Path=/ and no Domain, so no sibling subdomain can set or shadow it).
   */
  CIAM_REFRESH_COOKIE_NAME: oneOf(['refresh_token', '__Host-refresh_token', '__Secure-refresh_token'], 'refresh_token'),
  /** IP addresses or CIDR ranges refused at login with 403 CIAM_E01_01_010. */
  CIAM_IP_DENY_LIST: list(),

  /** Directory: `demo` (built-in users of the docs) or `ldap`. */
  CIAM_DIRECTORY: oneOf(['demo', 'ldap'], 'demo'),
  /** Device risk: `simulator` or `transmit`. */
  CIAM_DRS: oneOf(['simulator', 'transmit'], 'simulator'),
  /** One-time code delivery: `outbox` (dev outbox) or `http`. */
  CIAM_OTP_SENDER: oneOf(['outbox', 'http'], 'outbox'),
  /** Push delivery: `outbox` (dev outbox) or `http`. */
  CIAM_PUSH_SENDER: oneOf(['outbox', 'http'], 'outbox'),
  /** eSign documents: `files` (shipped with the service) or `http`. */
  CIAM_AGREEMENTS: oneOf(['files', 'http'], 'files'),

  CIAM_JOURNEY_TTL_SECONDS: positiveInt(900),
  CIAM_MFA_STEP_TTL_SECONDS: positiveInt(300),
  CIAM_PUSH_STEP_TTL_SECONDS: positiveInt(120),
  CIAM_ESIGN_STEP_TTL_SECONDS: positiveInt(600),
  CIAM_DEVICE_BIND_STEP_TTL_SECONDS: positiveInt(300),
  CIAM_ACCESS_TOKEN_TTL_SECONDS: positiveInt(900),
  CIAM_REFRESH_TOKEN_TTL_SECONDS: positiveInt(2_592_000),
  CIAM_SESSION_TTL_SECONDS: positiveInt(2_592_000),
  /** How long the immediately previous refresh token still works after a rotation (two tabs). */
  CIAM_REFRESH_GRACE_SECONDS: nonNegativeInt(3),
  /**
   * Consecutive wrong one-time codes per customer — across journeys, SMS and voice — before MFA is
   * locked. Only a correct code resets the count; each wrong code past it locks again.
   */
  CIAM_MFA_MAX_ATTEMPTS: positiveInt(5),
  /** How long MFA stays locked after too many wrong codes. */
  CIAM_MFA_LOCK_SECONDS: positiveInt(1800),
  /** One-time codes (SMS and voice) sent per customer per hour; more answer 429 (SMS pumping). */
  CIAM_MFA_CODES_PER_HOUR: positiveInt(10),
  /** Suggested poll interval for a pending push, in milliseconds. */
  CIAM_PUSH_POLL_INTERVAL_MS: positiveInt(1000),
  /** Largest request body accepted, in bytes. */
  CIAM_BODY_LIMIT_BYTES: positiveInt(65_536),
  /** A request whose headers and body have not fully arrived by then is answered 408 and closed. */
  CIAM_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  /** A request whose headers have not fully arrived by then is answered 408 and closed. */
  CIAM_HEADERS_TIMEOUT_MS: positiveInt(20_000),
  /**
   * How long an idle keep-alive connection stays open. Longer than a load balancer's idle timeout
   * (60 s on the common ones), so the balancer, not the service, closes idle connections.
   */
  CIAM_KEEP_ALIVE_TIMEOUT_MS: positiveInt(72_000),
});

type ServiceEnvValues = z.output<typeof ServiceEnv>;

/** The production adapters' own settings, each present only when its adapter is chosen. */
export interface AdapterSettings {
  /** The circuit breaker in front of every production adapter. */
  breaker: BreakerSettings;
  ldap?: LdapSettings;
  transmit?: TransmitSettings;
  twilio?: TwilioSettings;
  pushWebhook?: WebhookPushSettings;
  agreements?: HttpAgreementsSettings;
}

export interface Settings extends AccessSettings {
  production: boolean;
  port: number;
  host: string;
  logLevel: ServiceEnvValues['LOG_LEVEL'];
  database: DatabaseSettings;
  dataDir: string;
  masterKey?: string;
  issuer: string;
  trustProxy: boolean | number | string[];
  cookieSecure: boolean;
  refreshCookieName: string;
  ipDenyList: string[];
  providers: {
    directory: ServiceEnvValues['CIAM_DIRECTORY'];
    drs: ServiceEnvValues['CIAM_DRS'];
    otpSender: ServiceEnvValues['CIAM_OTP_SENDER'];
    pushSender: ServiceEnvValues['CIAM_PUSH_SENDER'];
    agreements: ServiceEnvValues['CIAM_AGREEMENTS'];
  };
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
  /** Maintenance jobs, abuse limits, password lockout, metrics, logs, shutdown. */
  operations: OperationsSettings;
  /** CORS and the hosted pages. */
  web: WebSettings;
  adapters: AdapterSettings;
}

function parseTrustProxy(value: string | undefined): boolean | number | string[] {
  if (value === undefined || value === 'false') return false;
  if (value === 'true') return true;
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10);
  return csv(value);
}

/** Every development part, refused in production (the agent and gateway keys in access.ts, LDAP in clear text in ldap.ts). */
function refuseDevelopmentParts(e: ServiceEnvValues, database: DatabaseSettings): void {
  if (e.CIAM_DIRECTORY === 'demo') refuseInProduction('CIAM_DIRECTORY=demo (the demo directory) — set CIAM_DIRECTORY=ldap.');
  if (e.CIAM_DRS === 'simulator') refuseInProduction('CIAM_DRS=simulator — set CIAM_DRS=transmit.');
  if (e.CIAM_OTP_SENDER === 'outbox') refuseInProduction('CIAM_OTP_SENDER=outbox (the dev outbox) — set CIAM_OTP_SENDER=http.');
  if (e.CIAM_PUSH_SENDER === 'outbox') refuseInProduction('CIAM_PUSH_SENDER=outbox (the dev outbox) — set CIAM_PUSH_SENDER=http.');
  if (!database.url) refuseInProduction('DATABASE_URL is missing (the embedded database is for development).');
  if (!e.CIAM_MASTER_KEY) refuseInProduction('CIAM_MASTER_KEY is missing.');
  if (!e.CIAM_COOKIE_SECURE) refuseInProduction('CIAM_COOKIE_SECURE=false.');
}

/** The only reader of the environment: start-up passes process.env, tests their own. */
export function loadSettings(env: Env = process.env): Settings {
  const e = readEnv(ServiceEnv, env);
  const production = e.NODE_ENV === 'production';
  const database = readDatabaseSettings(env, e.CIAM_DATA_DIR);
  if (production) refuseDevelopmentParts(e, database);
  const access = readAccessSettings(env, production);

  // The cookie is always written with Path=/ and no Domain; a prefixed name also needs Secure.
  if (e.CIAM_REFRESH_COOKIE_NAME !== 'refresh_token' && !e.CIAM_COOKIE_SECURE) {
    throw new SettingsError(`CIAM_REFRESH_COOKIE_NAME=${e.CIAM_REFRESH_COOKIE_NAME} requires CIAM_COOKIE_SECURE=true (browsers refuse the prefix otherwise).`);
  }
  if (e.CIAM_MASTER_KEY && Buffer.from(e.CIAM_MASTER_KEY, 'base64').length < 32) {
    throw new SettingsError('CIAM_MASTER_KEY must hold at least 32 bytes (base64).');
  }
  const web = loadWebSettings(env);
  if (web.pages && !access.clients.has(web.clientId)) {
    throw new SettingsError(`CIAM_WEB_CLIENT_ID "${web.clientId}" is not one of CIAM_CLIENT_IDS (the hosted pages call the API as that client).`);
  }

  return {
    production,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    database,
    dataDir: e.CIAM_DATA_DIR,
    ...access,
    masterKey: e.CIAM_MASTER_KEY,
    issuer: e.CIAM_ISSUER.replace(/\/$/, ''),
    trustProxy: parseTrustProxy(e.CIAM_TRUST_PROXY),
    cookieSecure: e.CIAM_COOKIE_SECURE,
    refreshCookieName: e.CIAM_REFRESH_COOKIE_NAME,
    ipDenyList: e.CIAM_IP_DENY_LIST,
    providers: {
      directory: e.CIAM_DIRECTORY,
      drs: e.CIAM_DRS,
      otpSender: e.CIAM_OTP_SENDER,
      pushSender: e.CIAM_PUSH_SENDER,
      agreements: e.CIAM_AGREEMENTS,
    },
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
    operations: loadOperationsSettings(env),
    web,
    adapters: {
      breaker: readBreakerSettings(env),
      ldap: e.CIAM_DIRECTORY === 'ldap' ? readLdapSettings(env) : undefined,
      transmit: e.CIAM_DRS === 'transmit' ? readTransmitSettings(env) : undefined,
      twilio: e.CIAM_OTP_SENDER === 'http' ? readTwilioSettings(env) : undefined,
      pushWebhook: e.CIAM_PUSH_SENDER === 'http' ? readWebhookPushSettings(env) : undefined,
      agreements: e.CIAM_AGREEMENTS === 'http' ? readHttpAgreementsSettings(env) : undefined,
    },
  };
}
