import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HEADER_TEXT_PATTERN } from '../schemas/input-formats.js';

declare module 'fastify' {
  interface FastifySchema {
    /** Set by the document's transform on contract routes; replaced by `commonHeaders` in the document. */
    'x-common-headers'?: boolean;
  }
}

/** Header parameters every contract route takes; added to each documented operation. */
const commonHeaders = [
  { name: 'x-client-id', in: 'header', required: true, schema: { type: 'string' }, description: 'A registered client id; unknown or missing → 401.' },
  { name: 'x-correlation-id', in: 'header', required: false, schema: { type: 'string', format: 'uuid' }, description: 'Tracing id, echoed on the response; generated when absent.' },
  { name: 'x-app-id', in: 'header', required: false, schema: { type: 'string', pattern: HEADER_TEXT_PATTERN } },
  { name: 'x-app-version', in: 'header', required: false, schema: { type: 'string', pattern: HEADER_TEXT_PATTERN } },
];

/**
 * The service's OpenAPI document, generated from the route schemas themselves so that the
 * document and the routes cannot drift: /openapi.json, and an interactive reference at /docs.
 */
export const openApi = fp(
  async (app: FastifyInstance) => {
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: {
          title: 'CIAM backend',
          version: '2.2.0',
          description:
            'Login journeys (password, device risk, MFA by SMS / voice / push with number matching, eSign, device ' +
            'binding), sessions and tokens, and the agent API of a bank\'s customer identity service. Operations ' +
            'and fields marked `x-extension: true` are additions to the reference contract 2.2.0.\n\n' +
            'Input: a body or query property this document does not list is ignored (removed before any work, never ' +
            'stored); an empty JSON body is accepted where an operation has no body. Strings of `format: text` are ' +
            'well-formed Unicode without control characters (no U+0000–U+001F, U+007F–U+009F, no lone surrogate); ' +
            '`format: page-cursor` is a `next_cursor` exactly as this service returned it. A value outside its schema ' +
            'answers 400 CIAM_E01_05_001 with `field` (extension) naming the input at fault.',
        },
        servers: [{ url: 'http://localhost:8080', description: 'Embedded development default' }],
        components: {
          securitySchemes: {
            cookieAuth: { type: 'apiKey', in: 'cookie', name: 'refresh_token' },
            apiKeyAuth: { type: 'apiKey', in: 'header', name: 'x-api-key' },
            bearerAuth: { type: 'http', scheme: 'bearer' },
            agentAuth: { type: 'http', scheme: 'bearer', description: 'Agent credential (workforce JWT or dev agent key).' },
          },
        },
      },
      refResolver: { buildLocalReference: (json, _base, _frag, i) => (json.$id as string) ?? `def-${i}` },
      transform: ({ schema, url, route }) => {
        const isPublic = Boolean((route.config as { public?: boolean } | undefined)?.public);
        return { schema: isPublic ? { ...schema } : { ...schema, 'x-common-headers': true }, url };
      },
      transformObject: (documentObject) => {
        const doc = (documentObject as { openapiObject: Record<string, any> }).openapiObject;
        for (const pathItem of Object.values<Record<string, any>>(doc.paths ?? {})) {
          for (const operation of Object.values<Record<string, any>>(pathItem)) {
            if (operation['x-common-headers']) {
              delete operation['x-common-headers'];
              const own = new Set((operation.parameters ?? []).map((p: { name: string }) => p.name));
              operation.parameters = [...(operation.parameters ?? []), ...commonHeaders.filter((h) => !own.has(h.name))];
            }
          }
        }
        return doc as never;
      },
    });
    // The reference page is read by people in a browser, who send no x-client-id.
    app.addHook('onRoute', (route) => {
      if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), public: true };
    });
    // The page's own policy (its scripts and styles, by hash), in place of the JSON default of
    // security-headers.ts; framed by no one, and no upgrade of requests on a plain-HTTP development host.
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list' },
      staticCSP: true,
      transformStaticCSP: (header) =>
        header.replace("frame-ancestors 'self'", "frame-ancestors 'none'").replace(/\s*upgrade-insecure-requests;?/, ''),
    });
    app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  },
  { name: 'openapi' },
);
