import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { CiamError } from '../../errors/catalogue.js';
import { isUuid } from '../../security/uuid.js';
import { isHeaderText } from '../schemas/input-formats.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The registered x-client-id of the caller (undefined on public operational routes). */
    clientId?: string;
  }
  interface FastifyContextConfig {
    /** Operational routes (readiness, metrics, API reference) need no x-client-id. */
    public?: boolean;
  }
}

/** Headers the service stores (journey, session and audit rows), on any route. */
const STORED_HEADERS = ['user-agent', 'x-app-id', 'x-app-version'] as const;

function refuse(field: string): never {
  throw new CiamError('CIAM_E01_05_001', { body: { field } });
}

/** Fastify's genReqId: the caller's correlation id when it is a UUID, otherwise a new one. */
export function correlationIdFor(header: unknown): string {
  return typeof header === 'string' && isUuid(header) ? header.toLowerCase() : randomUUID();
}

/**
 * Runs first on every request, before the body is read and before any hook may write an audit
 * row: echoes the correlation id, refuses a malformed one or a stored header that HTTP could not
 * have carried (a NUL, a lone surrogate — only a caller bypassing the HTTP parser sends them),
 * and refuses callers that are not registered clients.
 */
export const clientAndCorrelation = fp(
  async (app: FastifyInstance, opts: { clients: Map<string, string[]> }) => {
    app.decorateRequest('clientId', undefined);
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-correlation-id', request.id);
      const given = request.headers['x-correlation-id'];
      if (given !== undefined && (typeof given !== 'string' || !isUuid(given))) refuse('x-correlation-id');
      for (const name of STORED_HEADERS) {
        const value = request.headers[name];
        if (value !== undefined && (typeof value !== 'string' || !isHeaderText(value))) refuse(name);
      }
      // Unknown routes answer 404 whoever asks; public operational routes need no client id.
      if (request.is404 || request.routeOptions.config?.public) return;
      const clientId = request.headers['x-client-id'];
      if (typeof clientId !== 'string' || !opts.clients.has(clientId)) {
        throw new CiamError('CIAM_E00_00_001');
      }
      request.clientId = clientId;
    });
  },
  { name: 'client-and-correlation' },
);
