import { DEMO_USERS } from '../../src/providers/directory/demo-directory.js';
import type { DirectoryUser } from '../../src/providers/directory/port.js';

/**
 * The test directory's content: the demo directory's customers as inetOrgPerson entries, laid
 * out the way the LDAP adapter's default attribute map reads them:
 *
 *   uid               username                  employeeNumber    CUPID
 *   mobile            phone → mfa_option_id 1   telephoneNumber   further phones → 2, 3, …
 *   employeeType      account state             businessCategory  MFA required (TRUE / FALSE)
 *   description       mobile approve status     userPassword      the demo password ({SSHA})
 */
export const BASE_DN = 'dc=bank,dc=test';
export const CUSTOMERS_DN = `ou=customers,${BASE_DN}`;
export const SERVICE_DN = `cn=ciam-service,ou=services,${BASE_DN}`;

export interface SeedPasswords {
  /** {SSHA} hash of the service account's password. */
  service: string;
  /** {SSHA} hash of the customers' (demo) password. */
  customer: string;
}

export function seedLdif(passwords: SeedPasswords, users: Record<string, DirectoryUser> = DEMO_USERS): string {
  const entries = [
    ldifEntry(BASE_DN, { objectClass: ['dcObject', 'organization'], dc: 'bank', o: 'Test Bank' }),
    ldifEntry(`ou=services,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'services' }),
    ldifEntry(CUSTOMERS_DN, { objectClass: 'organizationalUnit', ou: 'customers' }),
    ldifEntry(SERVICE_DN, {
      objectClass: ['organizationalRole', 'simpleSecurityObject'],
      cn: 'ciam-service',
      userPassword: passwords.service,
    }),
    ...Object.entries(users).map(([username, user]) => customerEntry(username, user, passwords.customer)),
  ];
  return entries.join('\n');
}

export function customerEntry(
  username: string,
  user: DirectoryUser,
  passwordHash: string,
  parentDn: string = CUSTOMERS_DN,
): string {
  const [first, ...others] = user.phones.map((p) => p.number);
  return ldifEntry(`uid=${username},${parentDn}`, {
    objectClass: 'inetOrgPerson',
    uid: username,
    cn: username,
    sn: username,
    employeeNumber: user.cupid,
    employeeType: user.state,
    businessCategory: user.mfaRequired ? 'TRUE' : 'FALSE',
    description: user.mobileApproveStatus,
    mobile: first === undefined ? [] : [first],
    telephoneNumber: others,
    userPassword: passwordHash,
  });
}

export function ldifEntry(dn: string, attributes: Record<string, string | string[]>): string {
  const lines = [`dn: ${dn}`];
  for (const [name, value] of Object.entries(attributes)) {
    for (const v of Array.isArray(value) ? value : [value]) lines.push(`${name}: ${v}`);
  }
  return `${lines.join('\n')}\n`;
}

export const POLICY_DN = `cn=default,ou=policies,${BASE_DN}`;

/** Wrong passwords in a row before the directory's own policy locks an account. */
export const DIRECTORY_MAX_FAILURES = 5;

/**
 * The password policy (slapd ppolicy) and customers in each state it knows, all with the demo
 * password and otherwise ordinary, active, MFA-free entries — only the directory's policy stops them:
 *
 *   dirlockeduser    pwdAccountLockedTime 000001010000Z: locked until an administrator unlocks it
 *   direxpireduser   password changed in 2000, older than pwdMaxAge, no grace logins
 *   dirresetuser     pwdReset TRUE with pwdMustChange: must change the password an administrator set
 *   dirlockmeuser    nothing yet: DIRECTORY_MAX_FAILURES wrong passwords lock it
 */
export function passwordPolicyLdif(customerHash: string): string {
  const customer = (username: string, cupid: string, extra: Record<string, string> = {}) =>
    ldifEntry(`uid=${username},${CUSTOMERS_DN}`, {
      objectClass: 'inetOrgPerson',
      uid: username,
      cn: username,
      sn: username,
      employeeNumber: cupid,
      employeeType: 'ACTIVE',
      businessCategory: 'FALSE',
      userPassword: customerHash,
      ...extra,
    });
  return [
    ldifEntry(`ou=policies,${BASE_DN}`, { objectClass: 'organizationalUnit', ou: 'policies' }),
    ldifEntry(POLICY_DN, {
      objectClass: ['organizationalRole', 'pwdPolicy'],
      cn: 'default',
      pwdAttribute: 'userPassword',
      pwdLockout: 'TRUE',
      pwdMaxFailure: String(DIRECTORY_MAX_FAILURES),
      pwdLockoutDuration: '0',
      pwdMaxAge: String(10 * 365 * 86_400),
      pwdGraceAuthNLimit: '0',
      pwdMustChange: 'TRUE',
    }),
    customer('dirlockeduser', 'CUPID_DIRLOCKED_001', { pwdAccountLockedTime: '000001010000Z' }),
    customer('direxpireduser', 'CUPID_DIREXPIRED_001', { pwdChangedTime: '20000101000000Z' }),
    customer('dirresetuser', 'CUPID_DIRRESET_001', { pwdReset: 'TRUE' }),
    customer('dirlockmeuser', 'CUPID_DIRLOCKME_001'),
  ].join('\n');
}
