import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { recordAudit } from '../../audit/record.js';
import type { OperationsSettings } from '../../config/operations.js';
import { CiamError } from '../../errors/catalogue.js';
import { ciamMetrics } from '../../observability/metrics.js';
import { isUuid } from '../../security/uuid.js';
import type { Database } from '../../store/database.js';
import { clientAddress, rulesFor, type LimitKind, type LimitRule } from '../rate-limit-rules.js';
import { originOf } from '../request-origin.js';

export interface RateLimitOptions {
  settings: OperationsSettings['rateLimits'];
  db: Database;
}

const pendingAudit = Symbol('rate-limit audit');
declare module 'fastify' {
  interface FastifyRequest {
    [pendingAudit]?: Promise<void>;
  }
}

/**
 * Abuse limits on the login journey (login per IP and per username, MFA per journey, push polls
 * per step), counted in Redis when REDIS_URL is set — so the fleet shares one count — and in
 * process memory otherwise. A refused request gets 429 CIAM_E00_00_005 with Retry-After, and the
 * first refusal of each key in each window leaves a RATE_LIMITED audit row (later ones are only
 * counted in metrics: a flood must not turn into a flood of audit writes). If Redis cannot
 * answer, requests pass (the password lockout still stands) and the failure is logged.
 */
export const rateLimits = fp(
  async (app: FastifyInstance, opts: RateLimitOptions) => {
    const { settings, db } = opts;
    if (!settings.enabled) return;

    const redis = settings.redisUrl ? await connectRedis(app, settings.redisUrl) : undefined;
    // Each route's limiter gets a store of its own (the plugin's LocalStore.child), which takes its
    // size from the route's options, not the plugin's: the bound is passed to every one.
    const memoryBound = redis ? {} : { cache: settings.memoryKeys };
    const audited = new RefusalLog(settings.windowMs);

    const refuse = (request: FastifyRequest, rule: LimitRule, key: string, retryAfterSeconds: number) => {
      const route = request.routeOptions.url ?? 'unknown';
      ciamMetrics.rateLimited.inc({ kind: rule.kind, route });
      request.log.warn({ limit: rule.kind, route }, 'rate limit exceeded');
      if (audited.firstInWindow(`${route}|${key}`)) {
        request[pendingAudit] = auditRefusal(db, request, rule.kind, key, route).catch((err: unknown) => {
          request.log.error({ err }, 'could not audit a rate-limit refusal');
        });
      }
      return new CiamError('CIAM_E00_00_005', { headers: { 'Retry-After': String(Math.max(1, retryAfterSeconds)) } });
    };

    // The key a refused request was counted under, from the plugin's onExceeded to its error builder.
    const refusals = new WeakMap<FastifyRequest, { rule: LimitRule; key: string }>();

    const secondLimiter = (rule: LimitRule) => {
      // Created on first use: createRateLimit exists once the plugin below is registered.
      let limiter: ReturnType<FastifyInstance['createRateLimit']> | undefined;
      return async (request: FastifyRequest) => {
        const key = rule.key(request);
        if (key === undefined) return;
        limiter ??= app.createRateLimit({
          max: rule.max,
          timeWindow: settings.windowMs,
          keyGenerator: (r) => rule.key(r) ?? '',
          skipOnError: true,
          ...memoryBound,
        });
        const result = await limiter(request);
        if (!result.isAllowed && result.isExceeded) throw refuse(request, rule, key, result.ttlInSeconds);
      };
    };

    // Runs before the rate-limit plugin's own onRoute hook (registered below), so the config it
    // sets is what that plugin reads.
    app.addHook('onRoute', (route: RouteOptions) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      const rules = methods.flatMap((method) => rulesFor(method, route.url, settings));
      const [first, ...more] = rules;
      if (!first) return;
      route.config = {
        ...(route.config ?? {}),
        rateLimit: {
          max: first.max,
          timeWindow: settings.windowMs,
          hook: first.hook,
          ...memoryBound,
          keyGenerator: (request) => first.key(request) ?? `anon:${clientAddress(request)}`,
          onExceeded: (request, key) => {
            refusals.set(request, { rule: first, key });
          },
          errorResponseBuilder: (request, context) => {
            const refusal = refusals.get(request);
            return refuse(request, refusal?.rule ?? first, refusal?.key ?? '', Math.ceil(context.ttl / 1000));
          },
        },
      };
      // The plugin runs one limiter per request; further limits on the route get a hook of their own.
      for (const rule of more) addHook(route, rule.hook, secondLimiter(rule));
    });

    await app.register(fastifyRateLimit, {
      global: false,
      timeWindow: settings.windowMs,
      // Fail open if Redis is down: an outage of the counter must not become an outage of login.
      skipOnError: true,
      ...(redis ? { redis, nameSpace: settings.redisPrefix } : memoryBound),
    });

    // The audit row is written before the 429 leaves, so a client that saw the refusal finds it audited.
    app.addHook('onSend', async (request) => {
      const pending = request[pendingAudit];
      if (pending) await pending;
    });
  },
  { name: 'rate-limits', dependencies: ['error-handler'] },
);

function addHook(route: RouteOptions, hook: 'onRequest' | 'preValidation', handler: (request: FastifyRequest) => Promise<void>) {
  const existing = route[hook];
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [existing];
  route[hook] = [...list, handler] as never;
}

async function auditRefusal(db: Database, request: FastifyRequest, kind: LimitKind, key: string, route: string) {
  const value = key.slice(key.indexOf(':') + 1);
  await db.transaction((tx) =>
    recordAudit(tx, {
      type: 'RATE_LIMITED',
      origin: originOf(request),
      contextId: kind === 'context' && isUuid(value) ? value : null,
      transactionId: kind === 'transaction' && isUuid(value) ? value : null,
      data: {
        key_kind: kind,
        // The username key is already a SHA-256; ip, journey and step ids are not secrets.
        ...(kind === 'username' ? { username_sha256: value } : {}),
        route,
        method: request.method,
      },
    }),
  );
}

/** Remembers which keys were already audited in the current window (bounded, per instance). */
class RefusalLog {
  private readonly seen = new Map<string, number>();
  constructor(private readonly windowMs: number) {}

  firstInWindow(key: string): boolean {
    const now = Date.now();
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    if (this.seen.size >= 10_000) {
      for (const [k, t] of this.seen) if (t <= now) this.seen.delete(k);
      if (this.seen.size >= 10_000) this.seen.clear();
    }
    this.seen.set(key, now + this.windowMs);
    return true;
  }
}

async function connectRedis(app: FastifyInstance, url: string): Promise<Redis> {
  // Loaded only when Redis is configured: the client costs about 0.3 s of CPU at every start.
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    // Never queue a limit check behind a reconnect: fail fast and let skipOnError pass the request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    commandTimeout: 500,
  });
  let lastLogged = 0;
  redis.on('error', (err) => {
    if (Date.now() - lastLogged > 60_000) {
      lastLogged = Date.now();
      app.log.warn({ err }, 'rate-limit store (Redis) unavailable: limits are not enforced until it is back');
    }
  });
  try {
    await redis.connect();
  } catch (err) {
    app.log.warn({ err }, 'rate-limit store (Redis) not reachable at start-up');
  }
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return redis;
}
