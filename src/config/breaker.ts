import { z } from 'zod';
import { positiveInt, readEnv, type Env } from './fields.js';

/**
 * Circuit breaker settings shared by every production adapter (`providers/resilience.ts`).
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

const BreakerEnv = z.object({
  CIAM_BREAKER_THRESHOLD: positiveInt(5),
  CIAM_BREAKER_HALF_OPEN_SECONDS: positiveInt(10),
});

export function readBreakerSettings(env: Env): BreakerSettings {
  const e = readEnv(BreakerEnv, env);
  return { threshold: e.CIAM_BREAKER_THRESHOLD, halfOpenAfterMs: e.CIAM_BREAKER_HALF_OPEN_SECONDS * 1000 };
}
