/**
 * Every audit event the service writes, with its category and default severity. Adding an event
 * means adding it here; `record` accepts no other names.
 */
export const AUDIT_EVENTS = {
  // Login journey
  LOGIN_FAILED: { category: 'AUTH', severity: 'WARN' },
  LOGIN_DENIED: { category: 'SECURITY', severity: 'WARN' },
  LOGIN_BLOCKED: { category: 'AUTH', severity: 'WARN' },
  LOGIN_SUCCESS: { category: 'AUTH', severity: 'INFO' },
  LOGIN_TRUSTED_DEVICE: { category: 'AUTH', severity: 'INFO' },
  LOGIN_MFA_REQUIRED: { category: 'AUTH', severity: 'INFO' },
  LOGIN_RATE_LIMITED: { category: 'SECURITY', severity: 'WARN' },
  JOURNEY_FAILED: { category: 'AUTH', severity: 'WARN' },
  DRS_EVALUATION: { category: 'SECURITY', severity: 'INFO' },
  DRS_DEGRADED: { category: 'SECURITY', severity: 'WARN' },
  /** No drs_action_token, or one the risk service rejected: the login stands in as CHALLENGE. */
  DRS_TOKEN_UNVERIFIED: { category: 'SECURITY', severity: 'WARN' },
  // MFA
  MFA_CHALLENGE_SENT: { category: 'MFA', severity: 'INFO' },
  MFA_CHALLENGE_RESENT: { category: 'MFA', severity: 'INFO' },
  MFA_DELIVERY_FAILED: { category: 'MFA', severity: 'ERROR' },
  /** The provider's answer to the send never came; the code may have been delivered, so the step stays. */
  MFA_DELIVERY_UNCONFIRMED: { category: 'MFA', severity: 'WARN' },
  /** The provider refused the phone for good (invalid, opted out, unreachable): that option is withdrawn. */
  MFA_CHANNEL_REFUSED: { category: 'MFA', severity: 'WARN' },
  MFA_VERIFY_SUCCESS: { category: 'MFA', severity: 'INFO' },
  MFA_VERIFY_FAILED: { category: 'MFA', severity: 'WARN' },
  MFA_LOCKED: { category: 'SECURITY', severity: 'ERROR' },
  MFA_CODE_CAP_REACHED: { category: 'SECURITY', severity: 'WARN' },
  MFA_PUSH_SENT: { category: 'MFA', severity: 'INFO' },
  MFA_PUSH_APPROVED: { category: 'MFA', severity: 'INFO' },
  MFA_PUSH_REJECTED: { category: 'MFA', severity: 'WARN' },
  MFA_PUSH_APPROVAL_REFUSED: { category: 'SECURITY', severity: 'WARN' },
  // eSign
  ESIGN_PRESENTED: { category: 'ESIGN', severity: 'INFO' },
  ESIGN_ACCEPTED: { category: 'ESIGN', severity: 'INFO' },
  ESIGN_DECLINED: { category: 'ESIGN', severity: 'WARN' },
  // Devices
  DEVICE_BIND_OFFERED: { category: 'DEVICE', severity: 'INFO' },
  DEVICE_BIND_ACCEPTED: { category: 'DEVICE', severity: 'INFO' },
  DEVICE_BIND_DECLINED: { category: 'DEVICE', severity: 'INFO' },
  DEVICE_REVOKED: { category: 'DEVICE', severity: 'WARN' },
  // Sessions and tokens
  SESSION_REVOKED: { category: 'SESSION', severity: 'WARN' },
  SESSION_LOGGED_OUT: { category: 'SESSION', severity: 'INFO' },
  TOKEN_ISSUED: { category: 'TOKEN', severity: 'INFO' },
  TOKEN_REFRESHED: { category: 'TOKEN', severity: 'INFO' },
  TOKEN_REFRESH_GRACE: { category: 'TOKEN', severity: 'INFO' },
  TOKEN_REUSE_DETECTED: { category: 'SECURITY', severity: 'CRITICAL' },
  SIGNING_KEY_ROTATED: { category: 'SECURITY', severity: 'WARN' },
  // Agents and operations
  AGENT_ACCESS: { category: 'SECURITY', severity: 'INFO' },
  PASSWORD_UNLOCKED: { category: 'SECURITY', severity: 'WARN' },
  RATE_LIMITED: { category: 'SECURITY', severity: 'WARN' },
} as const satisfies Record<string, { category: AuditCategory; severity: AuditSeverity }>;

export type AuditCategory = 'AUTH' | 'MFA' | 'ESIGN' | 'DEVICE' | 'TOKEN' | 'SESSION' | 'SECURITY';
export type AuditSeverity = 'INFO' | 'WARN' | 'ERROR' | 'CRITICAL';
export type AuditEventType = keyof typeof AUDIT_EVENTS;
