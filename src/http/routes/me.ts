import type { FastifyInstance, FastifyRequest } from 'fastify';
import { listTrustedDevices, revokeTrustedDevice } from '../../devices/device-trust.js';
import { CiamError } from '../../errors/catalogue.js';
import type { Services } from '../../services.js';
import { ownSessions, type LiveAccessToken } from '../../session/own-sessions.js';
import { bearerToken } from '../bearer.js';
import { originOf } from '../request-origin.js';
import { errors, uuidString } from '../schemas/common.js';
import { deviceItem, revokedDevice, revokedSession, sessionItem } from '../schemas/sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The customer behind the bearer access token (self-service routes). */
    customer?: LiveAccessToken;
  }
}

const CUSTOMER = 'CUSTOMER';
const schemaBase = { tags: ['Sessions'], 'x-extension': true, security: [{ bearerAuth: [] }] };
const sessionParams = { type: 'object', required: ['session_id'], properties: { session_id: uuidString } } as const;
const deviceParams = { type: 'object', required: ['device_id'], properties: { device_id: uuidString } } as const;

function customerOf(request: FastifyRequest): LiveAccessToken {
  return request.customer!;
}

/**
 * The customer's own sessions and trusted devices, reached with their access token. Another
 * customer's session or device answers 404 and is never touched.
 */
export async function meRoutes(app: FastifyInstance, services: Services) {
  const { db, sessions } = services;
  app.decorateRequest('customer', undefined);
  app.addHook('onRequest', async (request) => {
    request.customer = await sessions.authenticate(bearerToken(request));
  });

  app.get(
    '/me/sessions',
    {
      schema: {
        ...schemaBase,
        summary: 'My active sessions (extension)',
        description: 'One per device or browser; `current` marks the session of the token making the call.',
        response: {
          200: { type: 'object', required: ['sessions'], properties: { sessions: { type: 'array', items: sessionItem(true) } } },
          ...errors(401, 503),
        },
      },
    },
    async (request) => ({ sessions: await ownSessions(db, customerOf(request)) }),
  );

  app.delete<{ Params: { session_id: string } }>(
    '/me/sessions/:session_id',
    {
      schema: {
        ...schemaBase,
        summary: 'End one of my sessions (extension)',
        description: 'The session becomes REVOKED (revoked_by CUSTOMER) and its tokens REVOKED.',
        params: sessionParams,
        response: { 200: revokedSession, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const me = customerOf(request);
      const result = await sessions.revoke(
        request.params.session_id,
        { revokedBy: CUSTOMER, reason: 'ended by the customer', origin: originOf(request), audit: { acting_session_id: me.session_id } },
        me.cupid,
      );
      if (!result) throw new CiamError('CIAM_E00_00_004');
      return { success: true, session_id: result.sessionId, tokens_revoked: result.tokensRevoked };
    },
  );

  app.post(
    '/me/sessions/revoke-others',
    {
      schema: {
        ...schemaBase,
        summary: 'Sign out everywhere else (extension)',
        description: 'Revokes every active session of mine except the one making the call.',
        response: {
          200: {
            type: 'object',
            required: ['success', 'sessions_revoked', 'tokens_revoked'],
            properties: { success: { type: 'boolean' }, sessions_revoked: { type: 'integer' }, tokens_revoked: { type: 'integer' } },
          },
          ...errors(401, 503),
        },
      },
    },
    async (request) => {
      const me = customerOf(request);
      const r = await sessions.revokeAllOf(
        me.cupid,
        { revokedBy: CUSTOMER, reason: 'signed out elsewhere by the customer', origin: originOf(request), audit: { acting_session_id: me.session_id } },
        me.session_id,
      );
      return { success: true, sessions_revoked: r.sessionsRevoked, tokens_revoked: r.tokensRevoked };
    },
  );

  app.get(
    '/me/devices',
    {
      schema: {
        ...schemaBase,
        tags: ['Device'],
        summary: 'My trusted devices (extension)',
        response: {
          200: { type: 'object', required: ['devices'], properties: { devices: { type: 'array', items: deviceItem } } },
          ...errors(401, 503),
        },
      },
    },
    async (request) => ({ devices: await listTrustedDevices(db, customerOf(request).cupid, false) }),
  );

  app.delete<{ Params: { device_id: string } }>(
    '/me/devices/:device_id',
    {
      schema: {
        ...schemaBase,
        tags: ['Device'],
        summary: 'Stop trusting one of my devices (extension)',
        description: 'The next login from that device asks for MFA again.',
        params: deviceParams,
        response: { 200: revokedDevice, ...errors(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const me = customerOf(request);
      const result = await revokeTrustedDevice(
        db,
        request.params.device_id,
        { revokedBy: CUSTOMER, reason: 'removed by the customer', origin: originOf(request), audit: { acting_session_id: me.session_id } },
        me.cupid,
      );
      if (!result) throw new CiamError('CIAM_E00_00_004');
      return { success: true, device_id: request.params.device_id, status: result.status };
    },
  );
}
