import { isIP } from 'node:net';
import type { FastifyRequest } from 'fastify';
import type { RequestOrigin } from '../audit/record.js';

/**
 * The client's address as the service trusts it: the socket address, or the proxy-supplied one
 * only when CIAM_TRUST_PROXY says the proxy is ours — never an address from the body.
 *
 * A forwarded address that is not an IP address (`X-Forwarded-For: not-an-ip`) is replaced by the
 * socket address, the nearest hop, which is always a real address. Not "unknown": an unknown
 * address would match no deny-list entry and share no rate-limit bucket, so junk would be a way
 * around both; and it must never reach SQL, where one invalid `inet` fails every statement it
 * shares (the batched refresh rotates many customers' tokens in one statement).
 */
export function clientIp(request: FastifyRequest): string {
  const forwarded = request.ip;
  if (isIP(forwarded)) return forwarded;
  const socket = request.socket.remoteAddress;
  return socket && isIP(socket) ? socket : '0.0.0.0';
}

/** Where a request came from, as the service trusts it (see clientIp). */
export function originOf(request: FastifyRequest): RequestOrigin {
  const ua = request.headers['user-agent'];
  return {
    correlationId: request.id,
    ipAddress: clientIp(request),
    userAgent: typeof ua === 'string' ? ua.slice(0, 1000) : undefined,
    clientId: request.clientId,
  };
}

export function headerString(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
