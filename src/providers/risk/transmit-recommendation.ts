import { createHash } from 'node:crypto';
import type { Recommendation, RiskAssessment, RiskSignal } from './port.js';
import { isObject, unavailable } from './transmit-http.js';

/**
 * Turns the body of Transmit's GET /risk/v1/recommendation into a RiskAssessment (one
 * drs_evaluations row). Throws ProviderUnavailableError when the body lacks what the decision
 * needs — a recommendation type we know and a numeric risk score — because guessing either
 * could let a risky login through or lock a customer out.
 *
 * Transmit documents `reasons` as a list of codes and `risk_signals` as groups of flags and
 * counters, without severities; the severities below are ours.
 */

const RECOMMENDATIONS: ReadonlySet<string> = new Set<Recommendation>(['ALLOW', 'CHALLENGE', 'DENY', 'TRUST']);

/** drs_evaluations.device_id is varchar(100); Transmit's web device ids are longer signed tokens. */
const MAX_DEVICE_ID_LENGTH = 100;

/** Flags that, on their own, point at fraud tooling rather than at an unusual but honest setup. */
const HIGH_SEVERITY_FLAGS = new Set(['device.tampered', 'device.emulated', 'device.spoofed', 'network.tor']);

/** Context fields describing the device and its network; the action, tenant and user ids are not. */
const DEVICE_ATTRIBUTE = /^(device_|os_|browser_|ip_|ip$|user_agent$)/;

export function toAssessment(body: Record<string, unknown>): RiskAssessment {
  const type = isObject(body.recommendation) ? body.recommendation.type : undefined;
  if (typeof type !== 'string' || !RECOMMENDATIONS.has(type.toUpperCase())) {
    throw unavailable('recommendation answered without a known recommendation type.');
  }
  const recommendation = type.toUpperCase() as Recommendation;

  const score = body.risk_score;
  if (typeof score !== 'number' || !Number.isFinite(score)) {
    throw unavailable('recommendation answered without a numeric risk_score.');
  }

  const context = isObject(body.context) ? body.context : {};
  return {
    recommendation,
    riskScore: Math.round(Math.min(100, Math.max(0, score))),
    deviceId: deviceId(context.device_id),
    signals: [...reasonSignals(body.reasons, recommendation), ...flagSignals(body.risk_signals)],
    deviceAttributes: deviceAttributes(context),
    raw: body,
  };
}

/**
 * The identity a trusted device is keyed by. A long id is replaced by its SHA-256 — stable for the
 * same device, so trust still matches; the original stays in raw_response.
 */
function deviceId(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  if (value.length <= MAX_DEVICE_ID_LENGTH) return value;
  return `sha256:${createHash('sha256').update(value).digest('hex')}`;
}

/** A reason is why Transmit chose this recommendation, so it weighs as much as the recommendation. */
function reasonSignals(reasons: unknown, recommendation: Recommendation): RiskSignal[] {
  if (!Array.isArray(reasons)) return [];
  const severity = recommendation === 'DENY' ? 'HIGH' : recommendation === 'CHALLENGE' ? 'MEDIUM' : 'LOW';
  return reasons
    .filter((reason): reason is string => typeof reason === 'string' && reason.length > 0)
    .map((reason) => ({ type: reason.toUpperCase(), severity, description: `Reason: ${reason.replace(/_/g, ' ')}` }));
}

/**
 * Only flags that are raised become signals; counters (history rates, typing velocity) carry no
 * verdict of their own and stay in raw_response.
 */
function flagSignals(groups: unknown): RiskSignal[] {
  if (!isObject(groups)) return [];
  const signals: RiskSignal[] = [];
  for (const [group, flags] of Object.entries(groups)) {
    if (!isObject(flags)) continue;
    for (const [flag, raised] of Object.entries(flags)) {
      if (raised !== true) continue;
      const name = `${group}.${flag}`;
      signals.push({
        type: `${group}_${flag}`.toUpperCase(),
        severity: HIGH_SEVERITY_FLAGS.has(name) ? 'HIGH' : 'MEDIUM',
        description: `Risk signal: ${group} ${flag.replace(/_/g, ' ')}`,
      });
    }
  }
  return signals;
}

function deviceAttributes(context: Record<string, unknown>): Record<string, unknown> | undefined {
  const picked = Object.fromEntries(
    Object.entries(context).filter(([key]) => key !== 'device_id' && DEVICE_ATTRIBUTE.test(key)),
  );
  return Object.keys(picked).length > 0 ? picked : undefined;
}
