/**
 * Device risk: asks the risk service (Transmit Security DRS) for a recommendation on a login.
 * Production: `transmit-drs.ts`; development: the simulator. A risk service that cannot answer
 * throws ProviderUnavailableError; the journey's policy decides what that means (never a DENY).
 */
export interface DeviceRisk {
  evaluate(request: RiskRequest): Promise<RiskAssessment>;
  /** Tells the risk service how the journey ended (Transmit's action result). Best effort. */
  reportOutcome?(report: { actionToken: string; cupid: string; success: boolean }): Promise<void>;
}

export interface RiskRequest {
  actionToken: string;
  cupid: string;
  ipAddress: string;
  userAgent?: string;
  correlationId: string;
}

export type Recommendation = 'ALLOW' | 'CHALLENGE' | 'DENY' | 'TRUST';

export interface RiskSignal {
  type: string;
  severity: string;
  description: string;
}

export interface RiskAssessment {
  recommendation: Recommendation;
  /** 0–100. */
  riskScore: number;
  /** The risk service's id for the device; the identity a trusted device is keyed by. */
  deviceId?: string;
  signals: RiskSignal[];
  deviceAttributes?: Record<string, unknown>;
  /** The service's answer as received, kept in drs_evaluations.raw_response. */
  raw: Record<string, unknown>;
  /**
   * Set when the risk service could not answer and the failure policy stood in for it: the
   * assessment is not Transmit's (the journey audits DRS_DEGRADED).
   */
  degraded?: { reason: string };
  /**
   * Set when no action token could be assessed — the client sent none (Transmit configured, client
   * not exempt) or the risk service rejected it — and the login stands in as CHALLENGE: MFA, and
   * no trusted-device shortcut. Transmit is healthy; the journey audits DRS_TOKEN_UNVERIFIED.
   */
  unverified?: { reason: 'ACTION_TOKEN_MISSING' | 'ACTION_TOKEN_REJECTED' };
}
