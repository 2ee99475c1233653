import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import client from 'prom-client';
import type { OperationsSettings } from '../../config/operations.js';
import { SettingsError } from '../../config/settings.js';
import { CiamError } from '../../errors/catalogue.js';
import { countAuditEvents } from '../../observability/audit-metrics.js';
import { registerDatabaseGauges } from '../../observability/database-gauges.js';
import { ciamMetrics, registry } from '../../observability/metrics.js';
import type { Database } from '../../store/database.js';

export interface MetricsOptions {
  settings: OperationsSettings['metrics'];
  /** In production /metrics is never open: without a bearer token the service refuses to start. */
  production: boolean;
  db: Database;
  /** Jobs whose last successful run is exported. */
  jobNames: string[];
}

/**
 * Prometheus metrics: request latency per route template and status for every request, audit
 * events by type, and GET /metrics (outside the OpenAPI document, no client id) merging the
 * process-wide counters with this instance's database gauges.
 */
export const metrics = fp(
  async (app: FastifyInstance, opts: MetricsOptions) => {
    if (!opts.settings.enabled) return;
    if (opts.production && !opts.settings.bearerToken) {
      throw new SettingsError('Refusing to start in production: CIAM_METRICS_BEARER_TOKEN is missing (or set CIAM_METRICS_ENABLED=false).');
    }
    countAuditEvents();
    const local = new client.Registry();
    registerDatabaseGauges(local, opts.db, { ttlMs: opts.settings.dbGaugeTtlMs, jobNames: opts.jobNames });

    app.addHook('onResponse', async (request, reply) => {
      ciamMetrics.httpRequestDuration.observe(
        // The template, never the raw URL: ids in paths would make a label value per request.
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
    });

    const expected = opts.settings.bearerToken ? Buffer.from(`Bearer ${opts.settings.bearerToken}`) : undefined;
    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
      if (expected) {
        const given = Buffer.from(request.headers.authorization ?? '');
        if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new CiamError('CIAM_E00_00_002');
      }
      const merged = client.Registry.merge([registry, local]);
      reply.type(merged.contentType);
      return merged.metrics();
    });
  },
  { name: 'metrics' },
);
