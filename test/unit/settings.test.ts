import { describe, expect, it } from 'vitest';
import { loadSettings, SettingsError } from '../../src/config/settings.js';

const productionReady = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://ciam@db.internal:5432/ciam',
  CIAM_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
  CIAM_GATEWAY_API_KEY: 'gateway-key-0123456789',
  CIAM_DIRECTORY: 'ldap',
  CIAM_DRS: 'transmit',
  CIAM_OTP_SENDER: 'http',
  CIAM_PUSH_SENDER: 'http',
  CIAM_AGENT_JWKS_URL: 'https://idp.bank.test/.well-known/jwks.json',
  CIAM_AGENT_ISSUER: 'https://idp.bank.test',
  CIAM_AGENT_AUDIENCE: 'ciam-admin',
  // The chosen production adapters' own settings are read with the rest.
  CIAM_LDAP_URL: 'ldaps://ldap.bank.test',
  CIAM_LDAP_BIND_DN: 'cn=ciam,dc=bank,dc=test',
  CIAM_LDAP_BIND_PASSWORD: 'service-account-password',
  CIAM_LDAP_BASE_DN: 'ou=customers,dc=bank,dc=test',
  CIAM_TRANSMIT_CLIENT_ID: 'transmit-client',
  CIAM_TRANSMIT_CLIENT_SECRET: 'transmit-secret',
  CIAM_TWILIO_ACCOUNT_SID: 'AC00000000000000000000000000000000',
  CIAM_TWILIO_AUTH_TOKEN: 'twilio-auth-token',
  CIAM_TWILIO_FROM: '+15005550006',
  CIAM_PUSH_WEBHOOK_URL: 'https://push.bank.test/send',
  CIAM_PUSH_WEBHOOK_SECRET: 'push-webhook-secret-0123456789abcdef',
};

function refusal(env: Record<string, string | undefined>): string {
  try {
    loadSettings(env);
  } catch (err) {
    expect(err).toBeInstanceOf(SettingsError);
    return (err as Error).message;
  }
  throw new Error('expected the settings to be refused');
}

describe('settings', () => {
  it('starts on the embedded defaults outside production', () => {
    const s = loadSettings({});
    expect(s.port).toBe(8080);
    expect(s.database.url).toBeUndefined();
    expect([...s.clients.keys()]).toEqual(['web-banking', 'mobile-app']);
    expect(s.providers).toEqual({ directory: 'demo', drs: 'simulator', otpSender: 'outbox', pushSender: 'outbox', agreements: 'files' });
    expect(s.lifetimes).toMatchObject({ journey: 900, mfaStep: 300, pushStep: 120, esignStep: 600, accessToken: 900, refreshToken: 2_592_000 });
    expect(s.refreshGraceSeconds).toBe(3);
    expect(s.devMode).toBe(true);
  });

  it('accepts a complete production configuration', () => {
    const s = loadSettings(productionReady);
    expect(s.production).toBe(true);
    expect(s.devMode).toBe(false);
    expect(s.agentKeys.size).toBe(0);
  });

  it.each([
    ['CIAM_DIRECTORY', 'demo', 'CIAM_DIRECTORY=demo'],
    ['CIAM_DRS', 'simulator', 'CIAM_DRS=simulator'],
    ['CIAM_OTP_SENDER', 'outbox', 'CIAM_OTP_SENDER=outbox'],
    ['CIAM_PUSH_SENDER', 'outbox', 'CIAM_PUSH_SENDER=outbox'],
    ['DATABASE_URL', undefined, 'DATABASE_URL'],
    ['CIAM_MASTER_KEY', undefined, 'CIAM_MASTER_KEY'],
    ['CIAM_GATEWAY_API_KEY', undefined, 'CIAM_GATEWAY_API_KEY'],
    ['CIAM_AGENT_JWKS_URL', undefined, 'CIAM_AGENT_JWKS_URL'],
    ['CIAM_AGENT_KEYS', 'agent:secret-secret-secret', 'CIAM_AGENT_KEYS'],
    ['CIAM_COOKIE_SECURE', 'false', 'CIAM_COOKIE_SECURE'],
  ])('refuses production with %s=%s, naming it', (name, value, mention) => {
    const message = refusal({ ...productionReady, [name]: value });
    expect(message).toContain(mention);
    expect(message).toContain('production');
  });

  it('reads CIAM_DRS_EXEMPT_CLIENTS and refuses a client that is not registered', () => {
    expect(loadSettings({ NODE_ENV: 'test' }).drsExemptClients.size).toBe(0);
    expect([...loadSettings({ NODE_ENV: 'test', CIAM_DRS_EXEMPT_CLIENTS: ' mobile-app ' }).drsExemptClients]).toEqual(['mobile-app']);
    expect(() => loadSettings({ NODE_ENV: 'test', CIAM_DRS_EXEMPT_CLIENTS: 'mobile-app,kiosk' })).toThrow(/CIAM_DRS_EXEMPT_CLIENTS names "kiosk"/);
  });

  it('names an invalid value', () => {
    expect(refusal({ PORT: 'eighty' })).toContain('PORT');
    expect(refusal({ CIAM_REFRESH_GRACE_SECONDS: '-1' })).toContain('CIAM_REFRESH_GRACE_SECONDS');
    expect(refusal({ CIAM_MASTER_KEY: 'c2hvcnQ=' })).toContain('CIAM_MASTER_KEY');
    expect(refusal({ CIAM_CLIENT_SCOPES: 'unknown-app:openid' })).toContain('CIAM_CLIENT_IDS');
  });

  it('reads client scopes and several gateway keys', () => {
    const s = loadSettings({ CIAM_CLIENT_SCOPES: 'web-banking:openid profile accounts:read', CIAM_GATEWAY_API_KEY: 'key-one-0123456789,key-two-0123456789' });
    expect(s.clients.get('web-banking')).toEqual(['openid', 'profile', 'accounts:read']);
    expect(s.clients.get('mobile-app')).toEqual(['openid', 'profile']);
    expect(s.gatewayApiKeys).toHaveLength(2);
  });
});

