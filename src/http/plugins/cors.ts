import cors from '@fastify/cors';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Request headers a browser page on an allowed origin may send. */
const CORS_ALLOWED_HEADERS = ['content-type', 'authorization', 'x-client-id', 'x-correlation-id', 'x-app-id', 'x-app-version'];
/** Response headers such a page may read. */
const CORS_EXPOSED_HEADERS = ['x-correlation-id', 'retry-after'];

/**
 * Cross-origin calls from the exact origins of CIAM_CORS_ORIGINS, with credentials (the refresh
 * cookie). Registered before the client-id check so a preflight — which carries no x-client-id —
 * is answered 204 rather than 401; a request from any other origin gets no CORS header at all, so
 * the browser refuses to hand the answer to that page.
 */
export const corsAllowlist = fp(
  async (app: FastifyInstance, opts: { origins: string[]; maxAgeSeconds: number }) => {
    const allowed = new Set(opts.origins);
    await app.register(cors, {
      // A function rather than the list: @fastify/cors would still add the credential and
      // expose headers for an origin outside a list; `false` adds nothing.
      origin: (origin, callback) => callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'DELETE'],
      allowedHeaders: CORS_ALLOWED_HEADERS,
      exposedHeaders: CORS_EXPOSED_HEADERS,
      maxAge: opts.maxAgeSeconds,
      hook: 'onRequest',
    });
  },
  { name: 'cors-allowlist' },
);
