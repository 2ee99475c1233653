import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** Paths whose answers carry tokens or personal data: never stored by a browser or a shared cache. */
const PRIVATE_PATHS = /^\/(?:auth\/|me(?:\/|$|\?)|admin\/|userinfo(?:$|\?))/;

/**
 * Response headers every answer carries (@fastify/helmet): `X-Content-Type-Options: nosniff`, a
 * Content-Security-Policy that lets an answer load nothing and be framed by no one — right for
 * JSON, which is never rendered — and HSTS when the refresh cookie is `Secure` (the service is
 * reached over HTTPS only). A route that serves HTML sets its own policy, either with helmet's
 * route option (`helmet: { contentSecurityPolicy: { directives: … } }`) or with
 * `reply.header('content-security-policy', …)`, which replaces this default; the API reference
 * (/docs) does so through @fastify/swagger-ui. Register before the routes (helmet reads route
 * options as they are added).
 */
export const securityHeaders = fp(
  async (app: FastifyInstance, opts: { hsts: boolean }) => {
    await app.register(helmet, {
      global: true,
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"], formAction: ["'none'"] },
      },
      hsts: opts.hsts ? { maxAge: 31_536_000, includeSubDomains: true } : false,
      // Discovery and JWKS are fetched cross-origin by relying parties; CORS, not CORP, governs that.
      crossOriginResourcePolicy: false,
    });
    app.addHook('onSend', async (request, reply) => {
      if (PRIVATE_PATHS.test(request.url) && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    });
  },
  { name: 'security-headers' },
);
