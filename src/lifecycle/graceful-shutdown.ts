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
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The graceful stop, in the order a load balancer needs: readiness turns false while the instance
 * still serves (so the balancer stops routing to it), then the listener closes and in-flight
 * requests finish, then the maintenance scheduler stops (a running job stops between batches),
 * then the pools close. Resolves to the exit status.
 */
export async function shutdown(plan: ShutdownPlan, signal: string): Promise<number> {
  const log = plan.app.log;
  const deadline = setTimeout(() => {
    log.error({ timeout_ms: plan.timeoutMs }, 'graceful shutdown took too long; exiting');
    process.exit(1);
  }, plan.timeoutMs).unref();
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
    return 0;
  } catch (err) {
    log.error({ err }, 'shutdown failed');
    return 1;
  } finally {
    clearTimeout(deadline);
  }
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
