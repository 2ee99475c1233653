import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/record.js';

/**
 * Where a request came from, as the service trusts it: the socket address (or the proxy-supplied
 * one only when CIAM_TRUST_PROXY says the proxy is ours), never an address from the body.
 */
export function originOf(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return {
    correlationId: request.id,
    ipAddress: request.ip,
    userAgent: typeof ua === 'string' ? ua.slice(0, 1000) : undefined,
    clientId: request.clientId,
  };
}

export function headerString(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
