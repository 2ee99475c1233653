import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { ID_TOKEN_ALG } from '../../session/signing-keys.js';
import { bearerToken } from '../bearer.js';
import { errors } from '../schemas/common.js';

// Public members of EC and RSA keys only: a private member can never be serialized by mistake.
const publicJwk = {
  type: 'object',
  properties: {
    kty: { type: 'string' },
    use: { type: 'string' },
    alg: { type: 'string' },
    kid: { type: 'string' },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    n: { type: 'string' },
    e: { type: 'string' },
  },
} as const;

/** Where relying parties find the ID-token keys, the discovery document, and who a token belongs to. */
export async function oidcRoutes(app: FastifyInstance, services: Services) {
  const { settings, signingKeys, sessions, db } = services;

  app.get(
    '/.well-known/jwks.json',
    {
      // Relying-party libraries fetch the keys and the discovery document without an x-client-id.
      config: { public: true },
      schema: {
        tags: ['OIDC'],
        summary: 'Public keys that verify ID tokens',
        description:
          'The signing key and every retired key whose ID tokens may still be valid. A retired key leaves the set ' +
          'once every token it signed has expired.',
        response: {
          200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: publicJwk } } },
          ...errors(401, 503),
        },
      },
    },
    async (_request, reply) => {
      // Short: a key created by another instance must reach relying parties quickly.
      reply.header('cache-control', 'public, max-age=60');
      return { keys: await signingKeys.publicKeys(db.reads) };
    },
  );

  app.get(
    '/.well-known/openid-configuration',
    {
      config: { public: true },
      schema: {
        tags: ['OIDC'],
        summary: 'OpenID Connect discovery document (extension)',
        description:
          'Describes the ID tokens this service issues at the end of a login journey. There is no authorization ' +
          'endpoint: tokens come from the journey itself (POST /auth/login and its steps).',
        'x-extension': true,
        response: {
          200: {
            type: 'object',
            properties: {
              issuer: { type: 'string' },
              jwks_uri: { type: 'string' },
              userinfo_endpoint: { type: 'string' },
              response_types_supported: { type: 'array', items: { type: 'string' } },
              subject_types_supported: { type: 'array', items: { type: 'string' } },
              id_token_signing_alg_values_supported: { type: 'array', items: { type: 'string' } },
              scopes_supported: { type: 'array', items: { type: 'string' } },
              claims_supported: { type: 'array', items: { type: 'string' } },
            },
          },
          ...errors(401),
        },
      },
    },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return {
        issuer: settings.issuer,
        jwks_uri: `${settings.issuer}/.well-known/jwks.json`,
        userinfo_endpoint: `${settings.issuer}/userinfo`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: [ID_TOKEN_ALG],
        scopes_supported: [...new Set([...settings.clients.values()].flat())].sort(),
        claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'auth_time', 'sid'],
      };
    },
  );

  app.get(
    '/userinfo',
    {
      schema: {
        tags: ['User'],
        summary: 'Who the bearer access token belongs to (extension)',
        description: 'Only the customer reference (CUPID) and the session: the service stores no other personal data.',
        'x-extension': true,
        security: [{ bearerAuth: [] }],
        response: {
          200: {
            type: 'object',
            required: ['sub', 'sid'],
            properties: { sub: { type: 'string', description: 'The CUPID.' }, sid: { type: 'string' } },
          },
          ...errors(401, 503),
        },
      },
    },
    async (request, reply) => {
      const who = await sessions.authenticate(bearerToken(request));
      reply.header('cache-control', 'no-store');
      return { sub: who.cupid, sid: who.session_id };
    },
  );
}
