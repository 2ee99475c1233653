import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Fastify's own JSON parser (secure-json-parse, with its prototype-poisoning guard), except that
 * an empty body is no body: a browser posting to /auth/refresh or /auth/logout with
 * `content-type: application/json` and nothing after it is not at fault. An operation that has a
 * body schema still refuses the missing body (400 CIAM_E01_05_001) when it validates.
 */
export const jsonBody = fp(
  async (app: FastifyInstance) => {
    const parseJson = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      if (body.length === 0) return done(null, undefined);
      return parseJson(request, body as string, done);
    });
  },
  { name: 'json-body' },
);
