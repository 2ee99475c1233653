import { onAuditRecorded, type AuditEntry } from '../audit/record.js';
import { AUDIT_EVENTS } from '../audit/events.js';
import { ciamMetrics } from './metrics.js';

/** Login outcome per audit event: what "logins by outcome" counts. */
const LOGIN_OUTCOMES: Partial<Record<AuditEntry['type'], string>> = {
  LOGIN_SUCCESS: 'success',
  LOGIN_TRUSTED_DEVICE: 'trusted_device',
  LOGIN_MFA_REQUIRED: 'step_up',
  LOGIN_FAILED: 'failed',
  LOGIN_DENIED: 'denied',
  LOGIN_BLOCKED: 'blocked',
  LOGIN_RATE_LIMITED: 'rate_limited',
  JOURNEY_FAILED: 'journey_failed',
};

const MFA_OUTCOMES: Partial<Record<AuditEntry['type'], { outcome: string; method?: string }>> = {
  MFA_CHALLENGE_SENT: { outcome: 'sent' },
  MFA_CHALLENGE_RESENT: { outcome: 'resent' },
  MFA_DELIVERY_FAILED: { outcome: 'delivery_failed' },
  MFA_VERIFY_SUCCESS: { outcome: 'success' },
  MFA_VERIFY_FAILED: { outcome: 'failed' },
  MFA_LOCKED: { outcome: 'locked' },
  MFA_PUSH_SENT: { outcome: 'sent', method: 'push' },
  MFA_PUSH_APPROVED: { outcome: 'success', method: 'push' },
  MFA_PUSH_REJECTED: { outcome: 'failed', method: 'push' },
};

const REFRESH_RESULTS: Partial<Record<AuditEntry['type'], string>> = {
  TOKEN_REFRESHED: 'rotated',
  TOKEN_REFRESH_GRACE: 'grace',
  TOKEN_REUSE_DETECTED: 'reuse_detected',
};

/** The method named in the event's data, limited to known values so labels stay few. */
function methodOf(entry: AuditEntry): string {
  const data = entry.data ?? {};
  const value = data.method ?? data.mfa_method ?? data.channel;
  return value === 'sms' || value === 'voice' || value === 'push' ? value : 'unknown';
}

function count(entry: AuditEntry): void {
  const event = AUDIT_EVENTS[entry.type];
  ciamMetrics.auditEvents.inc({ event_type: entry.type, category: event.category, severity: entry.severity ?? event.severity });
  const login = LOGIN_OUTCOMES[entry.type];
  if (login) ciamMetrics.logins.inc({ outcome: login });
  const mfa = MFA_OUTCOMES[entry.type];
  if (mfa) ciamMetrics.mfa.inc({ method: mfa.method ?? methodOf(entry), outcome: mfa.outcome });
  const refresh = REFRESH_RESULTS[entry.type];
  if (refresh) ciamMetrics.tokenRefreshes.inc({ result: refresh });
}

let subscribed = false;

/** Counts every audit event from now on (once per process, however many apps are built). */
export function countAuditEvents(): void {
  if (subscribed) return;
  subscribed = true;
  onAuditRecorded(count);
}
