import { createHash } from 'node:crypto';
import type { DeviceRisk, Recommendation, RiskAssessment, RiskRequest } from './port.js';

const SCORES: Record<Recommendation, number> = { ALLOW: 20, CHALLENGE: 60, DENY: 95, TRUST: 5 };

/**
 * The development stand-in for Transmit DRS. `sim:<allow|challenge|deny|trust>[:<device id>]`
 * yields that recommendation and device id; any other token yields ALLOW (risk 25) with a device
 * id derived from the token.
 */
export class DrsSimulator implements DeviceRisk {
  async evaluate(request: RiskRequest): Promise<RiskAssessment> {
    const match = /^sim:(allow|challenge|deny|trust)(?::(.{1,100}))?$/i.exec(request.actionToken);
    const recommendation = match ? (match[1]!.toUpperCase() as Recommendation) : 'ALLOW';
    const riskScore = match ? SCORES[recommendation] : 25;
    const deviceId =
      match?.[2] ?? `sim-device-${createHash('sha256').update(request.actionToken).digest('hex').slice(0, 16)}`;
    const signals =
      recommendation === 'ALLOW' || recommendation === 'TRUST'
        ? []
        : [{ type: 'SIMULATED', severity: recommendation === 'DENY' ? 'HIGH' : 'MEDIUM', description: `Simulated ${recommendation}` }];
    return {
      recommendation,
      riskScore,
      deviceId,
      signals,
      deviceAttributes: { source: 'simulator' },
      raw: { simulator: true, recommendation: { type: recommendation }, risk_score: riskScore, context: { device_id: deviceId } },
    };
  }
}
