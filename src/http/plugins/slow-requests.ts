import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * A warning for each request slower than the threshold, on the request's own logger (so it
 * carries the correlation id) with the route template and status — latency outliers show up in
 * the logs without turning on debug logging.
 */
export const slowRequests = fp(
  async (app: FastifyInstance, opts: { thresholdMs: number }) => {
    app.addHook('onResponse', async (request, reply) => {
      if (reply.elapsedTime > opts.thresholdMs) {
        request.log.warn(
          {
            route: request.routeOptions.url ?? 'unmatched',
            method: request.method,
            status_code: reply.statusCode,
            elapsed_ms: Math.round(reply.elapsedTime),
            threshold_ms: opts.thresholdMs,
          },
          'slow request',
        );
      }
    });
  },
  { name: 'slow-requests' },
);
