import client from 'prom-client';

/**
 * The process-wide metrics registry and the counters other modules increment. Metrics computed
 * from the database at scrape time live with the /metrics plugin (src/http/plugins/metrics.ts),
 * which merges them with this registry.
 */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'ciam_' });

export const ciamMetrics = {
  httpRequestDuration: new client.Histogram({
    name: 'ciam_http_request_duration_seconds',
    help: 'HTTP request latency by route template, method and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  }),
  auditEvents: new client.Counter({
    name: 'ciam_audit_events_total',
    help: 'Audit events written, by type, category and severity (counted at insert; a rolled-back transaction may still count).',
    labelNames: ['event_type', 'category', 'severity'] as const,
    registers: [registry],
  }),
  logins: new client.Counter({
    name: 'ciam_logins_total',
    help: 'Login outcomes derived from the audit events (success, trusted_device, step_up, failed, denied, blocked, …).',
    labelNames: ['outcome'] as const,
    registers: [registry],
  }),
  mfa: new client.Counter({
    name: 'ciam_mfa_events_total',
    help: 'MFA events by method (sms, voice, push, unknown) and outcome (sent, resent, success, failed, locked, …).',
    labelNames: ['method', 'outcome'] as const,
    registers: [registry],
  }),
  tokenRefreshes: new client.Counter({
    name: 'ciam_token_refreshes_total',
    help: 'Refresh-token presentations by result: rotated, grace (previous token within the grace), reuse_detected.',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  tokenVerifications: new client.Counter({
    name: 'ciam_token_verifications_total',
    help: 'Access-token verifications for the gateway by result (active, inactive, …).',
    labelNames: ['result'] as const,
    registers: [registry],
  }),
  rateLimited: new client.Counter({
    name: 'ciam_rate_limited_total',
    help: 'Requests refused with 429 by key kind (ip, username, context, transaction) and route.',
    labelNames: ['kind', 'route'] as const,
    registers: [registry],
  }),
  jobRuns: new client.Counter({
    name: 'ciam_job_runs_total',
    help: 'Maintenance job runs led by this instance, by job and result (ok, error).',
    labelNames: ['job', 'result'] as const,
    registers: [registry],
  }),
  jobRowsChanged: new client.Counter({
    name: 'ciam_job_rows_changed_total',
    help: 'Rows changed by maintenance jobs led by this instance.',
    labelNames: ['job'] as const,
    registers: [registry],
  }),
  jobDuration: new client.Histogram({
    name: 'ciam_job_duration_seconds',
    help: 'Duration of maintenance job runs led by this instance.',
    labelNames: ['job'] as const,
    buckets: [0.01, 0.1, 1, 10, 60, 300, 1800],
    registers: [registry],
  }),
  providerCalls: new client.Counter({
    name: 'ciam_provider_calls_total',
    help: 'Calls to production adapters by provider, method and outcome: ok, refused (the outside system answered about the input of one customer; not counted by the breaker), unavailable (the outside system could not answer), circuit_open (refused without calling it), error (a bug).',
    labelNames: ['provider', 'method', 'outcome'] as const,
    registers: [registry],
  }),
  providerCallDuration: new client.Histogram({
    name: 'ciam_provider_call_duration_seconds',
    help: 'Duration of calls that reached a production adapter, retries included; calls refused by an open circuit are not timed.',
    labelNames: ['provider', 'method'] as const,
    // Up to the delivery adapters' worst case of three attempts with backoff (about 10 s).
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20],
    registers: [registry],
  }),
  providerCircuitState: new client.Gauge({
    name: 'ciam_provider_circuit_state',
    help: 'Circuit breaker state of each production adapter: 0 closed, 1 half-open, 2 open.',
    labelNames: ['provider'] as const,
    registers: [registry],
  }),
  logLinesDropped: new client.Counter({
    name: 'ciam_log_lines_dropped_total',
    help: 'Log lines dropped because the log consumer (stdout) could not keep up and the bounded log buffer was full.',
    registers: [registry],
  }),
};
