import { readFileSync } from 'node:fs';
import { SettingsError, type Env } from '../../config/settings.js';
import type { AccountState } from './port.js';

/**
 * Settings of the LDAP directory adapter (`CIAM_DIRECTORY=ldap`), read from its own environment
 * variables. The attribute defaults match standard inetOrgPerson attributes and the test
 * directory (test/support/slapd-seed.ts); docs/integrations.md shows a full example.
 */
export interface LdapSettings {
  url: string;
  bindDn: string;
  bindPassword: string;
  baseDn: string;
  userAttribute: string;
  startTls: boolean;
  /** PEM CA bundle that signs the server certificate; unset → the system trust store. */
  tlsCa?: Buffer;
  timeoutMs: number;
  connectTimeoutMs: number;
  poolSize: number;
  attributes: LdapAttributeMap;
  /** Lower-cased directory value → account state. */
  stateValues: Map<string, AccountState>;
}

export interface LdapAttributeMap {
  cupid: string;
  /** Numbers from these attributes, in this order, become MFA options 1–6. */
  phones: string[];
  state: string;
  mfaRequired: string;
  mobileApprove: string;
}

const ACCOUNT_STATES: readonly AccountState[] = [
  'ACTIVE',
  'PASSWORD_LOCKED',
  'DISABLED',
  'ENTERPRISE_BLOCKED',
  'MFA_LOCKED',
  'DECEASED',
  'RESTRICTED',
];

/** The MFA step offers at most six numbers (mfa_option_id 1–6). */
export const MAX_PHONES = 6;

export function readLdapSettings(env: Env): LdapSettings {
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value ? value : undefined;
  };
  const required = (name: string, meaning: string): string => {
    const value = read(name);
    if (!value) throw new SettingsError(`CIAM_DIRECTORY=ldap needs ${name} (${meaning}).`);
    return value;
  };

  // ldap:// or ldaps://, host and optional port; nothing after the port.
  const url = required('CIAM_LDAP_URL', 'ldap://host:389 or ldaps://host:636');
  if (!/^ldaps?:\/\/[^/?#\s]+\/?$/i.test(url)) {
    throw new SettingsError(`CIAM_LDAP_URL must be ldap://host[:port] or ldaps://host[:port], got "${url}".`);
  }
  const secureUrl = url.toLowerCase().startsWith('ldaps://');

  // The service account that searches for customers (needs read access to the mapped attributes).
  const bindDn = required('CIAM_LDAP_BIND_DN', 'the DN of the service account that searches for customers');
  // Its password, given directly or (better for mounted secrets) as a file whose content is the password.
  const bindPassword = readBindPassword(env, read);
  // Where customers live; searched with scope `sub`.
  const baseDn = required('CIAM_LDAP_BASE_DN', 'the base DN under which customers are searched');
  // The attribute that holds the login username (uid for OpenLDAP, sAMAccountName for Active Directory).
  const userAttribute = read('CIAM_LDAP_USER_FILTER_ATTRIBUTE') ?? 'uid';
  assertAttributeName('CIAM_LDAP_USER_FILTER_ATTRIBUTE', userAttribute);

  // Upgrade an ldap:// connection with the StartTLS operation before any bind.
  const startTls = flag(env, 'CIAM_LDAP_STARTTLS', false);
  if (startTls && secureUrl) {
    throw new SettingsError('CIAM_LDAP_STARTTLS=true makes no sense with an ldaps:// URL (it is already TLS).');
  }
  // Passwords must never cross the network in clear text in production.
  if (env.NODE_ENV === 'production' && !secureUrl && !startTls) {
    throw new SettingsError('Refusing to start in production: CIAM_LDAP_URL is plain ldap:// without CIAM_LDAP_STARTTLS=true.');
  }
  // A PEM file of the CA(s) that sign the directory's certificate; unset → the system trust store.
  const caFile = read('CIAM_LDAP_TLS_CA_FILE');
  let tlsCa: Buffer | undefined;
  if (caFile) {
    if (!secureUrl && !startTls) {
      throw new SettingsError('CIAM_LDAP_TLS_CA_FILE is set but TLS is off: use ldaps:// or CIAM_LDAP_STARTTLS=true.');
    }
    try {
      tlsCa = readFileSync(caFile);
    } catch (err) {
      throw new SettingsError(`CIAM_LDAP_TLS_CA_FILE cannot be read: ${(err as Error).message}`);
    }
  }

  // The longest a single LDAP operation (bind, search) may take before the directory counts as down.
  const timeoutMs = positiveInt(env, 'CIAM_LDAP_TIMEOUT_MS', 3000);
  // The longest a TCP (and TLS) connection may take to open.
  const connectTimeoutMs = positiveInt(env, 'CIAM_LDAP_CONNECT_TIMEOUT_MS', 2000);
  // Connections kept open per instance: this many service-account connections for searches, and
  // up to this many idle connections for customer binds.
  const poolSize = positiveInt(env, 'CIAM_LDAP_POOL_SIZE', 4);

  const attribute = (name: string, fallback: string): string => {
    const value = read(name) ?? fallback;
    assertAttributeName(name, value);
    return value;
  };
  const attributes: LdapAttributeMap = {
    // The customer's reference id (CUPID), the only user data the service keeps.
    cupid: attribute('CIAM_LDAP_CUPID_ATTRIBUTE', 'employeeNumber'),
    // Phone attributes, comma separated; their values, in order, become mfa_option_id 1, 2, … 6.
    phones: phoneAttributes(read('CIAM_LDAP_PHONE_ATTRIBUTES') ?? 'mobile,telephoneNumber'),
    // The account state: one of the AccountState names (or a value mapped by CIAM_LDAP_STATE_VALUES).
    state: attribute('CIAM_LDAP_STATE_ATTRIBUTE', 'employeeType'),
    // TRUE/FALSE: whether every login needs MFA. Absent or unreadable → MFA required.
    mfaRequired: attribute('CIAM_LDAP_MFA_REQUIRED_ATTRIBUTE', 'businessCategory'),
    // ENABLED / DISABLED / NOT_REGISTERED: push approval on the mobile app. Absent → NOT_REGISTERED.
    mobileApprove: attribute('CIAM_LDAP_MOBILE_APPROVE_ATTRIBUTE', 'description'),
  };

  // Extra `directoryValue=STATE` pairs for directories that spell states their own way.
  const stateValues = parseStateValues(read('CIAM_LDAP_STATE_VALUES'));

  return {
    url: url.replace(/\/$/, ''),
    bindDn,
    bindPassword,
    baseDn,
    userAttribute,
    startTls,
    tlsCa,
    timeoutMs,
    connectTimeoutMs,
    poolSize,
    attributes,
    stateValues,
  };
}

