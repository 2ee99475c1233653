/** Sessions and trusted devices as the self-service and agent routes show them. */

const timestamp = { type: 'string', format: 'date-time' } as const;

export function sessionItem(withCurrent: boolean) {
  return {
    type: 'object',
    required: ['session_id', 'created_at', 'expires_at'],
    properties: {
      session_id: { type: 'string' },
      ...(withCurrent ? { current: { type: 'boolean', description: 'The session of the token making this call.' } } : {}),
      client_id: { type: ['string', 'null'] },
      ip_address: { type: 'string' },
      user_agent: { type: ['string', 'null'] },
      created_at: timestamp,
      last_activity_at: timestamp,
      expires_at: timestamp,
    },
  } as const;
}

export const agentSessionItem = {
  type: 'object',
  required: ['session_id', 'created_at', 'expires_at'],
  properties: {
    ...sessionItem(false).properties,
    context_id: { type: 'string' },
    device_fingerprint: {
      type: ['string', 'null'],
      description: 'A short label of the device (the first hex digits of its keyed hash): tells devices apart, cannot be replayed.',
    },
    active_token_count: { type: 'integer' },
    has_active_access_token: { type: 'boolean' },
    has_active_refresh_token: { type: 'boolean' },
  },
} as const;

export const deviceItem = {
  type: 'object',
  required: ['device_id', 'status', 'trusted_at'],
  properties: {
    device_id: { type: 'string' },
    device_name: { type: ['string', 'null'] },
    device_type: { type: ['string', 'null'] },
    status: { type: 'string', enum: ['ACTIVE', 'REVOKED', 'EXPIRED'] },
    trusted_at: timestamp,
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
  },
} as const;

/** The answer to revoking one session, by the customer or by an agent. */
export const revokedSession = {
  type: 'object',
  required: ['success', 'session_id', 'tokens_revoked'],
  properties: {
    success: { type: 'boolean' },
    session_id: { type: 'string' },
    tokens_revoked: { type: 'integer', description: 'Tokens this call revoked (0 when the session had already ended).' },
  },
} as const;

/** The answer to revoking one trusted device, by the customer or by an agent. */
export const revokedDevice = {
  type: 'object',
  required: ['success', 'device_id', 'status'],
  properties: { success: { type: 'boolean' }, device_id: { type: 'string' }, status: { type: 'string', enum: ['ACTIVE', 'REVOKED', 'EXPIRED'] } },
} as const;
