/** JSON schemas shared by routes: the error body, token answers, common fields. */
import { ERROR_CATALOGUE, ERROR_CODES } from '../../errors/catalogue.js';
import { HEADER_TEXT_PATTERN } from './input-formats.js';

/** The catalogue as the OpenAPI document shows it: one line per code, its status and meaning. */
const catalogueText = ERROR_CODES.map((code) => `${code} (${ERROR_CATALOGUE[code].status}): ${ERROR_CATALOGUE[code].meaning}`).join('\n');

export const uuidString = { type: 'string', format: 'uuid' } as const;

export const errorBody = {
  $id: 'ErrorResponse',
  type: 'object',
  description: 'Every error: a CIAM code, and the journey id when one is known.',
  required: ['error_code'],
  properties: {
    error_code: {
      type: 'string',
      enum: ERROR_CODES,
      description: `A code of the error catalogue (src/errors/catalogue.ts):\n${catalogueText}`,
    },
    context_id: { type: 'string' },
    transaction_id: { type: 'string', description: 'For CIAM_E01_01_017 and CIAM_E01_01_019: the step to retry with.' },
    otp_methods: {
      type: 'array',
      description: 'For CIAM_E01_01_019: the phones still on offer (the refused one is gone).',
      items: {
        type: 'object',
        properties: { value: { type: 'string' }, mfa_option_id: { type: 'integer' } },
      },
    },
    mobile_approve_status: { type: 'string', description: 'For CIAM_E01_01_019: whether push remains on offer.' },
    field: {
      type: 'string',
      'x-extension': true,
      description:
        'For CIAM_E01_05_001, when one input is at fault: a JSON pointer into the body (`/device_fingerprint`, ' +
        '`/scopes/3`) or the name of the path, query or header parameter (`cupid`, `from`, `x-app-id`).',
    },
  },
} as const;

const errorRef = { $ref: 'ErrorResponse#' } as const;

/** Response entry for a list of statuses that answer with the error body. */
export function errors(...statuses: number[]): Record<number, typeof errorRef> {
  return Object.fromEntries(statuses.map((s) => [s, errorRef]));
}

export const tokenFields = {
  response_type_code: { type: 'string', enum: ['SUCCESS'] },
  access_token: { type: 'string' },
  id_token: { type: 'string' },
  token_type: { type: 'string', enum: ['Bearer'] },
  expires_in: { type: 'integer' },
  context_id: { type: 'string' },
  transaction_id: { type: 'string' },
} as const;

/**
 * Optional client headers stored on the journey (auth_contexts.app_id varchar(50), app_version
 * varchar(20)): longer values are refused up front rather than truncated.
 */
export const journeyHeaders = {
  type: 'object',
  properties: {
    'x-app-id': { type: 'string', maxLength: 50, pattern: HEADER_TEXT_PATTERN },
    'x-app-version': { type: 'string', maxLength: 20, pattern: HEADER_TEXT_PATTERN },
  },
} as const;