function readBindPassword(env: Env, read: (name: string) => string | undefined): string {
  const direct = env.CIAM_LDAP_BIND_PASSWORD;
  const file = read('CIAM_LDAP_BIND_PASSWORD_FILE');
  if (direct && file) {
    throw new SettingsError('Set CIAM_LDAP_BIND_PASSWORD or CIAM_LDAP_BIND_PASSWORD_FILE, not both.');
  }
  if (file) {
    try {
      // A trailing newline is an artefact of how secret files are written, never part of the password.
      const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
      if (password) return password;
    } catch (err) {
      throw new SettingsError(`CIAM_LDAP_BIND_PASSWORD_FILE cannot be read: ${(err as Error).message}`);
    }
    throw new SettingsError('CIAM_LDAP_BIND_PASSWORD_FILE is empty.');
  }
  if (!direct) {
    throw new SettingsError(
      'CIAM_DIRECTORY=ldap needs CIAM_LDAP_BIND_PASSWORD or CIAM_LDAP_BIND_PASSWORD_FILE (the service account password).',
    );
  }
  return direct;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (!value) return fallback;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new SettingsError(`${name} must be true or false, got "${env[name]}".`);
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const value = env[name]?.trim();
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) <= 0) {
    throw new SettingsError(`${name} must be a positive whole number, got "${value}".`);
  }
  return Number(value);
}

// Attribute names go into search requests verbatim; allow only what RFC 4512 allows (name or OID).
function assertAttributeName(setting: string, value: string): void {
  if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)(;[A-Za-z0-9-]+)*$/.test(value)) {
    throw new SettingsError(`${setting} is not an LDAP attribute name: "${value}".`);
  }
}

function phoneAttributes(value: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new SettingsError('CIAM_LDAP_PHONE_ATTRIBUTES names no attribute.');
  for (const name of names) assertAttributeName('CIAM_LDAP_PHONE_ATTRIBUTES', name);
  return names;
}

function parseStateValues(value: string | undefined): Map<string, AccountState> {
  const map = new Map<string, AccountState>(ACCOUNT_STATES.map((s) => [s.toLowerCase(), s]));
  for (const pair of (value ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = pair.lastIndexOf('=');
    const directoryValue = pair.slice(0, at).trim();
    const state = pair.slice(at + 1).trim().toUpperCase() as AccountState;
    if (at <= 0 || !ACCOUNT_STATES.includes(state)) {
      throw new SettingsError(
        `CIAM_LDAP_STATE_VALUES must be \`value=STATE,…\` with STATE one of ${ACCOUNT_STATES.join(', ')}; got "${pair}".`,
      );
    }
    map.set(directoryValue.toLowerCase(), state);
  }
  return map;
}
