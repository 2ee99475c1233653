import type { FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';

/**
 * Paths pino removes from every log line: credentials, codes, tokens, secrets and cookies may
 * appear in request objects or in error details, and must never reach a log.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  '*.password',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.approval_secret',
  '*.secret',
  'password',
  'token',
  'approval_secret',
  // A one-time code travels as `code` in a request body. `code` elsewhere is an error's code
  // (SQLSTATE, Fastify's FST_…, a provider's): an operator needs it, so only bodies are redacted.
  'body.code',
  'req.body.code',
  '*.body.code',
  'one_time_code',
  '*.one_time_code',
];

/** `stream`: where lines go (the service passes its bounded LogDestination); pino's default otherwise. */
export function loggerOptions(level: string, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    // A request's correlation id is its Fastify request id, so every line of it carries the id.
  };
}
