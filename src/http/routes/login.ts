import type { FastifyInstance } from 'fastify';
import { login } from '../../journey/login.js';
import { normalizeUsername } from '../../security/username.js';
import type { Services } from '../../services.js';
import { headerString, originOf } from '../request-origin.js';
import { errors, journeyHeaders } from '../schemas/common.js';
import { text } from '../schemas/input-formats.js';
import { deviceBindRequired, esignRequired, mfaRequired, nextStep, tokensBody } from '../schemas/journey.js';
import { sendJourneyAnswer } from '../journey-reply.js';

interface LoginBody {
  username: string;
  password: string;
  transmit_aid: string;
  context_id?: string;
  drs_action_token?: string;
  device_fingerprint?: string;
}

export async function loginRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: LoginBody }>(
    '/auth/login',
    {
      // The edge: one form of the username for the rate limits (their hook comes after this one),
      // the lockout and the directory alike. Before validation, so only a string is touched.
      preValidation: async (request) => {
        const body = request.body as { username?: unknown } | undefined;
        if (body && typeof body === 'object' && typeof body.username === 'string') body.username = normalizeUsername(body.username);
      },
      schema: {
        tags: ['Authentication'],
        summary: 'Log in with username and password',
        description:
          'Checks the password with the directory and the device risk, then answers with the first step the ' +
          'customer needs (MFA, eSign) or with tokens. `device_fingerprint` is an extension kept for compatibility: ' +
          'it grants nothing — device trust follows only the device id the device-risk service returns for drs_action_token.',
        headers: journeyHeaders,
        body: {
          type: 'object',
          required: ['username', 'password', 'transmit_aid'],
          properties: {
            username: text(256, { minLength: 1 }),
            password: text(1024, { minLength: 1 }),
            transmit_aid: text(256),
            context_id: text(64),
            drs_action_token: text(4096, { minLength: 1 }),
            device_fingerprint: text(512, { minLength: 1, 'x-extension': true }),
          },
        },
        response: {
          200: nextStep(mfaRequired, esignRequired, deviceBindRequired),
          201: tokensBody(['context_id']),
          ...errors(400, 401, 403, 423, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const origin = originOf(request);
      const answer = await login(services.journey, {
        username: body.username,
        password: body.password,
        transmitAid: body.transmit_aid,
        contextId: body.context_id,
        drsActionToken: body.drs_action_token,
        deviceFingerprint: body.device_fingerprint,
        appId: headerString(request, 'x-app-id') ?? origin.clientId ?? 'unknown',
        appVersion: headerString(request, 'x-app-version') ?? 'unknown',
        origin,
      });
      return sendJourneyAnswer(reply, services.settings, answer, 201);
    },
  );
}
