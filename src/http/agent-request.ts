import type { FastifyRequest } from 'fastify';
import type { AgentReader } from '../agent/agent-reads.js';
import type { AgentIdentity } from './agent-auth.js';
import { originOf } from './request-origin.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated customer-service agent (agent API only). */
    agent?: AgentIdentity;
  }
}

/** The agent the agent API's onRequest hook authenticated. */
export function agentOf(request: FastifyRequest): AgentIdentity {
  return request.agent!;
}

/** The agent behind a request as the audit of their read records them. */
export function readerOf(request: FastifyRequest, reason: string | undefined): AgentReader {
  const agent = agentOf(request);
  return { agentId: agent.agentId, authMethod: agent.method, origin: originOf(request), reason };
}
