import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import type { OperationsSettings } from '../config/operations.js';
import { usernameKey } from '../security/digests.js';
import { clientIp } from './request-origin.js';

/** What a limit counts by; recorded in the RATE_LIMITED audit row and the metric. */
export type LimitKind = 'ip' | 'username' | 'context' | 'transaction';

export interface LimitRule {
  kind: LimitKind;
  max: number;
  /**
   * `onRequest` refuses before the body is even read; limits keyed on a body field must wait
   * until it is parsed (`preValidation`: before schema validation, so malformed floods count too).
   */
  hook: 'onRequest' | 'preValidation';
  /** The counter's key, or undefined when the request carries nothing to key on. */
  key(request: FastifyRequest): string | undefined;
}

const bodyField = (request: FastifyRequest, field: string): string | undefined => {
  const body = request.body as Record<string, unknown> | undefined;
  const value = body && typeof body === 'object' ? body[field] : undefined;
  // Longer values fail the schema anyway; they must not become unbounded keys.
  return typeof value === 'string' && value.length > 0 && value.length <= 256 ? value : undefined;
};

/** IPv6 callers are counted per /64: one subscriber holds a whole /64 and can rotate through it. */
export const clientAddress = (request: FastifyRequest): string => normalizeIP(clientIp(request));

/**
 * Which limits apply to which route, by method and URL template — so that route files need not
 * know about abuse limits. The first rule of a route is attached through the rate-limit plugin's
 * route config; a second (login by username) runs as its own hook.
 */
export function rulesFor(method: string, url: string, limits: OperationsSettings['rateLimits']): LimitRule[] {
  if (method !== 'POST') return [];
  switch (url) {
    case '/auth/login':
      return [
        { kind: 'ip', max: limits.loginPerIp, hook: 'onRequest', key: (r) => `ip:${clientAddress(r)}` },
        {
          kind: 'username',
          max: limits.loginPerUsername,
          hook: 'preValidation',
          // Hashed as the lockout hashes it: case variants share one counter, and no name reaches Redis.
          key: (r) => {
            const username = bodyField(r, 'username');
            return username === undefined ? undefined : `user:${usernameKey(username)}`;
          },
        },
      ];
    case '/auth/mfa/initiate':
    case '/auth/mfa/otp/verify':
      return [
        {
          kind: 'context',
          max: limits.mfaPerContext,
          hook: 'preValidation',
          key: (r) => {
            const contextId = bodyField(r, 'context_id');
            return contextId === undefined ? undefined : `ctx:${contextId}`;
          },
        },
      ];
    case '/auth/mfa/transactions/:transaction_id/approve':
    case '/auth/mfa/transactions/:transaction_id/deny':
      // The phone's answer: per address, then per step (a step also rejects itself after a few wrong secrets).
      return [
        { kind: 'ip', max: limits.pushAnswerPerIp, hook: 'onRequest', key: (r) => `push-ip:${clientAddress(r)}` },
        {
          kind: 'transaction',
          max: limits.pushAnswerPerTransaction,
          hook: 'onRequest',
          key: (r) => {
            const id = (r.params as { transaction_id?: unknown } | undefined)?.transaction_id;
            return typeof id === 'string' && id.length <= 64 ? `push-tx:${id}` : undefined;
          },
        },
      ];
    case '/auth/mfa/transactions/:transaction_id':
      return [
        {
          kind: 'transaction',
          max: limits.pollPerTransaction,
          hook: 'onRequest',
          key: (r) => {
            const id = (r.params as { transaction_id?: unknown } | undefined)?.transaction_id;
            return typeof id === 'string' && id.length <= 64 ? `tx:${id}` : undefined;
          },
        },
      ];
    default:
      return [];
  }
}
