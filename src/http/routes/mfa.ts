import type { FastifyInstance } from 'fastify';
import { CiamError } from '../../errors/catalogue.js';
import { initiateMfa } from '../../journey/steps/mfa-initiate.js';
import { verifyOtp } from '../../journey/steps/otp-verify.js';
import { approvePush, denyPush, pollPush } from '../../journey/steps/push.js';
import type { Services } from '../../services.js';
import { sendJourneyAnswer } from '../journey-reply.js';
import { originOf } from '../request-origin.js';
import { errors } from '../schemas/common.js';
import { text } from '../schemas/input-formats.js';
import { deviceBindRequired, esignRequired, mfaPending, nextStep, stepRefs, tokensBody } from '../schemas/journey.js';

const transactionParams = {
  type: 'object',
  required: ['transaction_id'],
  properties: { transaction_id: text(64) },
} as const;

const phoneAnswer = {
  type: 'object',
  required: ['success', 'transaction_id'],
  properties: { success: { type: 'boolean' }, transaction_id: { type: 'string' } },
} as const;

export async function mfaRoutes(app: FastifyInstance, services: Services) {
  const deps = services.journey;

  app.post<{ Body: { context_id: string; transaction_id: string; method: 'sms' | 'voice' | 'push'; mfa_option_id?: number } }>(
    '/auth/mfa/initiate',
    {
      schema: {
        tags: ['MFA'],
        summary: 'Send a one-time code (sms, voice) or a push',
        body: {
          type: 'object',
          required: ['context_id', 'transaction_id', 'method'],
          properties: {
            ...stepRefs,
            // Any string reaches the handler so that an unknown method gets its own code (CIAM_E01_01_009).
            method: text(16, { description: 'sms, voice or push' }),
            mfa_option_id: { type: 'integer', enum: [1, 2, 3, 4, 5, 6], description: 'Required for sms and voice' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['response_type_code', 'transaction_id', 'expires_at'],
            properties: {
              response_type_code: { type: 'string', enum: ['OTP_VERIFY_REQUIRED', 'PUSH_VERIFY_REQUIRED'] },
              transaction_id: { type: 'string' },
              expires_at: { type: 'string', format: 'date-time' },
              display_number: { type: 'integer', description: 'Push only: show it; the phone must pick the same number' },
            },
          },
          ...errors(400, 401, 404, 410, 423, 429, 503),
        },
      },
    },
    async (request) => {
      const { body } = request;
      if (!['sms', 'voice', 'push'].includes(body.method)) {
        throw new CiamError('CIAM_E01_01_009', { contextId: body.context_id });
      }
      const answer = await initiateMfa(deps, {
        contextId: body.context_id,
        transactionId: body.transaction_id,
        method: body.method,
        mfaOptionId: body.mfa_option_id,
        origin: originOf(request),
      });
      return {
        response_type_code: answer.kind,
        transaction_id: answer.transactionId,
        expires_at: answer.expiresAt.toISOString(),
        ...(answer.kind === 'PUSH_VERIFY_REQUIRED' ? { display_number: answer.displayNumber } : {}),
      };
    },
  );

  app.post<{ Body: { context_id: string; transaction_id: string; code: string } }>(
    '/auth/mfa/otp/verify',
    {
      schema: {
        tags: ['MFA'],
        summary: 'Verify a one-time code',
        description: 'A wrong code answers 400 CIAM_E01_01_017 with the transaction_id of the step to retry with.',
        body: {
          type: 'object',
          required: ['context_id', 'transaction_id', 'code'],
          properties: { ...stepRefs, code: text(16, { minLength: 1 }) },
        },
        response: {
          200: nextStep(esignRequired, deviceBindRequired),
          201: tokensBody(['transaction_id']),
          ...errors(400, 401, 404, 410, 423, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const { body } = request;
      const answer = await verifyOtp(deps, {
        contextId: body.context_id,
        transactionId: body.transaction_id,
        code: body.code,
        origin: originOf(request),
      });
      return sendJourneyAnswer(reply, services.settings, answer, 201);
    },
  );

  app.post<{ Params: { transaction_id: string }; Body: { context_id: string } }>(
    '/auth/mfa/transactions/:transaction_id',
    {
      schema: {
        tags: ['MFA'],
        summary: 'Poll a push challenge (browser)',
        params: transactionParams,
        body: {
          type: 'object',
          required: ['context_id'],
          properties: { context_id: stepRefs.context_id },
        },
        response: {
          200: nextStep(mfaPending, esignRequired, deviceBindRequired),
          201: tokensBody(['transaction_id']),
          ...errors(400, 401, 404, 410, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const answer = await pollPush(deps, {
        contextId: request.body.context_id,
        transactionId: request.params.transaction_id,
        origin: originOf(request),
      });
      if (answer.kind === 'MFA_PENDING') {
        return reply.status(200).send({
          response_type_code: 'MFA_PENDING',
          transaction_id: answer.transactionId,
          expires_at: answer.expiresAt.toISOString(),
          retry_after: answer.retryAfterMs,
        });
      }
      return sendJourneyAnswer(reply, services.settings, answer, 201);
    },
  );

  app.post<{ Params: { transaction_id: string }; Body: { context_id: string; selected_number: number; approval_secret: string } }>(
    '/auth/mfa/transactions/:transaction_id/approve',
    {
      schema: {
        tags: ['MFA'],
        summary: 'Approve a push challenge (the customer\'s phone)',
        description:
          'Number matching: selected_number must equal the number shown in the browser, or the step is rejected. ' +
          '`approval_secret` (extension, required) is the one-time secret delivered only to the phone with the push.',
        params: transactionParams,
        body: {
          type: 'object',
          required: ['context_id', 'selected_number', 'approval_secret'],
          properties: {
            context_id: stepRefs.context_id,
            selected_number: { type: 'integer', minimum: 0, maximum: 1000 },
            approval_secret: text(128, { minLength: 1, 'x-extension': true }),
          },
        },
        response: { 200: phoneAnswer, ...errors(400, 401, 404, 410, 429, 503) },
      },
    },
    async (request) => {
      const answer = await approvePush(deps, {
        contextId: request.body.context_id,
        transactionId: request.params.transaction_id,
        selectedNumber: request.body.selected_number,
        approvalSecret: request.body.approval_secret,
        origin: originOf(request),
      });
      return { success: answer.success, transaction_id: answer.transactionId };
    },
  );

  app.post<{ Params: { transaction_id: string }; Body: { context_id: string; approval_secret: string } }>(
    '/auth/mfa/transactions/:transaction_id/deny',
    {
      schema: {
        tags: ['MFA'],
        summary: 'Deny a push challenge (the customer\'s phone) — extension',
        'x-extension': true,
        params: transactionParams,
        body: {
          type: 'object',
          required: ['context_id', 'approval_secret'],
          properties: { context_id: stepRefs.context_id, approval_secret: text(128, { minLength: 1 }) },
        },
        response: { 200: phoneAnswer, ...errors(400, 401, 404, 410, 429, 503) },
      },
    },
    async (request) => {
      const answer = await denyPush(deps, {
        contextId: request.body.context_id,
        transactionId: request.params.transaction_id,
        approvalSecret: request.body.approval_secret,
        origin: originOf(request),
      });
      return { success: answer.success, transaction_id: answer.transactionId };
    },
  );
}
