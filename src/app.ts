import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Settings } from './config/settings.js';
import { corsAllowlist } from './http/plugins/cors.js';
import { webPages } from './http/web/pages.js';
import { JOBS } from './jobs/catalogue.js';
import { errorBody } from './http/schemas/common.js';
import { loggerOptions } from './http/logger.js';
import { clientErrorHandler } from './http/client-errors.js';
import { clientAndCorrelation, correlationIdFor } from './http/plugins/client-and-correlation.js';
import { errorHandler, frameworkErrors } from './http/plugins/error-handler.js';
import { jsonBody } from './http/plugins/json-body.js';
import { requestAjvOptions, tolerantValidators } from './http/request-validation.js';
import { sharedSerializers } from './http/response-serialization.js';
import { openApi } from './http/plugins/openapi.js';
import { metrics } from './http/plugins/metrics.js';
import { rateLimits } from './http/plugins/rate-limits.js';
import { securityHeaders } from './http/plugins/security-headers.js';
import { slowRequests } from './http/plugins/slow-requests.js';
import { healthRoutes } from './http/routes/health.js';
import { tokenRoutes } from './http/routes/tokens.js';
import { oidcRoutes } from './http/routes/oidc.js';
import { meRoutes } from './http/routes/me.js';
import { adminRoutes } from './http/routes/admin.js';
import { loginRoutes } from './http/routes/login.js';
import { mfaRoutes } from './http/routes/mfa.js';
import { esignRoutes } from './http/routes/esign.js';
import { deviceRoutes } from './http/routes/device.js';
import { devOutboxRoutes } from './http/routes/dev-outbox.js';
import type { Services } from './services.js';

export interface RouteEntry {
  method: string;
  url: string;
  /** False for routes deliberately left out of the OpenAPI document (the reference page's assets). */
  documented: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeInventory(): RouteEntry[];
    /** Readiness answers 503 from now on while requests are still served (the start of a graceful shutdown). */
    stopAccepting(): void;
  }
}

export interface AppOptions {
  settings: Settings;
  services: Services;
  /** Override the logger (tests pass false). */
  logger?: FastifyServerOptions['logger'];
  /** Where the default logger writes (the service's bounded, non-blocking LogDestination). */
  logStream?: DestinationStream;
}

/** Builds the HTTP application around ready services; tests and main.ts both call this. */
export async function buildApp({ settings, services, logger, logStream }: AppOptions): Promise<FastifyInstance> {
  let accepting = true;
  const app = Fastify({
    logger: logger ?? loggerOptions(settings.logLevel, logStream),
    bodyLimit: settings.bodyLimit,
    // A client that stops sending mid-request is answered 408 and closed, not held open forever.
    requestTimeout: settings.httpTimeouts.requestMs,
    keepAliveTimeout: settings.httpTimeouts.keepAliveMs,
    http: {
      headersTimeout: settings.httpTimeouts.headersMs,
      // Node checks the two timeouts above only this often (30 s by default).
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, settings.httpTimeouts.headersMs / 4)),
    },
    clientErrorHandler,
    // A hop count is accepted at run time though the typings omit it.
    trustProxy: settings.trustProxy as boolean | string[],
    genReqId: (req) => correlationIdFor(req.headers['x-correlation-id']),
    logController: new LogController({ requestIdLogLabel: 'correlation_id' }),
    return503OnClosing: true,
    ajv: requestAjvOptions,
    schemaController: { compilersFactory: { buildValidator: tolerantValidators(), buildSerializer: sharedSerializers() } },
    frameworkErrors,
  });
  app.addSchema(errorBody);
  app.addHook('onClose', async () => {
    accepting = false;
  });
  app.decorate('stopAccepting', () => {
    accepting = false;
  });

  // Every route as registered, so a test can hold the OpenAPI document to account.
  const inventory: RouteEntry[] = [];
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      inventory.push({ method, url: route.url, documented: !(route.schema as { hide?: boolean } | undefined)?.hide });
    }
  });
  app.decorate('routeInventory', () => inventory);

  await app.register(errorHandler);
  await app.register(jsonBody);
  const { web, operations } = settings;
  // Before the client-id check: a preflight carries no x-client-id.
  if (web.corsOrigins.length > 0) await app.register(corsAllowlist, { origins: web.corsOrigins, maxAgeSeconds: web.corsMaxAgeSeconds });
  await app.register(clientAndCorrelation, { clients: settings.clients });
  await app.register(securityHeaders, { hsts: settings.cookieSecure });
  await app.register(cookie);
  await app.register(openApi);
  await app.register(metrics, { settings: operations.metrics, production: settings.production, db: services.db, jobNames: JOBS.map((job) => job.name) });
  await app.register(slowRequests, { thresholdMs: operations.slowRequestMs });
  // Before the routes: it attaches the limits as each route is added.
  await app.register(rateLimits, { settings: operations.rateLimits, db: services.db });

  await app.register(healthRoutes, { db: services.db, accepting: () => accepting });
  await app.register(tokenRoutes, services);
  await app.register(oidcRoutes, services);
  await app.register(meRoutes, services);
  await app.register(adminRoutes, services);
  await app.register(loginRoutes, services);
  await app.register(mfaRoutes, services);
  await app.register(esignRoutes, services);
  await app.register(deviceRoutes, services);
  if (settings.devMode && services.providers.outbox) await app.register(devOutboxRoutes, services.providers.outbox);
  // loadSettings has checked that the pages' client id is registered.
  if (web.pages) await app.register(webPages, { settings, web, clientId: web.clientId });

  return app;
}
