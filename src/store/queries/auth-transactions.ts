import type { Queryable } from '../database.js';

export type StepType = 'MFA_INITIATE' | 'MFA_VERIFY' | 'MFA_PUSH_VERIFY' | 'ESIGN_PRESENT' | 'ESIGN_ACCEPT' | 'DEVICE_BIND';
export type StepStatus = 'PENDING' | 'CONSUMED' | 'EXPIRED' | 'REJECTED';
export type StepPhase = 'MFA' | 'ESIGN' | 'DEVICE_BIND';

export interface MfaOption {
  value: string;
  mfa_option_id: number;
}

export interface StepRow {
  transaction_id: string;
  context_id: string;
  parent_transaction_id: string | null;
  transaction_type: StepType;
  transaction_status: StepStatus;
  sequence_number: number;
  phase: StepPhase;
  mfa_method: 'sms' | 'voice' | 'push' | null;
  mfa_option_id: number | null;
  mfa_options: MfaOption[] | null;
  mobile_approve_status: 'NOT_REGISTERED' | 'ENABLED' | 'DISABLED' | null;
  display_number: number | null;
  selected_number: number | null;
  verification_result: 'CORRECT' | 'INCORRECT' | 'TIMEOUT' | 'APPROVED' | 'REJECTED' | null;
  attempt_number: number | null;
  otp_code_hash: string | null;
  approval_secret_hash: string | null;
  esign_document_id: string | null;
  esign_action: 'PRESENTED' | 'ACCEPTED' | 'DECLINED' | null;
  device_bind_decision: 'OFFERED' | 'ACCEPTED' | 'DECLINED' | null;
  consumed_at: Date | null;
  created_at: Date;
  expires_at: Date;
  /** Computed by the database clock: past its expiry. */
  is_expired: boolean;
}

const STEP_COLUMNS = [
  'transaction_id', 'context_id', 'parent_transaction_id', 'transaction_type', 'transaction_status', 'sequence_number',
  'phase', 'mfa_method', 'mfa_option_id', 'mfa_options', 'mobile_approve_status', 'display_number', 'selected_number',
  'verification_result', 'attempt_number', 'otp_code_hash', 'approval_secret_hash', 'esign_document_id', 'esign_action',
  'device_bind_decision', 'consumed_at', 'created_at', 'expires_at',
] as const;

/**
 * The columns of a StepRow by name, not `*`: a named statement's result must keep its shape when a
 * later migration adds a column while this version still runs. Of the table, or of `t` (the row
 * type under another name) with each output name prefixed by `as` — to tell them from another
 * row's columns in the same result.
 */
export const stepColumns = (t = '', as = '') => {
  const c = t ? `${t}.` : '';
  return [...STEP_COLUMNS.map((k) => `${c}${k} AS "${as}${k}"`), `(${c}expires_at <= now()) AS "${as}is_expired"`].join(', ');
};
const returning = stepColumns();

export interface NewStep {
  /** Set when the caller needs the id before the row exists (a code's hash is bound to it). */
  transactionId?: string;
  contextId: string;
  parentTransactionId: string | null;
  type: StepType;
  phase: StepPhase;
  ttlSeconds: number;
  mfaMethod?: 'sms' | 'voice' | 'push';
  mfaOptionId?: number;
  mfaOptions?: MfaOption[];
  mobileApproveStatus?: string;
  displayNumber?: number;
  attemptNumber?: number;
  otpCodeHash?: string;
  approvalSecretHash?: string;
  esignDocumentId?: string;
  esignAction?: 'PRESENTED';
  deviceBindDecision?: 'OFFERED';
}

/**
 * Opens the next step of a journey: sequence number one past the journey's highest. The partial
 * unique index on (context_id) WHERE PENDING refuses a second open step (SQLSTATE 23505).
 */
export async function insertStep(db: Queryable, s: NewStep): Promise<StepRow> {
  const { rows } = await db.query<StepRow>(
    `INSERT INTO auth_transactions (transaction_id, context_id, parent_transaction_id, transaction_type, phase, sequence_number,
       expires_at, mfa_method, mfa_option_id, mfa_options, mobile_approve_status, display_number, attempt_number,
       otp_code_hash, approval_secret_hash, esign_document_id, esign_action, device_bind_decision)
     VALUES (coalesce($17::uuid, gen_random_uuid()), $1, $2, $3, $4,
       (SELECT coalesce(max(sequence_number), 0) + 1 FROM auth_transactions WHERE context_id = $1),
       now() + make_interval(secs => $5), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
     RETURNING ${returning}`,
    [
      s.contextId,
      s.parentTransactionId,
      s.type,
      s.phase,
      s.ttlSeconds,
      s.mfaMethod ?? null,
      s.mfaOptionId ?? null,
      s.mfaOptions ? JSON.stringify(s.mfaOptions) : null,
      s.mobileApproveStatus ?? null,
      s.displayNumber ?? null,
      s.attemptNumber ?? null,
      s.otpCodeHash ?? null,
      s.approvalSecretHash ?? null,
      s.esignDocumentId ?? null,
      s.esignAction ?? null,
      s.deviceBindDecision ?? null,
      s.transactionId ?? null,
    ],
  );
  return rows[0]!;
}

