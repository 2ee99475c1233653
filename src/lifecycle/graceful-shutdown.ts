import type { FastifyInstance } from 'fastify';
import type { Scheduler } from '../jobs/scheduler.js';

export interface ShutdownPlan {
  app: FastifyInstance;
  /** How long readiness says 503 while requests are still served, before the listener closes. */
  drainMs: number;
  /** Past this the process exits with status 1 whatever is still running. */
  timeoutMs: number;
  /** Set once the scheduler has started. */
  scheduler?: Scheduler;
  /** Closed in order after the HTTP server and the scheduler: providers, then the database. */
  resources: Array<() => Promise<void> | void>;
  /** Writes the buffered log lines, giving up after `withinMs` (or earlier when the consumer is stuck). */
  flushLogs?: (withinMs: number) => Promise<unknown>;
}

/** Left between the end of the final log flush and the deadline, so the flush never races the deadline's exit 1. */
const FLUSH_MARGIN_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The graceful stop, in the order a load balancer needs: readiness turns false while the instance
 * still serves (so the balancer stops routing to it), then the listener closes and in-flight
 * requests finish, then the maintenance scheduler stops (a running job stops between batches),
 * then the pools close. Resolves to the exit status.
 */
export async function shutdown(plan: ShutdownPlan, signal: string): Promise<number> {
  const log = plan.app.log;
  const deadlineAt = Date.now() + plan.timeoutMs;
  // Every step below is asynchronous (logging included), so this timer fires even when a step or the log consumer is stuck.
  const deadline = setTimeout(() => {
    log.error({ timeout_ms: plan.timeoutMs }, 'graceful shutdown took too long; exiting');
    process.exit(1);
  }, plan.timeoutMs).unref();
  let code: number;
  try {
    plan.app.stopAccepting();
    // No new job starts from here on; one already running is awaited below.
    const schedulerStopped = plan.scheduler?.stop();
    log.info({ signal, drain_ms: plan.drainMs }, 'shutting down: readiness off, draining');
    if (plan.drainMs > 0) await sleep(plan.drainMs);
    await plan.app.close(); // stops listening, waits for in-flight requests
    await schedulerStopped;
    for (const close of plan.resources) await close();
    log.info('shut down cleanly');
    code = 0;
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    code = 1;
  }
  // The last lines get what time is left; a log consumer that reads nothing costs them, not the exit.
  await plan.flushLogs?.(deadlineAt - Date.now() - FLUSH_MARGIN_MS);
  clearTimeout(deadline);
  return code;
}

/** SIGTERM or SIGINT starts the graceful stop; a second signal exits at once. */
export function shutdownOnSignals(plan: ShutdownPlan): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      plan.app.log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stopping = true;
    void shutdown(plan, signal).then((code) => process.exit(code));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
