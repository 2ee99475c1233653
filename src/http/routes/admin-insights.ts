import type { FastifyInstance } from 'fastify';
import { readAuditTimeline, readHighRiskLogins, readJobRuns } from '../../agent/agent-reads.js';
import type { Services } from '../../services.js';
import { readerOf } from '../agent-request.js';
import { decodeCursor, nextCursor } from '../page-cursor.js';
import { adminSchemaBase, cupidParams, pageSize, readReason, timeRange } from '../schemas/admin.js';
import { errors } from '../schemas/common.js';
import { text } from '../schemas/input-formats.js';

const base = { ...adminSchemaBase, tags: ['Agent'] };
const agentErrors = errors(400, 401, 403, 503);
const nullableString = { type: ['string', 'null'] } as const;

interface PageQuery {
  from?: string;
  to?: string;
  limit?: string;
  cursor?: string;
  reason?: string;
}

const auditEvent = {
  type: 'object',
  properties: {
    audit_id: { type: 'string' },
    event_type: { type: 'string' },
    event_category: { type: 'string' },
    severity: { type: 'string' },
    context_id: nullableString,
    transaction_id: nullableString,
    session_id: nullableString,
    correlation_id: nullableString,
    ip_address: nullableString,
    user_agent: nullableString,
    event_data: { type: 'object', additionalProperties: true },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

const highRiskLogin = {
  type: 'object',
  properties: {
    evaluation_id: { type: 'string' },
    context_id: { type: 'string' },
    cupid: { type: 'string' },
    recommendation: { type: 'string' },
    risk_score: { type: 'integer' },
    signals: { type: ['array', 'null'], items: { type: 'object', additionalProperties: true } },
    device_id: nullableString,
    ip_address: { type: 'string' },
    auth_outcome: nullableString,
    completed_at: { type: ['string', 'null'], format: 'date-time' },
    created_at: { type: 'string', format: 'date-time' },
  },
} as const;

/** What agents read: a customer's audit timeline, high-risk logins, maintenance job runs. */
export async function adminInsightRoutes(app: FastifyInstance, services: Services) {
  const { db } = services;

  app.get<{ Params: { cupid: string }; Querystring: PageQuery }>(
    '/admin/customers/:cupid/audit',
    {
      schema: {
        ...base,
        summary: 'A customer\'s audit timeline, newest first (extension)',
        description: 'Keyset-paged: pass `next_cursor` back as `cursor` for the next page; null on the last page.',
        params: cupidParams,
        querystring: { type: 'object', properties: { ...timeRange, reason: readReason } },
        response: {
          200: {
            type: 'object',
            required: ['cupid', 'events', 'next_cursor'],
            properties: { cupid: { type: 'string' }, events: { type: 'array', items: auditEvent }, next_cursor: nullableString },
          },
          ...agentErrors,
        },
      },
    },
    async (request) => {
      const { cupid } = request.params;
      const q = request.query;
      const limit = pageSize(q.limit);
      const page = { from: q.from, to: q.to, after: decodeCursor(q.cursor), limit };
      const events = await readAuditTimeline(db, cupid, page, readerOf(request, q.reason));
      return { cupid, events, next_cursor: nextCursor(events, limit, (e) => ({ at: e.created_at, id: e.audit_id })) };
    },
  );

  app.get<{ Querystring: PageQuery & { min_score?: string } }>(
    '/admin/high-risk-logins',
    {
      schema: {
        ...base,
        summary: 'Logins the device-risk service scored high (extension)',
        description: 'From v_high_risk_logins (risk ≥ 70), newest first, keyset-paged like the audit timeline.',
        querystring: {
          type: 'object',
          properties: {
            ...timeRange,
            reason: readReason,
            min_score: { type: 'string', pattern: '^(?:7[0-9]|8[0-9]|9[0-9]|100)$', description: 'At least 70 (default 70).' },
          },
        },
        response: {
          200: {
            type: 'object',
            required: ['logins', 'next_cursor'],
            properties: { logins: { type: 'array', items: highRiskLogin }, next_cursor: nullableString },
          },
          ...agentErrors,
        },
      },
    },
    async (request) => {
      const q = request.query;
      const limit = pageSize(q.limit);
      const minScore = q.min_score ? Number.parseInt(q.min_score, 10) : 70;
      const page = { from: q.from, to: q.to, minScore, after: decodeCursor(q.cursor), limit };
      const logins = await readHighRiskLogins(db, page, readerOf(request, q.reason));
      return { logins, next_cursor: nextCursor(logins, limit, (l) => ({ at: l.created_at, id: l.evaluation_id })) };
    },
  );

  app.get<{ Querystring: { job_name?: string; limit?: string; reason?: string } }>(
    '/admin/jobs/runs',
    {
      schema: {
        ...base,
        summary: 'Recent maintenance job runs (extension)',
        querystring: {
          type: 'object',
          properties: { job_name: text(100), limit: timeRange.limit, reason: readReason },
        },
        response: {
          200: {
            type: 'object',
            required: ['runs'],
            properties: {
              runs: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    run_id: { type: 'string' },
                    job_name: { type: 'string' },
                    started_at: { type: 'string', format: 'date-time' },
                    duration_ms: { type: ['integer', 'null'] },
                    rows_changed: { type: ['integer', 'null'] },
                    error: nullableString,
                  },
                },
              },
            },
          },
          ...agentErrors,
        },
      },
    },
    async (request) => {
      const { limit, job_name: jobName, reason } = request.query;
      return { runs: await readJobRuns(db, pageSize(limit), jobName, readerOf(request, reason)) };
    },
  );
}
