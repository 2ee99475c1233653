import { tokenFields } from './common.js';
import { text } from './input-formats.js';

/** Response bodies of the login journey, as the contract names them. */

export const mfaRequired = {
  type: 'object',
  description: 'MFA is needed: pick a phone (sms / voice) or push, then call /auth/mfa/initiate.',
  required: ['response_type_code', 'otp_methods', 'mobile_approve_status', 'context_id', 'transaction_id'],
  properties: {
    response_type_code: { type: 'string', enum: ['MFA_REQUIRED'] },
    otp_methods: {
      type: 'array',
      items: {
        type: 'object',
        required: ['value', 'mfa_option_id'],
        properties: { value: { type: 'string', description: 'Last four digits' }, mfa_option_id: { type: 'integer' } },
      },
    },
    mobile_approve_status: { type: 'string', enum: ['NOT_REGISTERED', 'ENABLED', 'DISABLED'] },
    context_id: { type: 'string' },
    transaction_id: { type: 'string' },
  },
} as const;

export const esignRequired = {
  type: 'object',
  description: 'A mandatory document must be accepted: read it at esign_url, then /auth/esign/accept.',
  required: ['response_type_code', 'context_id', 'transaction_id', 'esign_document_id', 'esign_url'],
  properties: {
    response_type_code: { type: 'string', enum: ['ESIGN_REQUIRED'] },
    context_id: { type: 'string' },
    transaction_id: { type: 'string' },
    esign_document_id: { type: 'string' },
    esign_url: { type: 'string' },
  },
} as const;

export const deviceBindRequired = {
  type: 'object',
  description: 'Offer to trust this device: answer with /auth/device/bind.',
  required: ['response_type_code', 'context_id', 'transaction_id'],
  properties: {
    response_type_code: { type: 'string', enum: ['DEVICE_BIND_REQUIRED'] },
    context_id: { type: 'string' },
    transaction_id: { type: 'string' },
  },
} as const;

export const mfaPending = {
  type: 'object',
  description: 'The phone has not answered yet: poll again after retry_after milliseconds.',
  required: ['response_type_code', 'transaction_id'],
  properties: {
    response_type_code: { type: 'string', enum: ['MFA_PENDING'] },
    transaction_id: { type: 'string' },
    expires_at: { type: 'string', format: 'date-time' },
    retry_after: { type: 'integer' },
  },
} as const;

/** Tokens at the end of a journey; the refresh token is only in the Set-Cookie header. */
export function tokensBody(required: string[], extra: Record<string, unknown> = {}) {
  return {
    type: 'object',
    description: 'Signed in. The refresh token is set as an HttpOnly cookie, never in the body.',
    required: ['response_type_code', 'access_token', 'id_token', 'token_type', 'expires_in', ...required],
    properties: { ...tokenFields, ...extra },
  } as const;
}

/** A 200 that is one of the next-step bodies (fast-json-stringify handles anyOf). */
export function nextStep(...bodies: object[]) {
  return { anyOf: bodies } as const;
}

export const stepRefs = {
  context_id: text(64),
  transaction_id: text(64),
} as const;
