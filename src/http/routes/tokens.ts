import type { FastifyInstance } from 'fastify';
import { CiamError } from '../../errors/catalogue.js';
import { ciamMetrics } from '../../observability/metrics.js';
import type { Services } from '../../services.js';
import { bearerToken } from '../bearer.js';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie } from '../refresh-cookie.js';
import { originOf } from '../request-origin.js';
import { errors } from '../schemas/common.js';
import { text } from '../schemas/input-formats.js';
import { secretMatcher } from '../secret-match.js';

const refreshed = {
  type: 'object',
  required: ['success', 'access_token', 'token_type', 'expires_in'],
  properties: {
    success: { type: 'boolean', enum: [true] },
    access_token: { type: 'string' },
    token_type: { type: 'string', enum: ['Bearer'] },
    expires_in: { type: 'integer', description: 'Access token lifetime in seconds.' },
  },
} as const;

const apiKeyHeader = {
  type: 'object',
  properties: { 'x-api-key': { type: 'string', description: 'The gateway\'s API key; missing or wrong → 401 CIAM_E04_00_010.' } },
} as const;

interface VerifyBody {
  token: string;
  scopes?: string[];
}

/** Refresh-token rotation, logout, and the gateway's access-token check. */
export async function tokenRoutes(app: FastifyInstance, services: Services) {
  const { sessions, settings } = services;

  app.post(
    '/auth/refresh',
    {
      schema: {
        tags: ['Authentication'],
        summary: 'Exchange the refresh cookie for a new access token (the refresh token rotates)',
        description:
          'Reads the refresh token from the `refresh_token` cookie only. Both the presented refresh token and the ' +
          'session\'s access token become ROTATED; the answer carries a new access token and sets a new cookie. ' +
          'Presenting a rotated refresh token again revokes the whole session, except for the immediately previous ' +
          'token within the configured grace window (two tabs refreshing together).',
        security: [{ cookieAuth: [] }],
        response: { 200: refreshed, ...errors(400, 401, 503) },
      },
    },
    async (request, reply) => {
      const presented = refreshCookieOf(request.cookies, services.settings);
      if (!presented) throw new CiamError('CIAM_E04_00_008');
      const tokens = await sessions.refresh(presented, originOf(request));
      // Failures leave the cookie alone: after a lost race the browser may already hold the winner's token.
      setRefreshCookie(reply, tokens.refreshToken, settings);
      reply.header('cache-control', 'no-store');
      return { success: true, access_token: tokens.accessToken, token_type: 'Bearer', expires_in: tokens.expiresIn };
    },
  );

  app.post(
    '/auth/logout',
    {
      schema: {
        tags: ['Authentication'],
        summary: 'Log out: end the session of the refresh cookie and/or the bearer access token',
        description:
          'The session becomes LOGGED_OUT and all its tokens REVOKED; the refresh cookie is cleared. Answers 200 ' +
          'whether or not a live session was found, so logging out twice is harmless.',
        security: [{ cookieAuth: [] }, { bearerAuth: [] }, {}],
        response: {
          200: {
            type: 'object',
            required: ['success', 'message'],
            properties: { success: { type: 'boolean' }, message: { type: 'string' } },
          },
          ...errors(400, 401, 503),
        },
      },
    },
    async (request, reply) => {
      await sessions.logout({ refreshToken: refreshCookieOf(request.cookies, services.settings) || undefined, accessToken: bearerToken(request) }, originOf(request));
      clearRefreshCookie(reply, settings);
      return { success: true, message: 'Logout successful' };
    },
  );

  const gatewayKey = secretMatcher(settings.gatewayApiKeys.map((k) => [k, true] as [string, boolean]));
  app.post<{ Body: VerifyBody }>(
    '/auth/token/verify',
    {
      // Before the body is parsed or validated: an unauthenticated caller learns nothing.
      onRequest: async (request) => {
        if (!gatewayKey(request.headers['x-api-key'])) {
          ciamMetrics.tokenVerifications.inc({ result: 'bad_api_key' });
          throw new CiamError('CIAM_E04_00_010');
        }
      },
      schema: {
        tags: ['Authentication'],
        summary: 'Verify an access token for the API gateway',
        description:
          'Active when the token is a live access token of a live session and carries every requested scope. ' +
          'One indexed lookup, no cache: a revoked, rotated or expired token is inactive on the next call.',
        security: [{ apiKeyAuth: [] }],
        headers: apiKeyHeader,
        body: {
          type: 'object',
          required: ['token'],
          properties: {
            token: text(4096, { minLength: 1 }),
            scopes: { type: 'array', maxItems: 50, items: text(200, { minLength: 1 }) },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['active'],
            properties: {
              active: { type: 'boolean' },
              expires_in: { type: 'integer', description: 'Seconds until the token expires; only when active.' },
            },
          },
          ...errors(400, 401, 503),
        },
      },
    },
    async (request) => {
      const verdict = await sessions.verify(request.body.token, request.body.scopes);
      ciamMetrics.tokenVerifications.inc({ result: verdict.active ? 'active' : 'inactive' });
      return verdict.active ? { active: true, expires_in: verdict.expiresIn } : { active: false };
    },
  );
}
