import type { Env } from '../config/settings.js';
import { positiveInt } from './adapter-env.js';

/**
 * Circuit breaker settings shared by every production adapter (`resilience.ts`).
 *
 * - CIAM_BREAKER_THRESHOLD (5) — consecutive ProviderUnavailableErrors that open an adapter's
 *   circuit. Any answer from the outside system, including "wrong password", resets the count.
 * - CIAM_BREAKER_HALF_OPEN_SECONDS (10) — how long an open circuit refuses calls before it lets one
 *   trial call through; its success closes the circuit, its failure opens it again for as long.
 */
export interface BreakerSettings {
  threshold: number;
  halfOpenAfterMs: number;
}

export function readBreakerSettings(env: Env): BreakerSettings {
  return {
    threshold: positiveInt(env, 'CIAM_BREAKER_THRESHOLD', 5),
    halfOpenAfterMs: positiveInt(env, 'CIAM_BREAKER_HALF_OPEN_SECONDS', 10) * 1000,
  };
}
