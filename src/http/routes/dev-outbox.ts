import type { FastifyInstance } from 'fastify';
import type { DevOutbox } from '../../providers/delivery/dev-outbox.js';
import { text } from '../schemas/input-formats.js';

/**
 * GET /dev/outbox: what the development outbox "sent" — codes, push numbers and approval
 * secrets. Registered only in development mode with the outbox enabled; absent in production.
 */
export async function devOutboxRoutes(app: FastifyInstance, outbox: DevOutbox) {
  app.get<{ Querystring: { cupid?: string } }>(
    '/dev/outbox',
    {
      schema: {
        tags: ['Development'],
        summary: 'Messages of the development outbox, newest first — development only, extension',
        'x-extension': true,
        querystring: { type: 'object', properties: { cupid: text(50) } },
        response: {
          200: {
            type: 'object',
            required: ['messages'],
            properties: {
              messages: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['channel', 'cupid', 'transaction_id', 'created_at'],
                  properties: {
                    channel: { type: 'string', enum: ['sms', 'voice', 'push'] },
                    cupid: { type: 'string' },
                    transaction_id: { type: 'string' },
                    context_id: { type: 'string', description: 'Push only: the journey, as the real push payload carries it.' },
                    code: { type: 'string' },
                    display_number: { type: 'integer' },
                    approval_secret: { type: 'string' },
                    created_at: { type: 'string', format: 'date-time' },
                  },
                },
              },
            },
          },
        },
      },
    },
    async (request) => ({ messages: outbox.list(request.query.cupid) }),
  );
}
