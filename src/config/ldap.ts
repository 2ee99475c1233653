import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { AccountState } from '../providers/directory/port.js';
import { flag, list, nonNegativeInt, optionalText, positiveInt, readEnv, refuseInProduction, requiredText, SettingsError, text, type Env } from './fields.js';

/**
 * Settings of the LDAP directory adapter (`CIAM_DIRECTORY=ldap`), read only when it is chosen. The
 * attribute defaults match standard inetOrgPerson attributes and the test directory (test/support/slapd-seed.ts); docs/integrations.md shows a full example.
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
  /** Service-account connections for searches, and how long one may stay unused. */
  pool: { size: number; idleTimeoutMs: number };
  /** Customer-bind connections kept open between logins, and how long one may stay unused. */
  bindPool: { maxIdle: number; idleTimeoutMs: number };
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

// Attribute names go into search requests verbatim; allow only what RFC 4512 allows (name or OID).
const ATTRIBUTE_NAME = /^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)(;[A-Za-z0-9-]+)*$/;

function attributeName(fallback: string) {
  return text(fallback).refine((value) => ATTRIBUTE_NAME.test(value), (value) => ({ message: `is not an LDAP attribute name: "${value}".` }));
}

const needed = (meaning: string) => requiredText({ missing: `is required with CIAM_DIRECTORY=ldap (${meaning}).` });

const LdapEnv = z.object({
  NODE_ENV: optionalText(),
  /** ldap:// or ldaps://, host and optional port; nothing after the port. */
  CIAM_LDAP_URL: needed('ldap://host:389 or ldaps://host:636').refine((url) => /^ldaps?:\/\/[^/?#\s]+\/?$/i.test(url), (url) => ({
    message: `must be ldap://host[:port] or ldaps://host[:port], got "${url}".`,
  })),
  /** The service account that searches for customers (needs read access to the mapped attributes). */
  CIAM_LDAP_BIND_DN: needed('the DN of the service account that searches for customers'),
  /** Its password, given directly or (better for mounted secrets) as a file whose content is the password. */
  CIAM_LDAP_BIND_PASSWORD: z.string().optional(),
  CIAM_LDAP_BIND_PASSWORD_FILE: optionalText(),
  /** Where customers live; searched with scope `sub`. */
  CIAM_LDAP_BASE_DN: needed('the base DN under which customers are searched'),
  /** The attribute that holds the login username (uid for OpenLDAP, sAMAccountName for Active Directory). */
  CIAM_LDAP_USER_FILTER_ATTRIBUTE: attributeName('uid'),
  /** Upgrade an ldap:// connection with the StartTLS operation before any bind. */
  CIAM_LDAP_STARTTLS: flag(false),
  /** A PEM file of the CA(s) that sign the directory's certificate; unset → the system trust store. */
  CIAM_LDAP_TLS_CA_FILE: optionalText(),
  /** The longest a single LDAP operation (bind, search) may take before the directory counts as down. */
  CIAM_LDAP_TIMEOUT_MS: positiveInt(3000),
  /** The longest a TCP (and TLS) connection may take to open. */
  CIAM_LDAP_CONNECT_TIMEOUT_MS: positiveInt(2000),
  /** Service-account connections kept open per instance for searches (LDAP multiplexes requests on each). */
  CIAM_LDAP_POOL_SIZE: positiveInt(4),
  /**
   * A search connection unused this long is closed, and the next search opens a fresh one: below
   * every idle limit between the service and the directory, as for the bind connections below.
   */
  CIAM_LDAP_POOL_IDLE_TIMEOUT_MS: positiveInt(60_000),
  /**
   * Connections for customer binds kept open between logins (a bind needs a connection to itself):
   * as many as the logins an instance has in flight at its peak, so a peak's connections are
   * reused instead of each surplus login opening and closing one. 0: every bind opens its own.
   */
  CIAM_LDAP_BIND_POOL_MAX_IDLE: nonNegativeInt(32),
  /**
   * A bind connection unused this long is closed, so a quiet instance gives its peak's connections
   * back. Below the idle limits of what may sit between the service and the directory (cloud load
   * balancers drop idle TCP after 4–6 minutes, Active Directory after 15), so a reused connection
   * has not been dropped silently on the way.
   */
  CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS: positiveInt(60_000),
  /** The customer's reference id (CUPID), the only user data the service keeps. */
  CIAM_LDAP_CUPID_ATTRIBUTE: attributeName('employeeNumber'),
  /** Phone attributes, comma separated; their values, in order, become mfa_option_id 1, 2, … 6. */
  CIAM_LDAP_PHONE_ATTRIBUTES: list('mobile,telephoneNumber').superRefine((names, ctx) => {
    if (names.length === 0) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'names no attribute.' });
    const bad = names.find((name) => !ATTRIBUTE_NAME.test(name));
    if (bad !== undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `is not a list of LDAP attribute names: "${bad}".` });
  }),
  /** The account state: one of the AccountState names (or a value mapped by CIAM_LDAP_STATE_VALUES). */
  CIAM_LDAP_STATE_ATTRIBUTE: attributeName('employeeType'),
  /** TRUE/FALSE: whether every login needs MFA. Absent or unreadable → MFA required. */
  CIAM_LDAP_MFA_REQUIRED_ATTRIBUTE: attributeName('businessCategory'),
  /** ENABLED / DISABLED / NOT_REGISTERED: push approval on the mobile app. Absent → NOT_REGISTERED. */
  CIAM_LDAP_MOBILE_APPROVE_ATTRIBUTE: attributeName('description'),
  /** Extra `directoryValue=STATE` pairs for directories that spell states their own way. */
  CIAM_LDAP_STATE_VALUES: list(),
});

