import type { FastifyInstance } from 'fastify';
import { unlockPassword } from '../../security/password-unlock.js';
import type { Services } from '../../services.js';
import { agentOf } from '../agent-request.js';
import { originOf } from '../request-origin.js';
import { adminSchemaBase, reason } from '../schemas/admin.js';
import { errors } from '../schemas/common.js';
import { text } from '../schemas/input-formats.js';

/** Agents lifting a password lockout the service applied. */
export async function adminLockoutRoutes(app: FastifyInstance, services: Services) {
  app.post<{ Body: { username: string; reason: string } }>(
    '/admin/password-lockouts/unlock',
    {
      schema: {
        ...adminSchemaBase,
        tags: ['Agent'],
        summary: 'Lift a password lockout (extension)',
        description:
          'Clears the failed-password count of a username, including a lock at CIAM_PASSWORD_FAILURE_CEILING, which ' +
          'nothing else lifts. Applies to the lockout the service keeps for the embedded directory; an LDAP ' +
          'directory\'s own password policy is unlocked in the directory. Audited as PASSWORD_UNLOCKED with the agent and reason.',
        body: {
          type: 'object',
          required: ['username', 'reason'],
          properties: { username: text(256, { minLength: 1 }), reason },
        },
        response: {
          200: {
            type: 'object',
            required: ['success', 'unlocked', 'lock'],
            properties: {
              success: { type: 'boolean' },
              unlocked: { type: 'boolean', description: 'False when the username had no failed passwords on record.' },
              lock: { type: 'string', enum: ['ceiling', 'temporary', 'none'], description: 'The lock that was lifted.' },
            },
          },
          ...errors(400, 401, 403, 503),
        },
      },
    },
    async (request) => {
      const agent = agentOf(request);
      const result = await unlockPassword(services.db, request.body.username, {
        agentId: agent.agentId,
        authMethod: agent.method,
        reason: request.body.reason,
        origin: originOf(request),
      });
      return { success: true, ...result };
    },
  );
}
