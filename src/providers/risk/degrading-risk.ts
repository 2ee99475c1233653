import { ProviderRefusedError, ProviderUnavailableError } from '../errors.js';
import type { DeviceRisk, RiskAssessment } from './port.js';
import type { DrsFailurePolicy } from '../../config/transmit.js';

/** Midway: a degraded login is neither known-safe nor known-bad, and must not show up as high risk. */
const DEGRADED_RISK_SCORE = 50;
/** An unverifiable device is as suspect as a CHALLENGE the risk service would give. */
const UNVERIFIED_RISK_SCORE = 60;

/**
 * Applies CIAM_DRS_FAILURE_POLICY to a risk service. `unavailable`: its ProviderUnavailableError
 * reaches the journey (503). `challenge`: the login goes on as CHALLENGE — MFA, and no trusted-
 * device shortcut — with the assessment marked degraded. An outage is never turned into DENY or
 * ALLOW: the first would lock every customer out, the second would wave attackers through.
 *
 * Under either policy, an action token the risk service rejects (ProviderRefusedError) is this
 * customer's problem, not an outage: the login goes on as CHALLENGE, marked unverified, exactly
 * as a login without a token. Errors other than these are bugs and always propagate.
 */
export function withFailurePolicy(risk: DeviceRisk, policy: DrsFailurePolicy): DeviceRisk {
  return {
    async evaluate(request) {
      try {
        return await risk.evaluate(request);
      } catch (error) {
        if (error instanceof ProviderRefusedError && error.reason === 'ACTION_TOKEN_REJECTED') {
          return unverifiedChallenge('ACTION_TOKEN_REJECTED', error.message);
        }
        if (error instanceof ProviderUnavailableError && policy === 'challenge') return degradedChallenge(error.message);
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

/** The stand-in for a login whose device the risk service could not vouch for (no or a bad token). */
export function unverifiedChallenge(reason: 'ACTION_TOKEN_MISSING' | 'ACTION_TOKEN_REJECTED', detail: string): RiskAssessment {
  return {
    recommendation: 'CHALLENGE',
    riskScore: UNVERIFIED_RISK_SCORE,
    signals: [{ type: reason, severity: 'MEDIUM', description: detail }],
    raw: { unverified: true, reason },
    unverified: { reason },
  };
}
