/**
 * The customer directory: checks a username and password and says who the customer is and what
 * the journey must know about them. Production: LDAP (`ldap-directory.ts`); development: the demo
 * directory. Implementations throw ProviderUnavailableError when the directory cannot answer.
 */
export interface Directory {
  /**
   * Verifies the password. Unknown user and wrong password both give `{ ok: false }` — the caller
   * cannot and must not tell them apart — after comparable work.
   */
  authenticate(username: string, password: string): Promise<PasswordCheck>;
  /**
   * The customer's current entry by CUPID — how the journey reaches the phone numbers it must not
   * store (a code is sent minutes after the password check). Undefined when no such customer.
   */
  findByCupid(cupid: string): Promise<DirectoryUser | undefined>;
  close?(): Promise<void>;
}

/**
 * `locked`: the password cannot be used now (423 CIAM_E01_01_002): too many failed passwords for
 * this username (said the same way whether or not the username exists), or the directory's own
 * password policy refused it — `lockReason` says which: locked, expired, or to be changed after a
 * reset. This service cannot change passwords, so all three send the customer to the bank's reset.
 */
export type PasswordCheck =
  | { ok: true; user: DirectoryUser }
  | { ok: false; locked?: boolean; lockReason?: 'PASSWORD_LOCKED' | 'PASSWORD_EXPIRED' | 'PASSWORD_MUST_CHANGE' };

export type AccountState =
  | 'ACTIVE'
  | 'PASSWORD_LOCKED'
  | 'DISABLED'
  | 'ENTERPRISE_BLOCKED'
  | 'MFA_LOCKED'
  | 'DECEASED'
  | 'RESTRICTED';

export type MobileApproveStatus = 'NOT_REGISTERED' | 'ENABLED' | 'DISABLED';

export interface Phone {
  /** 1–6, what the customer picks in /auth/mfa/initiate. */
  optionId: number;
  /** The full number, for delivery only; never leaves the service in a response. */
  number: string;
}

export interface DirectoryUser {
  cupid: string;
  state: AccountState;
  mfaRequired: boolean;
  phones: Phone[];
  mobileApproveStatus: MobileApproveStatus;
}

export function lastFour(phone: Phone): string {
  return phone.number.replace(/\D/g, '').slice(-4).padStart(4, '0');
}
