import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleType, IsolatedCircuitError } from 'cockatiel';
import { ciamMetrics } from '../observability/metrics.js';
import { ProviderRefusedError, ProviderUnavailableError } from './errors.js';
import type { BreakerSettings } from '../config/breaker.js';

/** The metric label of each wrapped port; also the provider named in a "circuit open" error. */
export type ResilientProvider = 'directory' | 'risk' | 'sms_voice' | 'push' | 'agreements';

export interface ResilienceOptions<T> {
  breaker: BreakerSettings;
  /**
   * Methods called straight through, outside the breaker and the metrics: lifecycle calls such as
   * `close` must work while the circuit is open, and best-effort calls that swallow their own
   * failures would otherwise count as successes and close a circuit the real calls keep opening.
   */
  bypass?: readonly (keyof T & string)[];
}

const GAUGE: Record<CircuitState, number> = {
  [CircuitState.Closed]: 0,
  [CircuitState.HalfOpen]: 1,
  [CircuitState.Open]: 2,
  [CircuitState.Isolated]: 2,
};

/**
 * Puts a production adapter behind a circuit breaker and records each call in
 * `ciam_provider_calls_total`, `ciam_provider_call_duration_seconds` and
 * `ciam_provider_circuit_state`.
 *
 * Only ProviderUnavailableError counts as a failure: `{ ok: false }`, `undefined` and any other
 * answer mean the outside system is working, and other errors are bugs that a healthy peer would
 * not cure. A ProviderRefusedError — the peer answered, about one customer's input (an unknown
 * action token, an opted-out phone, an unreadable entry) — counts as a success: the peer is
 * healthy, and one customer asking again and again must never open the circuit for everyone. When the circuit is open, calls throw ProviderUnavailableError(name, 'circuit open')
 * without reaching the adapter, so callers keep their existing failure handling (503, or the risk
 * failure policy). No timeout is added: each adapter bounds its own calls, retries included.
 *
 * Returns a proxy, so the result is still an instance of the adapter's class.
 */
export function resilient<T extends object>(name: ResilientProvider, port: T, options: ResilienceOptions<T>): T {
  const breaker = circuitBreaker(handleType(ProviderUnavailableError), {
    halfOpenAfter: options.breaker.halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.breaker.threshold),
  });
  ciamMetrics.providerCircuitState.set({ provider: name }, GAUGE[CircuitState.Closed]);
  breaker.onStateChange((state) => ciamMetrics.providerCircuitState.set({ provider: name }, GAUGE[state]));

  const bypass = new Set<PropertyKey>(options.bypass ?? []);
  const wrapped = new Map<PropertyKey, unknown>();

  const guard =
    (method: string, fn: (...args: unknown[]) => unknown) =>
    async (...args: unknown[]): Promise<unknown> => {
      let started: number | undefined;
      const record = (outcome: 'ok' | 'refused' | 'unavailable' | 'circuit_open' | 'error') => {
        ciamMetrics.providerCalls.inc({ provider: name, method, outcome });
        // A call refused by the open circuit took no time at the peer and would drag the latency down.
        if (started !== undefined) ciamMetrics.providerCallDuration.observe({ provider: name, method }, (performance.now() - started) / 1000);
      };
      try {
        const result = await breaker.execute(async () => {
          started = performance.now();
          try {
            return await fn.apply(port, args);
          } catch (error) {
            // Returned, not thrown, so the breaker sees an answer; thrown again below.
            if (error instanceof ProviderRefusedError) return new RefusalAnswer(error);
            throw error;
          }
        });
        if (result instanceof RefusalAnswer) {
          record('refused');
          throw result.error;
        }
        record('ok');
        return result;
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError) {
          record('circuit_open');
          throw new ProviderUnavailableError(name, 'circuit open', { cause: error });
        }
        record(error instanceof ProviderUnavailableError ? 'unavailable' : 'error');
        throw error;
      }
    };

  return new Proxy(port, {
    get(target, property) {
      // Methods run with the adapter itself as `this`, so its calls to its own helpers never pass
      // through the breaker a second time.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') return value;
      let fn = wrapped.get(property);
      if (!fn) {
        const method = value as (...args: unknown[]) => unknown;
        fn = bypass.has(property) ? (...args: unknown[]) => method.apply(target, args) : guard(property, method);
        wrapped.set(property, fn);
      }
      return fn;
    },
  });
}

/** A refusal on its way through the breaker as an answer. */
class RefusalAnswer {
  constructor(readonly error: ProviderRefusedError) {}
}
