import { Control, type BerReader } from 'ldapts';

/**
 * The password policy control of draft-behera-ldap-password-policy (slapd's ppolicy overlay,
 * OpenDJ, 389-ds and others). Sent with a customer's bind, it asks the directory to say WHY a bind
 * failed or what must happen next: account locked, password expired, must change after a reset.
 * ldapts ships no class for it; ldapts parses a response control of an unknown type into the
 * request control of the same OID, so this class both asks (no value) and reads the answer.
 * Use a new instance per bind: the answer is written into it.
 *
 *   PasswordPolicyResponseValue ::= SEQUENCE {
 *     warning [0] CHOICE { timeBeforeExpiration [0] INTEGER, graceAuthNsRemaining [1] INTEGER } OPTIONAL,
 *     error   [1] ENUMERATED { passwordExpired (0), accountLocked (1), changeAfterReset (2), … } OPTIONAL }
 *
 * The value is decoded with ldapts' own BER reader; only the walk over these two optional,
 * context-tagged fields is ours.
 */
export class PasswordPolicyControl extends Control {
  static readonly type = '1.3.6.1.4.1.42.2.27.8.5.1';

  /** Set when the directory answered with the control. */
  answered = false;
  error?: PasswordPolicyError;
  timeBeforeExpiration?: number;
  graceAuthNsRemaining?: number;

  constructor() {
    super(PasswordPolicyControl.type, { critical: false });
  }

  override parseControl(reader: BerReader): void {
    this.answered = true;
    if (reader.readSequence(0x30) === null) return;
    const end = reader.offset + reader.length;
    while (reader.offset < end) {
      const tag = reader.peek();
      if (tag === WARNING) {
        reader.readSequence(WARNING);
        const choice = reader.peek();
        if (choice === TIME_BEFORE_EXPIRATION) this.timeBeforeExpiration = reader.readTag(TIME_BEFORE_EXPIRATION) ?? undefined;
        else if (choice === GRACE_AUTHNS_REMAINING) this.graceAuthNsRemaining = reader.readTag(GRACE_AUTHNS_REMAINING) ?? undefined;
        else return;
      } else if (tag === ERROR) {
        const code = reader.readTag(ERROR);
        this.error = code === null ? undefined : (ERRORS[code] ?? 'other');
      } else {
        return; // Something this draft does not define: keep what was read.
      }
    }
  }
}

export type PasswordPolicyError = 'passwordExpired' | 'accountLocked' | 'changeAfterReset' | 'other';

const WARNING = 0xa0; // [0] constructed
const TIME_BEFORE_EXPIRATION = 0x80; // [0] primitive
const GRACE_AUTHNS_REMAINING = 0x81; // [1] primitive
const ERROR = 0x81; // [1] primitive (ENUMERATED)

const ERRORS: Record<number, PasswordPolicyError> = { 0: 'passwordExpired', 1: 'accountLocked', 2: 'changeAfterReset' };