export async function findStep(db: Queryable, transactionId: string): Promise<StepRow | undefined> {
  const { rows } = await db.query<StepRow>({
    name: 'step_find',
    text: `SELECT ${returning} FROM auth_transactions WHERE transaction_id = $1`,
    values: [transactionId],
  });
  return rows[0];
}

export interface StepOutcomeFields {
  mfaMethod?: string;
  mfaOptionId?: number;
  verificationResult?: StepRow['verification_result'];
  selectedNumber?: number;
  esignAction?: 'ACCEPTED' | 'DECLINED';
  deviceBindDecision?: 'ACCEPTED' | 'DECLINED';
}

/**
 * The single-use guarantee: closes the step only if it is still PENDING, unexpired and (for a
 * push) in the expected verification state. Of any number of concurrent callers exactly one gets
 * the row back; the rest get undefined and nothing changes.
 */
export async function closeStep(
  db: Queryable,
  transactionId: string,
  to: 'CONSUMED' | 'REJECTED' | 'EXPIRED',
  fields: StepOutcomeFields,
  require: { verificationResult?: 'APPROVED' | null } = {},
): Promise<StepRow | undefined> {
  const { rows } = await db.query<StepRow>(
    `UPDATE auth_transactions SET
       transaction_status = $2::transaction_status, consumed_at = now(),
       mfa_method = coalesce($3, mfa_method), mfa_option_id = coalesce($4, mfa_option_id),
       verification_result = coalesce($5, verification_result), selected_number = coalesce($6, selected_number),
       esign_action = coalesce($7, esign_action), device_bind_decision = coalesce($8, device_bind_decision)
     WHERE transaction_id = $1 AND transaction_status = 'PENDING' AND expires_at > now()
       AND ($9::boolean IS FALSE OR verification_result IS NOT DISTINCT FROM $10::varchar)
     RETURNING ${returning}`,
    [
      transactionId,
      to,
      fields.mfaMethod ?? null,
      fields.mfaOptionId ?? null,
      fields.verificationResult ?? null,
      fields.selectedNumber ?? null,
      fields.esignAction ?? null,
      fields.deviceBindDecision ?? null,
      require.verificationResult !== undefined,
      require.verificationResult ?? null,
    ],
  );
  return rows[0];
}

/** The phone's approval: marks a pending, unanswered push step APPROVED; it stays PENDING until the browser collects it. */
export async function markPushApproved(db: Queryable, transactionId: string, selectedNumber: number): Promise<StepRow | undefined> {
  const { rows } = await db.query<StepRow>(
    `UPDATE auth_transactions SET verification_result = 'APPROVED', selected_number = $2
     WHERE transaction_id = $1 AND transaction_status = 'PENDING' AND expires_at > now()
       AND transaction_type = 'MFA_PUSH_VERIFY' AND verification_result IS NULL
     RETURNING ${returning}`,
    [transactionId, selectedNumber],
  );
  return rows[0];
}

/** Closes whatever step is still open in a journey (a resumed login supersedes it). */
export async function expireOpenSteps(db: Queryable, contextId: string): Promise<StepRow[]> {
  const { rows } = await db.query<StepRow>(
    `UPDATE auth_transactions SET transaction_status = 'EXPIRED', consumed_at = now()
     WHERE context_id = $1 AND transaction_status = 'PENDING'
     RETURNING ${returning}`,
    [contextId],
  );
  return rows;
}

export async function stepsOfJourney(db: Queryable, contextId: string): Promise<StepRow[]> {
  const { rows } = await db.query<StepRow>(
    `SELECT ${returning} FROM auth_transactions WHERE context_id = $1 ORDER BY sequence_number`,
    [contextId],
  );
  return rows;
}

/** Counts one wrong approval secret presented for a push step; returns the step's count so far. */
export async function countWrongSecret(db: Queryable, transactionId: string): Promise<number> {
  const { rows } = await db.query<{ wrong_secrets: number }>(
    `UPDATE auth_transactions SET wrong_secrets = wrong_secrets + 1 WHERE transaction_id = $1 RETURNING wrong_secrets`,
    [transactionId],
  );
  return rows[0]?.wrong_secrets ?? 0;
}
