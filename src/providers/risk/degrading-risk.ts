import { ProviderUnavailableError } from '../errors.js';
import type { DeviceRisk, RiskAssessment } from './port.js';
import type { DrsFailurePolicy } from './transmit-settings.js';

/** Midway: a degraded login is neither known-safe nor known-bad, and must not show up as high risk. */
const DEGRADED_RISK_SCORE = 50;

/**
 * Applies CIAM_DRS_FAILURE_POLICY to a risk service. `unavailable`: its ProviderUnavailableError
 * reaches the journey (503). `challenge`: the login goes on as CHALLENGE — MFA, and no trusted-
 * device shortcut — with the assessment marked degraded. An outage is never turned into DENY or
 * ALLOW: the first would lock every customer out, the second would wave attackers through.
 * Errors other than ProviderUnavailableError are bugs and always propagate.
 */
export function withFailurePolicy(risk: DeviceRisk, policy: DrsFailurePolicy): DeviceRisk {
  if (policy === 'unavailable') return risk;
  return {
    async evaluate(request) {
      try {
        return await risk.evaluate(request);
      } catch (error) {
        if (error instanceof ProviderUnavailableError) return degradedChallenge(error.message);
        throw error;
      }
    },
    ...(risk.reportOutcome ? { reportOutcome: risk.reportOutcome.bind(risk) } : {}),
  };
}

function degradedChallenge(reason: string): RiskAssessment {
  return {
    recommendation: 'CHALLENGE',
    riskScore: DEGRADED_RISK_SCORE,
    signals: [{ type: 'DRS_UNAVAILABLE', severity: 'MEDIUM', description: reason }],
    raw: { degraded: true, reason },
    degraded: { reason },
  };
}
