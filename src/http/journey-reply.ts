import type { FastifyReply } from 'fastify';
import type { Settings } from '../config/settings.js';
import type { JourneyAnswer } from '../journey/answers.js';
import { setRefreshCookie } from './refresh-cookie.js';

/**
 * Sends a journey answer: a next step as 200 with its body, or a success with the tokens (the
 * refresh token only as the cookie) under `successStatus`, which differs by endpoint in the contract.
 */
export function sendJourneyAnswer(
  reply: FastifyReply,
  settings: Settings,
  answer: JourneyAnswer,
  successStatus: 200 | 201,
  extra: Record<string, unknown> = {},
) {
  switch (answer.kind) {
    case 'MFA_REQUIRED':
      return reply.status(200).send({
        response_type_code: 'MFA_REQUIRED',
        otp_methods: answer.otpMethods,
        mobile_approve_status: answer.mobileApproveStatus,
        context_id: answer.contextId,
        transaction_id: answer.transactionId,
      });
    case 'ESIGN_REQUIRED':
      return reply.status(200).send({
        response_type_code: 'ESIGN_REQUIRED',
        context_id: answer.contextId,
        transaction_id: answer.transactionId,
        esign_document_id: answer.documentId,
        esign_url: `/auth/esign/documents/${encodeURIComponent(answer.documentId)}`,
      });
    case 'DEVICE_BIND_REQUIRED':
      return reply.status(200).send({
        response_type_code: 'DEVICE_BIND_REQUIRED',
        context_id: answer.contextId,
        transaction_id: answer.transactionId,
      });
    case 'SUCCESS':
      setRefreshCookie(reply, answer.tokens.refreshToken, settings);
      reply.header('cache-control', 'no-store');
      return reply.status(successStatus).send({
        response_type_code: 'SUCCESS',
        access_token: answer.tokens.accessToken,
        id_token: answer.tokens.idToken,
        token_type: 'Bearer',
        expires_in: answer.tokens.expiresIn,
        context_id: answer.contextId,
        ...(answer.transactionId ? { transaction_id: answer.transactionId } : {}),
        ...extra,
      });
  }
}
