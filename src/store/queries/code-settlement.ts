import type { Queryable } from '../database.js';
import { auditInsert, type AuditEventColumns } from './audit-logs.js';

/**
 * A one-time code's verdict in one statement, with the journey already locked: unless the
 * customer's MFA is locked, the step is consumed as CORRECT or INCORRECT (only if still PENDING and
 * unexpired, so it stays single-use), the customer's run of wrong codes is cleared or counted, and
 * the audit row is written: one round trip where separate statements took five, and the check of
 * the MFA lock reads the same snapshot as the change it guards.
 */
const SETTLE = `
WITH lockout AS (
  SELECT EXISTS (SELECT FROM mfa_lockouts WHERE cupid = $2 AND locked_until > now()) AS locked
), closed AS (
  UPDATE auth_transactions SET transaction_status = 'CONSUMED', consumed_at = now(), verification_result = $3
  WHERE transaction_id = $1 AND transaction_status = 'PENDING' AND expires_at > now()
    AND $4::boolean AND NOT (SELECT locked FROM lockout)
  RETURNING transaction_id
), cleared AS (
  UPDATE mfa_counters SET wrong_codes = 0, last_wrong_at = NULL
  WHERE cupid = $2 AND wrong_codes > 0 AND $3 = 'CORRECT' AND EXISTS (SELECT FROM closed)
), counted AS (
  INSERT INTO mfa_counters AS c (cupid, wrong_codes, last_wrong_at)
  SELECT $2, 1, now() FROM closed WHERE $3 = 'INCORRECT'
  ON CONFLICT (cupid) DO UPDATE SET wrong_codes = c.wrong_codes + 1, last_wrong_at = now()
  RETURNING wrong_codes
), a AS (
  ${auditInsert(
    {
      eventType: '$5',
      category: '$6',
      severity: '$7::event_severity',
      cupid: '$2',
      contextId: '$8::uuid',
      transactionId: 'closed.transaction_id',
      sessionId: 'NULL::uuid',
      correlationId: '$9::uuid',
      ipAddress: '$10::inet',
      userAgent: '$11',
      data: '$12::jsonb',
    },
    (expressions) => `SELECT ${expressions} FROM closed`,
  )}
)
SELECT (SELECT locked FROM lockout) AS mfa_locked, EXISTS (SELECT FROM closed) AS closed,
       (SELECT wrong_codes FROM counted) AS wrong_codes`;

export interface CodeSettlement {
  transactionId: string;
  contextId: string;
  cupid: string;
  correct: boolean;
  /** False leaves everything as it was (the caller found the verdict changed since its first look). */
  proceed: boolean;
  /** MFA_VERIFY_SUCCESS or MFA_VERIFY_FAILED. */
  audit: AuditEventColumns & {
    correlationId: string | null;
    ipAddress: string | null;
    userAgent: string | null;
    dataJson: string;
  };
}

export interface SettledCode {
  /** The customer's MFA was locked: nothing was changed. */
  mfaLocked: boolean;
  /** The step was consumed (false: it was no longer open, or `proceed` was false). */
  closed: boolean;
  /** For a wrong code that was counted: the customer's consecutive wrong codes, this one included. */
  wrongCodes: number | null;
}

export async function settleCode(db: Queryable, s: CodeSettlement): Promise<SettledCode> {
  const { rows } = await db.query<{ mfa_locked: boolean; closed: boolean; wrong_codes: number | null }>({
    name: 'otp_settle',
    text: SETTLE,
    values: [
      s.transactionId,
      s.cupid,
      s.correct ? 'CORRECT' : 'INCORRECT',
      s.proceed,
      s.audit.eventType,
      s.audit.category,
      s.audit.severity,
      s.contextId,
      s.audit.correlationId,
      s.audit.ipAddress,
      s.audit.userAgent,
      s.audit.dataJson,
    ],
  });
  const row = rows[0]!;
  return { mfaLocked: row.mfa_locked, closed: row.closed, wrongCodes: row.wrong_codes };
}
