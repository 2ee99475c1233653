import { pageCursor, text, timestamp } from './input-formats.js';

/** Schema pieces shared by the agent API routes. */

export const adminSchemaBase = { 'x-extension': true, security: [{ agentAuth: [] }] } as const;

export const reason = text(500, { minLength: 3, description: 'Why the agent acts (recorded in the audit log and on the session).' });

export const cupidParams = {
  type: 'object',
  required: ['cupid'],
  properties: { cupid: text(50, { minLength: 1 }) },
} as const;

/** Optional `reason` on reads: recorded with the AGENT_ACCESS audit row. */
export const readReason = { ...reason, description: 'Why the agent looks (recorded in the audit log).' } as const;

export const timeRange = {
  from: timestamp('Inclusive lower bound.'),
  to: timestamp('Exclusive upper bound.'),
  // Query strings stay strings (the service validates without type coercion).
  limit: { type: 'string', pattern: '^(?:[1-9]|[1-9][0-9]|1[0-9][0-9]|200)$', description: 'Page size, 1–200 (default 50).' },
  cursor: pageCursor,
} as const;

export const flag = { type: 'string', enum: ['true', 'false'] } as const;

export function pageSize(limit: string | undefined): number {
  return limit ? Number.parseInt(limit, 10) : 50;
}
