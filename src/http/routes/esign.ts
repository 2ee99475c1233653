import type { FastifyInstance } from 'fastify';
import { acceptDocument, declineDocument, getDocument } from '../../journey/steps/esign.js';
import type { Services } from '../../services.js';
import { sendJourneyAnswer } from '../journey-reply.js';
import { originOf } from '../request-origin.js';
import { errors } from '../schemas/common.js';
import { text, timestamp } from '../schemas/input-formats.js';
import { deviceBindRequired, stepRefs, tokensBody } from '../schemas/journey.js';

interface AcceptBody {
  context_id: string;
  transaction_id: string;
  document_id: string;
  acceptance_ip?: string;
  acceptance_timestamp?: string;
}

const documentBody = {
  type: 'object',
  required: ['context_id', 'transaction_id', 'document_id'],
  properties: {
    ...stepRefs,
    document_id: text(100, { minLength: 1 }),
    acceptance_ip: text(64, { description: 'Informational; the service records the address it sees' }),
    acceptance_timestamp: timestamp('Informational; the service records its own clock'),
  },
} as const;

export async function esignRoutes(app: FastifyInstance, services: Services) {
  const deps = services.journey;

  app.get<{ Params: { document_id: string } }>(
    '/auth/esign/documents/:document_id',
    {
      schema: {
        tags: ['eSign'],
        summary: 'Read a document to sign',
        params: {
          type: 'object',
          required: ['document_id'],
          properties: { document_id: text(100, { minLength: 1 }) },
        },
        response: {
          200: {
            type: 'object',
            required: ['document_id', 'title', 'content', 'version', 'mandatory'],
            properties: {
              document_id: { type: 'string' },
              title: { type: 'string' },
              content: { type: 'string' },
              version: { type: 'string' },
              mandatory: { type: 'boolean' },
            },
          },
          ...errors(400, 401, 404, 503),
        },
      },
    },
    async (request) => getDocument(deps, request.params.document_id),
  );

  app.post<{ Body: AcceptBody }>(
    '/auth/esign/accept',
    {
      schema: {
        tags: ['eSign'],
        summary: 'Accept the presented document',
        body: documentBody,
        response: {
          200: deviceBindRequired,
          201: tokensBody(['context_id', 'transaction_id', 'esign_accepted', 'esign_accepted_at'], {
            esign_accepted: { type: 'boolean' },
            esign_accepted_at: { type: 'string', format: 'date-time' },
          }),
          ...errors(400, 401, 404, 410, 503),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const { answer, acceptedAt } = await acceptDocument(deps, {
        contextId: body.context_id,
        transactionId: body.transaction_id,
        documentId: body.document_id,
        claimedIp: body.acceptance_ip,
        claimedTimestamp: body.acceptance_timestamp,
        origin: originOf(request),
      });
      return sendJourneyAnswer(reply, services.settings, answer, 201, {
        transaction_id: body.transaction_id,
        esign_accepted: true,
        esign_accepted_at: acceptedAt.toISOString(),
      });
    },
  );

  app.post<{ Body: AcceptBody }>(
    '/auth/esign/decline',
    {
      schema: {
        tags: ['eSign'],
        summary: 'Decline the presented document — extension',
        description: 'Declining a mandatory document ends the journey: 403 CIAM_E01_04_003.',
        'x-extension': true,
        body: documentBody,
        response: { ...errors(400, 401, 403, 404, 410, 503) },
      },
    },
    async (request) => {
      const { body } = request;
      await declineDocument(deps, {
        contextId: body.context_id,
        transactionId: body.transaction_id,
        documentId: body.document_id,
        origin: originOf(request),
      });
    },
  );
}
