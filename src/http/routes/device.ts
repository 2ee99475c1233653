import type { FastifyInstance } from 'fastify';
import { bindDevice } from '../../journey/steps/device-bind.js';
import type { Services } from '../../services.js';
import { sendJourneyAnswer } from '../journey-reply.js';
import { originOf } from '../request-origin.js';
import { errors } from '../schemas/common.js';
import { stepRefs, tokensBody } from '../schemas/journey.js';

export async function deviceRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: { context_id: string; transaction_id: string; bind_device: boolean } }>(
    '/auth/device/bind',
    {
      schema: {
        tags: ['Device'],
        summary: 'Trust this device for later logins, or decline',
        description: 'Either answer completes the login; device_bound says whether the device is now trusted.',
        body: {
          type: 'object',
          required: ['context_id', 'transaction_id', 'bind_device'],
          properties: { ...stepRefs, bind_device: { type: 'boolean' } },
        },
        response: {
          200: tokensBody(['context_id', 'device_bound'], { device_bound: { type: 'boolean' } }),
          ...errors(400, 401, 404, 410, 503),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const { answer, deviceBound } = await bindDevice(services.journey, {
        contextId: body.context_id,
        transactionId: body.transaction_id,
        bindDevice: body.bind_device,
        origin: originOf(request),
      });
      return sendJourneyAnswer(reply, services.settings, answer, 200, { device_bound: deviceBound });
    },
  );
}