export function readLdapSettings(env: Env): LdapSettings {
  const e = readEnv(LdapEnv, env);
  const secureUrl = e.CIAM_LDAP_URL.toLowerCase().startsWith('ldaps://');
  if (e.CIAM_LDAP_STARTTLS && secureUrl) {
    throw new SettingsError('CIAM_LDAP_STARTTLS=true makes no sense with an ldaps:// URL (it is already TLS).');
  }
  // Passwords must never cross the network in clear text in production.
  if (e.NODE_ENV === 'production' && !secureUrl && !e.CIAM_LDAP_STARTTLS) {
    refuseInProduction('CIAM_LDAP_URL is plain ldap:// without CIAM_LDAP_STARTTLS=true.');
  }
  if (e.CIAM_LDAP_TLS_CA_FILE && !secureUrl && !e.CIAM_LDAP_STARTTLS) {
    throw new SettingsError('CIAM_LDAP_TLS_CA_FILE is set but TLS is off: use ldaps:// or CIAM_LDAP_STARTTLS=true.');
  }
  return {
    url: e.CIAM_LDAP_URL.replace(/\/$/, ''),
    bindDn: e.CIAM_LDAP_BIND_DN,
    bindPassword: bindPassword(e.CIAM_LDAP_BIND_PASSWORD, e.CIAM_LDAP_BIND_PASSWORD_FILE),
    baseDn: e.CIAM_LDAP_BASE_DN,
    userAttribute: e.CIAM_LDAP_USER_FILTER_ATTRIBUTE,
    startTls: e.CIAM_LDAP_STARTTLS,
    tlsCa: e.CIAM_LDAP_TLS_CA_FILE === undefined ? undefined : readSettingFile('CIAM_LDAP_TLS_CA_FILE', e.CIAM_LDAP_TLS_CA_FILE),
    timeoutMs: e.CIAM_LDAP_TIMEOUT_MS,
    connectTimeoutMs: e.CIAM_LDAP_CONNECT_TIMEOUT_MS,
    pool: { size: e.CIAM_LDAP_POOL_SIZE, idleTimeoutMs: e.CIAM_LDAP_POOL_IDLE_TIMEOUT_MS },
    bindPool: { maxIdle: e.CIAM_LDAP_BIND_POOL_MAX_IDLE, idleTimeoutMs: e.CIAM_LDAP_BIND_POOL_IDLE_TIMEOUT_MS },
    attributes: {
      cupid: e.CIAM_LDAP_CUPID_ATTRIBUTE,
      phones: e.CIAM_LDAP_PHONE_ATTRIBUTES,
      state: e.CIAM_LDAP_STATE_ATTRIBUTE,
      mfaRequired: e.CIAM_LDAP_MFA_REQUIRED_ATTRIBUTE,
      mobileApprove: e.CIAM_LDAP_MOBILE_APPROVE_ATTRIBUTE,
    },
    stateValues: stateValues(e.CIAM_LDAP_STATE_VALUES),
  };
}

function readSettingFile(name: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new SettingsError(`${name} cannot be read: ${(err as Error).message}`);
  }
}

// Taken verbatim (not trimmed): blanks may be part of a password.
function bindPassword(direct: string | undefined, file: string | undefined): string {
  if (direct && file) {
    throw new SettingsError('Set CIAM_LDAP_BIND_PASSWORD or CIAM_LDAP_BIND_PASSWORD_FILE, not both.');
  }
  if (file) {
    // A trailing newline is an artefact of how secret files are written, never part of the password.
    const password = readSettingFile('CIAM_LDAP_BIND_PASSWORD_FILE', file).toString('utf8').replace(/\r?\n$/, '');
    if (password) return password;
    throw new SettingsError('CIAM_LDAP_BIND_PASSWORD_FILE is empty.');
  }
  if (!direct) {
    throw new SettingsError(
      'CIAM_DIRECTORY=ldap needs CIAM_LDAP_BIND_PASSWORD or CIAM_LDAP_BIND_PASSWORD_FILE (the service account password).',
    );
  }
  return direct;
}

function stateValues(pairs: string[]): Map<string, AccountState> {
  const map = new Map<string, AccountState>(ACCOUNT_STATES.map((s) => [s.toLowerCase(), s]));
  for (const pair of pairs) {
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
