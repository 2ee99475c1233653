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
