import type { FastifyInstance } from 'fastify';
import type { Database } from '../../store/database.js';
import { migrationsCurrent } from '../../store/migrate.js';
import { errors } from '../schemas/common.js';

export interface HealthDeps {
  db: Database;
  /** False once shutdown has begun, so the load balancer stops sending traffic. */
  accepting: () => boolean;
}

export async function healthRoutes(app: FastifyInstance, deps: HealthDeps) {
  app.get(
    '/health',
    {
      schema: {
        tags: ['Health'],
        summary: 'Liveness',
        response: {
          200: {
            type: 'object',
            required: ['status', 'timestamp'],
            properties: { status: { type: 'string', enum: ['OK'] }, timestamp: { type: 'string', format: 'date-time' } },
          },
          ...errors(401),
        },
      },
    },
    async () => ({ status: 'OK', timestamp: new Date().toISOString() }),
  );

  app.get(
    '/health/ready',
    {
      config: { public: true },
      schema: {
        tags: ['Health'],
        summary: 'Readiness: database reachable and migrations current (extension)',
        'x-extension': true,
        response: {
          200: readyBody,
          503: readyBody,
        },
      },
    },
    async (_request, reply) => {
      const checks = { database: false, migrations: false, accepting: deps.accepting() };
      try {
        checks.migrations = await migrationsCurrent(deps.db);
        checks.database = true;
      } catch {
        // database unreachable: both stay false
      }
      const ready = checks.database && checks.migrations && checks.accepting;
      return reply.status(ready ? 200 : 503).send({ status: ready ? 'READY' : 'NOT_READY', checks });
    },
  );
}

const readyBody = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['READY', 'NOT_READY'] },
    checks: {
      type: 'object',
      properties: { database: { type: 'boolean' }, migrations: { type: 'boolean' }, accepting: { type: 'boolean' } },
    },
  },
} as const;
