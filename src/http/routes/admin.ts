import type { FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { AgentAuthenticator } from '../agent-auth.js';
import { bearerToken } from '../bearer.js';
import { adminInsightRoutes } from './admin-insights.js';
import { adminLockoutRoutes } from './admin-lockouts.js';
import { adminSessionRoutes } from './admin-sessions.js';

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
