import client from 'prom-client';

/**
 * The process-wide metrics registry and the counters other modules increment. Metrics computed
 * from the database at scrape time live with the /metrics plugin (src/http/plugins/metrics.ts),
 * which merges them with this registry.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'ciam_' });

function counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) {
  return new client.Counter<L>({ name, help, labelNames, registers: [registry] });
}

function histogram<L extends string>(name: string, help: string, labelNames: readonly L[], buckets: number[]) {
  return new client.Histogram<L>({ name, help, labelNames, buckets, registers: [registry] });
}

function gauge<L extends string>(name: string, help: string, labelNames: readonly L[]) {
  return new client.Gauge<L>({ name, help, labelNames, registers: [registry] });
}

export const ciamMetrics = {
  httpRequestDuration: histogram(
    'ciam_http_request_duration_seconds',
    'HTTP request latency by route template, method and status code.',
    ['method', 'route', 'status_code'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  ),
  auditEvents: counter(
    'ciam_audit_events_total',
    'Audit events written, by type, category and severity (counted at insert; a rolled-back transaction may still count).',
    ['event_type', 'category', 'severity'],
  ),
  logins: counter(
    'ciam_logins_total',
    'Login outcomes derived from the audit events (success, trusted_device, step_up, failed, denied, blocked, …).',
    ['outcome'],
  ),
  mfa: counter(
    'ciam_mfa_events_total',
    'MFA events by method (sms, voice, push, unknown) and outcome (sent, resent, success, failed, locked, …).',
    ['method', 'outcome'],
  ),
  tokenRefreshes: counter(
    'ciam_token_refreshes_total',
    'Refresh-token presentations by result: rotated, grace (previous token within the grace), reuse_detected.',
    ['result'],
  ),
  tokenVerifications: counter(
    'ciam_token_verifications_total',
    'Access-token verifications for the gateway by result (active, inactive, …).',
    ['result'],
  ),
  rateLimited: counter(
    'ciam_rate_limited_total',
    'Requests refused with 429 by key kind (ip, username, context, transaction) and route.',
    ['kind', 'route'],
  ),
  jobRuns: counter(
    'ciam_job_runs_total',
    'Maintenance job runs led by this instance, by job and result (ok, error).',
    ['job', 'result'],
  ),
  jobRowsChanged: counter('ciam_job_rows_changed_total', 'Rows changed by maintenance jobs led by this instance.', ['job']),
  jobDuration: histogram(
    'ciam_job_duration_seconds',
    'Duration of maintenance job runs led by this instance.',
    ['job'],
    [0.01, 0.1, 1, 10, 60, 300, 1800],
  ),
  providerCalls: counter(
    'ciam_provider_calls_total',
    'Calls to production adapters by provider, method and outcome: ok, refused (the outside system answered about the input of one customer; not counted by the breaker), unavailable (the outside system could not answer), circuit_open (refused without calling it), error (a bug).',
    ['provider', 'method', 'outcome'],
  ),
  // Up to the delivery adapters' worst case of three attempts with backoff (about 10 s).
  providerCallDuration: histogram(
    'ciam_provider_call_duration_seconds',
    'Duration of calls that reached a production adapter, retries included; calls refused by an open circuit are not timed.',
    ['provider', 'method'],
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
  ),
  providerCircuitState: gauge(
    'ciam_provider_circuit_state',
    'Circuit breaker state of each production adapter: 0 closed, 1 half-open, 2 open.',
    ['provider'],
  ),
  logLinesDropped: counter(
    'ciam_log_lines_dropped_total',
    'Log lines dropped because the log consumer (stdout) could not keep up and the bounded log buffer was full.',
  ),
};
