import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordAudit } from '../../audit/record.js';
import type { Services } from '../../services.js';
import { AgentAuthenticator, type AgentIdentity } from '../agent-auth.js';
import { bearerToken } from '../bearer.js';
import { originOf } from '../request-origin.js';
import { adminInsightRoutes } from './admin-insights.js';
import { adminLockoutRoutes } from './admin-lockouts.js';
import { adminSessionRoutes } from './admin-sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated customer-service agent (agent API only). */
    agent?: AgentIdentity;
  }
}

export function agentOf(request: FastifyRequest): AgentIdentity {
  return request.agent!;
}

/** Audits an agent's read: who looked at what, and why when they said. */
export async function auditAgentRead(
  services: Services,
  request: FastifyRequest,
  action: string,
  target: { cupid?: string; reason?: string; [k: string]: unknown },
): Promise<void> {
  const { cupid, reason, ...rest } = target;
  const agent = agentOf(request);
  await recordAudit(services.db, {
    type: 'AGENT_ACCESS',
    origin: originOf(request),
    cupid: cupid ?? null,
    data: { agent_id: agent.agentId, auth_method: agent.method, action, reason: reason ?? null, ...rest },
  });
}

/**
 * The agent API: customer-service agents list and revoke sessions and devices and read a
 * customer's history. Every route here requires an agent credential (never a customer's token),
 * and the acting agent's id — not anything in the body — is what the audit and revoked_by record.
 */
export async function adminRoutes(app: FastifyInstance, services: Services) {
  const agents = new AgentAuthenticator(services.settings);
  app.decorateRequest('agent', undefined);
  app.addHook('onRequest', async (request) => {
    request.agent = await agents.authenticate(bearerToken(request));
  });
  await app.register(adminSessionRoutes, services);
  await app.register(adminInsightRoutes, services);
  await app.register(adminLockoutRoutes, services);
}