describe('database pool settings', () => {
  it('gives both pools their limits, with a lock timeout shorter than the statement timeout', () => {
    const s = loadSettings({ DATABASE_URL: 'postgres://ciam@db.internal/ciam' });
    expect(s.database).toMatchObject({
      poolMax: 20,
      statementTimeoutMs: 10_000,
      lockTimeoutMs: 2_000,
      acquireTimeoutMs: 2_000,
      maxWaiting: 100,
      read: { poolMax: 10, statementTimeoutMs: 5_000 },
      pooler: 'none',
      sessionUrl: 'postgres://ciam@db.internal/ciam',
    });
  });

  it('refuses a lock timeout that is not shorter than the statement timeout', () => {
    expect(refusal({ DATABASE_LOCK_TIMEOUT_MS: '10000', DATABASE_STATEMENT_TIMEOUT_MS: '10000' })).toMatch(/DATABASE_LOCK_TIMEOUT_MS/);
    expect(refusal({ DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '0' })).toMatch(/DATABASE_POOL_ACQUIRE_TIMEOUT_MS/);
    expect(refusal({ DATABASE_READ_POOL_MAX: 'many' })).toMatch(/DATABASE_READ_POOL_MAX/);
  });

  it('sends agent reports to DATABASE_READ_URL, which needs a PostgreSQL primary', () => {
    expect(refusal({ DATABASE_READ_URL: 'postgres://ciam@replica.internal/ciam' })).toMatch(/DATABASE_READ_URL needs DATABASE_URL/);
    const s = loadSettings({ DATABASE_URL: 'postgres://ciam@db.internal/ciam', DATABASE_READ_URL: 'postgres://ciam@replica.internal/ciam' });
    expect(s.database.reportsUrl).toBe('postgres://ciam@replica.internal/ciam');
  });

  it('needs a direct URL behind a transaction pooler, and uses it for the session work', () => {
    const pooled = { DATABASE_URL: 'postgres://ciam@pgbouncer.internal:6432/ciam', DATABASE_POOLER: 'transaction' };
    expect(refusal(pooled)).toMatch(/DATABASE_DIRECT_URL/);
    expect(refusal({ DATABASE_POOLER: 'transaction' })).toMatch(/DATABASE_URL/);
    expect(refusal({ ...pooled, DATABASE_POOLER: 'session' })).toMatch(/DATABASE_POOLER/);
    const s = loadSettings({ ...pooled, DATABASE_DIRECT_URL: 'postgres://ciam@db.internal:5432/ciam' });
    expect(s.database.pooler).toBe('transaction');
    expect(s.database.sessionUrl).toBe('postgres://ciam@db.internal:5432/ciam');
  });
});
