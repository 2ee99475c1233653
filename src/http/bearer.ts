import type { FastifyRequest } from 'fastify';

/** The credential of an `Authorization: Bearer <credential>` header, if that is what was sent. */
export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer[ ]+([^\s]+)\s*$/i.exec(header);
  return match?.[1];
}
