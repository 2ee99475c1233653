import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../src/config/settings.js';
import { readLdapSettings } from '../../src/config/ldap.js';

const minimal = {
  CIAM_LDAP_URL: 'ldap://ldap.bank.test:389',
  CIAM_LDAP_BIND_DN: 'cn=ciam-service,ou=services,dc=bank,dc=test',
  CIAM_LDAP_BIND_PASSWORD: 'service-secret',
  CIAM_LDAP_BASE_DN: 'ou=customers,dc=bank,dc=test',
};

describe('LDAP settings', () => {
  it('fills every default from the documented attribute map', () => {
    const s = readLdapSettings(minimal);
    expect(s).toMatchObject({
      url: 'ldap://ldap.bank.test:389',
      userAttribute: 'uid',
      startTls: false,
      timeoutMs: 3000,
      connectTimeoutMs: 2000,
      pool: { size: 4, idleTimeoutMs: 60_000 },
      bindPool: { maxIdle: 32, idleTimeoutMs: 60_000 },
      attributes: {
        cupid: 'employeeNumber',
        phones: ['mobile', 'telephoneNumber'],
        state: 'employeeType',
        mfaRequired: 'businessCategory',
        mobileApprove: 'description',
      },
    });
    expect(s.stateValues.get('password_locked')).toBe('PASSWORD_LOCKED');
  });

  it.each(['CIAM_LDAP_URL', 'CIAM_LDAP_BIND_DN', 'CIAM_LDAP_BASE_DN', 'CIAM_LDAP_BIND_PASSWORD'])('names %s when it is missing', (name) => {
    const env: Record<string, string | undefined> = { ...minimal, [name]: undefined };
    expect(() => readLdapSettings(env)).toThrow(SettingsError);
    expect(() => readLdapSettings(env)).toThrow(name);
  });

  it('reads the service password from a file, without its trailing newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ciam-ldap-'));
    try {
      const file = join(dir, 'password');
      writeFileSync(file, 'from-a-file\n');
      const s = readLdapSettings({ ...minimal, CIAM_LDAP_BIND_PASSWORD: undefined, CIAM_LDAP_BIND_PASSWORD_FILE: file });
      expect(s.bindPassword).toBe('from-a-file');
      expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_BIND_PASSWORD_FILE: file })).toThrow(/not both/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses URLs that are not ldap:// or ldaps://', () => {
    for (const url of ['http://ldap.bank.test', 'ldap://ldap.bank.test/dc=bank??sub', 'ldap.bank.test:389']) {
      expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_URL: url })).toThrow(/CIAM_LDAP_URL/);
    }
    expect(readLdapSettings({ ...minimal, CIAM_LDAP_URL: 'ldaps://ldap.bank.test/' }).url).toBe('ldaps://ldap.bank.test');
  });

  it('refuses clear-text LDAP in production, and StartTLS on top of ldaps://', () => {
    expect(() => readLdapSettings({ ...minimal, NODE_ENV: 'production' })).toThrow(/production/);
    expect(readLdapSettings({ ...minimal, NODE_ENV: 'production', CIAM_LDAP_STARTTLS: 'true' }).startTls).toBe(true);
    expect(readLdapSettings({ ...minimal, NODE_ENV: 'production', CIAM_LDAP_URL: 'ldaps://ldap.bank.test' }).startTls).toBe(false);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_URL: 'ldaps://ldap.bank.test', CIAM_LDAP_STARTTLS: 'true' })).toThrow(/STARTTLS/);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_STARTTLS: 'yes' })).toThrow(/true or false/);
  });

  it('reads a CA file only for TLS connections, and says when it cannot', () => {
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_TLS_CA_FILE: '/etc/hostname' })).toThrow(/TLS is off/);
    expect(() =>
      readLdapSettings({ ...minimal, CIAM_LDAP_STARTTLS: 'true', CIAM_LDAP_TLS_CA_FILE: '/no/such/ca.pem' }),
    ).toThrow(/CIAM_LDAP_TLS_CA_FILE cannot be read/);
  });

  it('checks numbers, attribute names and state values', () => {
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_TIMEOUT_MS: '0' })).toThrow(/CIAM_LDAP_TIMEOUT_MS/);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_CONNECT_TIMEOUT_MS: 'soon' })).toThrow(/CIAM_LDAP_CONNECT_TIMEOUT_MS/);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_BIND_POOL_MAX_IDLE: '-1' })).toThrow(/CIAM_LDAP_BIND_POOL_MAX_IDLE/);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS: '0' })).toThrow(/CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS/);
    expect(readLdapSettings({ ...minimal, CIAM_LDAP_BIND_POOL_MAX_IDLE: '0', CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS: '300000' }).bindPool).toEqual({
      maxIdle: 0,
      idleTimeoutMs: 300_000,
    });
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_POOL_IDLE_TIMEOUT_MS: '0' })).toThrow(/CIAM_LDAP_POOL_IDLE_TIMEOUT_MS/);
    expect(readLdapSettings({ ...minimal, CIAM_LDAP_POOL_SIZE: '2', CIAM_LDAP_POOL_IDLE_TIMEOUT_MS: '240000' }).pool).toEqual({ size: 2, idleTimeoutMs: 240_000 });
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_USER_FILTER_ATTRIBUTE: 'uid)(objectClass=*' })).toThrow(/attribute name/);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_PHONE_ATTRIBUTES: ' , ' })).toThrow(/CIAM_LDAP_PHONE_ATTRIBUTES/);
    expect(() => readLdapSettings({ ...minimal, CIAM_LDAP_STATE_VALUES: 'gone=VANISHED' })).toThrow(/CIAM_LDAP_STATE_VALUES/);
    const s = readLdapSettings({
      ...minimal,
      CIAM_LDAP_USER_FILTER_ATTRIBUTE: 'sAMAccountName',
      CIAM_LDAP_PHONE_ATTRIBUTES: 'mobile, homePhone ,pager',
      CIAM_LDAP_STATE_VALUES: 'locked=password_locked, Inactive=DISABLED',
    });
    expect(s.userAttribute).toBe('sAMAccountName');
    expect(s.attributes.phones).toEqual(['mobile', 'homePhone', 'pager']);
    expect(s.stateValues.get('locked')).toBe('PASSWORD_LOCKED');
    expect(s.stateValues.get('inactive')).toBe('DISABLED');
  });
});
