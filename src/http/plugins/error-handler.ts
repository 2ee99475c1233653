import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { CiamError, type CiamErrorCode } from '../../errors/catalogue.js';
import { BUSY_RETRY_AFTER_SECONDS, isDatabaseBusy } from '../../store/database-busy.js';

/** The journey id to put in an error body: from the thrown error, else from the request body. */
function contextIdFor(request: FastifyRequest, err: unknown): string | undefined {
  if (err instanceof CiamError && err.details.contextId) return err.details.contextId;
  const body = request.body as { context_id?: unknown } | undefined;
  return body && typeof body === 'object' && typeof body.context_id === 'string' && body.context_id.length <= 64
    ? body.context_id
    : undefined;
}

interface SchemaError {
  instancePath: string;
  params?: { missingProperty?: unknown };
}

/**
 * The input a schema error is about: a JSON pointer into the body (`/device_fingerprint`,
 * `/scopes/3`), or the name of the path, query or header parameter (`cupid`, `from`, `x-app-id`).
 * Undefined when the error is about the whole part (a body that is not an object).
 */
function fieldOf(error: SchemaError | undefined, part: string | undefined): string | undefined {
  if (!error) return undefined;
  const missing = error.params?.missingProperty;
  const pointer =
    typeof missing === 'string' ? `${error.instancePath}/${missing.replace(/~/g, '~0').replace(/\//g, '~1')}` : error.instancePath;
  if (pointer === '') return undefined;
  if (part === 'body') return pointer;
  return pointer.split('/')[1]!.replace(/~1/g, '/').replace(/~0/g, '~');
}

function send(reply: FastifyReply, request: FastifyRequest, code: CiamErrorCode, err: unknown) {
  const ciam = err instanceof CiamError ? err : new CiamError(code);
  const contextId = contextIdFor(request, err);
  for (const [name, value] of Object.entries(ciam.details.headers ?? {})) reply.header(name, value);
  // A saturated pool or a lock or statement timeout passes quickly: say when to come back.
  if (ciam.status === 503 && !reply.hasHeader('retry-after') && isDatabaseBusy(err)) {
    reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
  }
  return reply
    .status(ciam.status)
    .send({ error_code: ciam.code, ...(contextId ? { context_id: contextId } : {}), ...ciam.details.body });
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or hook runs — a path
 * with broken percent-encoding (FST_ERR_BAD_URL) or a path parameter longer than the router's
 * limit (FST_ERR_MAX_PARAM_LENGTH, otherwise a bare 414) — answers like any malformed input.
 */
export function frameworkErrors(err: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  request.log.info({ code: err.code }, 'request rejected by the router');
  return send(reply, request, 'CIAM_E01_05_001', undefined);
}

/**
 * Every failure leaves as `{ error_code, context_id? }`: contract errors with their catalogued
 * status, malformed input as 400 CIAM_E01_05_001 (with `field` when one input is at fault),
 * anything unexpected as 503 CIAM_E05_00_001 with the cause in the log only — never a stack trace
 * or a 500.
 */
export const errorHandler = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError | CiamError, request, reply) => {
      if (err instanceof CiamError) {
        if (err.status >= 500) request.log.error({ err: err.details.cause ?? err }, err.message);
        return send(reply, request, err.code, err);
      }
      const fe = err as FastifyError;
      if (fe.validation) {
        request.log.info({ validation: fe.validation, context: fe.validationContext }, 'request rejected by schema');
        const field = fieldOf(fe.validation[0] as SchemaError | undefined, fe.validationContext);
        return send(reply, request, 'CIAM_E01_05_001', new CiamError('CIAM_E01_05_001', field === undefined ? {} : { body: { field } }));
      }
      if (fe.statusCode === 429) return send(reply, request, 'CIAM_E00_00_005', err);
      if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
        // Malformed JSON, body too large, unsupported content type, empty JSON body, bad URL …
        request.log.info({ code: fe.code }, 'request rejected before routing');
        return send(reply, request, 'CIAM_E01_05_001', err);
      }
      request.log.error({ err }, 'unexpected error');
      return send(reply, request, 'CIAM_E05_00_001', err);
    });
    app.setNotFoundHandler((request, reply) => send(reply, request, 'CIAM_E00_00_006', undefined));
  },
  { name: 'error-handler' },
);
