import type { Entry } from 'ldapts';
import { ProviderRefusedError } from '../errors.js';
import type { LdapSettings } from '../../config/ldap.js';
import type { AccountState, DirectoryUser, MobileApproveStatus, Phone } from './port.js';

/** The MFA step offers at most six numbers (mfa_option_id 1–6). */
const MAX_PHONES = 6;

/**
 * Turns a customer's directory entry into the DirectoryUser the journey needs, by the attribute
 * map of the settings. Throws ProviderRefusedError when the entry cannot be read safely (no
 * CUPID, an account state nobody mapped): the login must neither pass nor be refused on a guess.
 * The directory itself answered, so no breaker counts it: one customer's broken entry must not
 * close the directory for everyone.
 * Flags that are merely absent or odd fall back to the stricter answer (MFA required, no push).
 */
export function toDirectoryUser(entry: Entry, settings: LdapSettings): DirectoryUser {
  const values = valuesOf(entry);
  const { attributes } = settings;

  const cupid = values(attributes.cupid)[0]?.trim();
  if (!cupid) throw unreadable(`the customer entry has no ${attributes.cupid} (CUPID)`);
  if (cupid.length > 50) throw unreadable(`the customer's ${attributes.cupid} (CUPID) is longer than 50 characters`);

  return {
    cupid,
    state: accountState(values(attributes.state), settings),
    mfaRequired: mfaRequired(values(attributes.mfaRequired)),
    phones: phones(attributes.phones.flatMap(values)),
    mobileApproveStatus: mobileApprove(values(attributes.mobileApprove)),
  };
}

/** Which state wins when the attribute holds several: the most restrictive. */
const STATE_PRECEDENCE: readonly AccountState[] = [
  'DECEASED',
  'DISABLED',
  'ENTERPRISE_BLOCKED',
  'PASSWORD_LOCKED',
  'MFA_LOCKED',
  'RESTRICTED',
  'ACTIVE',
];

function accountState(raw: string[], settings: LdapSettings): AccountState {
  if (raw.length === 0) return 'ACTIVE';
  const states = raw.map((value) => {
    const state = settings.stateValues.get(value.trim().toLowerCase());
    // An unmapped value may mean "blocked" in someone's vocabulary: never guess ACTIVE.
    if (!state) throw unreadable(`${settings.attributes.state} holds a value not mapped to an account state`);
    return state;
  });
  return STATE_PRECEDENCE.find((s) => states.includes(s)) ?? 'ACTIVE';
}

const FALSE_VALUES = new Set(['false', 'no', '0', 'not_required']);

// Only one unambiguous "no" turns MFA off; anything else keeps the stricter journey.
function mfaRequired(raw: string[]): boolean {
  return !(raw.length === 1 && FALSE_VALUES.has(raw[0]!.trim().toLowerCase()));
}

function mobileApprove(raw: string[]): MobileApproveStatus {
  const value = raw[0]?.trim().toUpperCase();
  return value === 'ENABLED' || value === 'DISABLED' ? value : 'NOT_REGISTERED';
}

function phones(numbers: string[]): Phone[] {
  return numbers
    .map((n) => n.trim())
    .filter((n) => /\d/.test(n))
    .slice(0, MAX_PHONES)
    .map((number, i) => ({ optionId: i + 1, number }));
}

/** Attribute values by case-insensitive name: servers answer in their own spelling of the name. */
function valuesOf(entry: Entry): (attribute: string) => string[] {
  const byName = new Map<string, string[]>();
  for (const [name, value] of Object.entries(entry)) {
    if (name === 'dn') continue;
    const list = Array.isArray(value) ? value : [value];
    byName.set(
      name.toLowerCase(),
      list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v)),
    );
  }
  return (attribute) => byName.get(attribute.toLowerCase()) ?? [];
}

function unreadable(message: string): ProviderRefusedError {
  return new ProviderRefusedError('ldap', 'ENTRY_UNREADABLE', true, message);
}
