import type { FastifyInstance } from 'fastify';
import { readCustomerDevices, readCustomerSessions } from '../../agent/agent-reads.js';
import { revokeTrustedDevice } from '../../devices/device-trust.js';
import { CiamError } from '../../errors/catalogue.js';
import type { Services } from '../../services.js';
import type { Revoker } from '../../session/revoke-sessions.js';
import { agentOf, readerOf } from '../agent-request.js';
import { originOf } from '../request-origin.js';
import { adminSchemaBase, cupidParams, flag, readReason, reason } from '../schemas/admin.js';
import { errors, uuidString } from '../schemas/common.js';
import { agentSessionItem, deviceItem, revokedDevice, revokedSession } from '../schemas/sessions.js';

const base = { ...adminSchemaBase, tags: ['Agent'] };
const agentErrors = errors(400, 401, 403, 503);

/** Agents acting on a customer's sessions and trusted devices. */
export async function adminSessionRoutes(app: FastifyInstance, services: Services) {
  const { db, sessions } = services;
  const revoker = (request: Parameters<typeof originOf>[0], why: string): Revoker => {
    const agent = agentOf(request);
    return { revokedBy: agent.agentId, reason: why, origin: originOf(request), audit: { agent_id: agent.agentId, auth_method: agent.method } };
  };

  app.post<{ Body: { session_id: string; reason: string } }>(
    '/admin/sessions/revoke',
    {
      schema: {
        ...base,
        summary: 'Revoke a session (extension)',
        description:
          'The session becomes REVOKED with revoked_by = the authenticated agent and the given reason; its tokens ' +
          'are REVOKED, so its refresh cookie and access token stop working at once. An already ended session is ' +
          'left as it is (tokens_revoked 0).',
        body: {
          type: 'object',
          required: ['session_id', 'reason'],
          properties: { session_id: uuidString, reason },
        },
        response: { 200: revokedSession, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const result = await sessions.revoke(request.body.session_id, revoker(request, request.body.reason));
      if (!result) throw new CiamError('CIAM_E00_00_004');
      return { success: true, session_id: result.sessionId, tokens_revoked: result.tokensRevoked };
    },
  );

  app.post<{ Params: { cupid: string }; Body: { reason: string } }>(
    '/admin/customers/:cupid/sessions/revoke',
    {
      schema: {
        ...base,
        summary: 'Revoke every active session of a customer (extension)',
        params: cupidParams,
        body: { type: 'object', required: ['reason'], properties: { reason } },
        response: {
          200: {
            type: 'object',
            required: ['success', 'cupid', 'sessions_revoked', 'tokens_revoked'],
            properties: {
              success: { type: 'boolean' },
              cupid: { type: 'string' },
              sessions_revoked: { type: 'integer' },
              tokens_revoked: { type: 'integer' },
            },
          },
          ...agentErrors,
        },
      },
    },
    async (request) => {
      const { cupid } = request.params;
      const r = await sessions.revokeAllOf(cupid, revoker(request, request.body.reason));
      return { success: true, cupid, sessions_revoked: r.sessionsRevoked, tokens_revoked: r.tokensRevoked };
    },
  );

  app.get<{ Params: { cupid: string }; Querystring: { reason?: string } }>(
    '/admin/customers/:cupid/sessions',
    {
      schema: {
        ...base,
        summary: 'A customer\'s active sessions with their live tokens (extension)',
        params: cupidParams,
        querystring: { type: 'object', properties: { reason: readReason } },
        response: {
          200: {
            type: 'object',
            required: ['cupid', 'sessions'],
            properties: { cupid: { type: 'string' }, sessions: { type: 'array', items: agentSessionItem } },
          },
          ...agentErrors,
        },
      },
    },
    async (request) => {
      const { cupid } = request.params;
      return { cupid, sessions: await readCustomerSessions(db, cupid, readerOf(request, request.query.reason)) };
    },
  );

  app.get<{ Params: { cupid: string }; Querystring: { reason?: string; include_revoked?: 'true' | 'false' } }>(
    '/admin/customers/:cupid/devices',
    {
      schema: {
        ...base,
        summary: 'A customer\'s trusted devices (extension)',
        params: cupidParams,
        querystring: {
          type: 'object',
          properties: {
            reason: readReason,
            include_revoked: { ...flag, description: 'Also list revoked and expired devices.' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['cupid', 'devices'],
            properties: { cupid: { type: 'string' }, devices: { type: 'array', items: deviceItem } },
          },
          ...agentErrors,
        },
      },
    },
    async (request) => {
      const { cupid } = request.params;
      const includeRevoked = request.query.include_revoked === 'true';
      return { cupid, devices: await readCustomerDevices(db, cupid, includeRevoked, readerOf(request, request.query.reason)) };
    },
  );

  app.post<{ Body: { device_id: string; reason: string } }>(
    '/admin/devices/revoke',
    {
      schema: {
        ...base,
        summary: 'Stop trusting a device (extension)',
        description: 'The next login from the device asks for MFA again. Audited as DEVICE_REVOKED with the agent and reason.',
        body: {
          type: 'object',
          required: ['device_id', 'reason'],
          properties: { device_id: uuidString, reason },
        },
        response: { 200: revokedDevice, ...errors(400, 401, 403, 404, 503) },
      },
    },
    async (request) => {
      const r = revoker(request, request.body.reason);
      const result = await revokeTrustedDevice(db, request.body.device_id, r);
      if (!result) throw new CiamError('CIAM_E00_00_004');
      return { success: true, device_id: request.body.device_id, status: result.status };
    },
  );
}
