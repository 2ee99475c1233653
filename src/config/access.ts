import { z } from 'zod';
import { csv, list, optionalText, optionalUrl, readEnv, refuseInProduction, SettingsError, text, type Env } from './fields.js';

/** Who may call the service: the registered clients, the gateway, and the agents. */
const AccessEnv = z.object({
  /** Registered x-client-id values. */
  CIAM_CLIENT_IDS: list('web-banking,mobile-app'),
  /** Scopes granted per client: `client:scope scope;client2:scope`. Clients not listed get `openid profile`. */
  CIAM_CLIENT_SCOPES: optionalText(),
  /**
   * Clients that may log in without a drs_action_token when CIAM_DRS=transmit (comma separated,
   * each one of CIAM_CLIENT_IDS). Any other client's login without a token counts as CHALLENGE: MFA,
   * and no trusted-device shortcut. Ignored by the simulator, which never asks for a token.
   */
  CIAM_DRS_EXEMPT_CLIENTS: list(),
  /** x-api-key values the gateway may present on /auth/token/verify (comma separated, for rotation). */
  CIAM_GATEWAY_API_KEY: optionalText(),
  /** Development agent credentials `agentId:secret,…`, sent as `Authorization: Bearer <secret>`. */
  CIAM_AGENT_KEYS: optionalText(),
  /** Workforce identity provider for the agent API in production. */
  CIAM_AGENT_JWKS_URL: optionalUrl(),
  CIAM_AGENT_ISSUER: optionalText(),
  CIAM_AGENT_AUDIENCE: optionalText(),
  CIAM_AGENT_ROLE: text('ciam-agent'),
  CIAM_AGENT_ROLE_CLAIM: text('roles'),
});

export interface AgentIdentityProvider {
  jwksUrl: string;
  issuer: string;
  audience: string;
  role: string;
  roleClaim: string;
}

export interface AccessSettings {
  clients: Map<string, string[]>;
  /** Clients whose logins need no drs_action_token under CIAM_DRS=transmit. */
  drsExemptClients: ReadonlySet<string>;
  gatewayApiKeys: string[];
  /** Development agent secret → agent id. */
  agentKeys: Map<string, string>;
  agentIdentityProvider?: AgentIdentityProvider;
}

// Development defaults: usable out of the box, refused in production.
const DEV_GATEWAY_KEY = 'dev-gateway-key-change-me';
const DEV_AGENT_KEYS = 'agent-dev:dev-agent-secret-change-me';
const DEFAULT_SCOPES = ['openid', 'profile'];

export function readAccessSettings(env: Env, production: boolean): AccessSettings {
  const e = readEnv(AccessEnv, env);
  if (production) {
    if (!e.CIAM_GATEWAY_API_KEY) refuseInProduction('CIAM_GATEWAY_API_KEY is missing.');
    if (e.CIAM_AGENT_KEYS) refuseInProduction('CIAM_AGENT_KEYS is set (development agent keys) — configure CIAM_AGENT_JWKS_URL.');
    if (!e.CIAM_AGENT_JWKS_URL || !e.CIAM_AGENT_ISSUER || !e.CIAM_AGENT_AUDIENCE) {
      refuseInProduction('CIAM_AGENT_JWKS_URL, CIAM_AGENT_ISSUER and CIAM_AGENT_AUDIENCE are required for the agent API.');
    }
  }
  const gatewayApiKeys = csv(e.CIAM_GATEWAY_API_KEY ?? DEV_GATEWAY_KEY);
  if (gatewayApiKeys.some((k) => k.length < 16)) {
    throw new SettingsError('CIAM_GATEWAY_API_KEY values must be at least 16 characters.');
  }
  return {
    clients: clients(e.CIAM_CLIENT_IDS, e.CIAM_CLIENT_SCOPES),
    drsExemptClients: drsExemptClients(e.CIAM_DRS_EXEMPT_CLIENTS, e.CIAM_CLIENT_IDS),
    gatewayApiKeys,
    agentKeys: agentKeys(production ? e.CIAM_AGENT_KEYS : (e.CIAM_AGENT_KEYS ?? DEV_AGENT_KEYS)),
    agentIdentityProvider:
      e.CIAM_AGENT_JWKS_URL && e.CIAM_AGENT_ISSUER && e.CIAM_AGENT_AUDIENCE
        ? {
            jwksUrl: e.CIAM_AGENT_JWKS_URL,
            issuer: e.CIAM_AGENT_ISSUER,
            audience: e.CIAM_AGENT_AUDIENCE,
            role: e.CIAM_AGENT_ROLE,
            roleClaim: e.CIAM_AGENT_ROLE_CLAIM,
          }
        : undefined,
  };
}

function clients(ids: string[], scopes: string | undefined): Map<string, string[]> {
  const clients = new Map(ids.map((id) => [id, DEFAULT_SCOPES] as [string, string[]]));
  for (const entry of (scopes ?? '').split(';').map((s) => s.trim()).filter(Boolean)) {
    // Scopes may contain colons themselves (accounts:read): only the first one ends the client id.
    const at = entry.indexOf(':');
    const client = entry.slice(0, Math.max(at, 0)).trim();
    if (at <= 0 || !clients.has(client)) {
      throw new SettingsError(`CIAM_CLIENT_SCOPES names "${client || entry}", which is not in CIAM_CLIENT_IDS.`);
    }
    clients.set(client, entry.slice(at + 1).split(/\s+/).filter(Boolean));
  }
  return clients;
}

function agentKeys(value: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of csv(value)) {
    const at = pair.indexOf(':');
    const agentId = pair.slice(0, at).trim();
    const secret = pair.slice(at + 1).trim();
    if (at <= 0 || secret.length < 16) {
      throw new SettingsError('CIAM_AGENT_KEYS must be `agentId:secret,…` with secrets of at least 16 characters.');
    }
    keys.set(secret, agentId);
  }
  return keys;
}

function drsExemptClients(exempt: string[], clientIds: string[]): ReadonlySet<string> {
  const known = new Set(clientIds);
  const unknown = exempt.find((client) => !known.has(client));
  if (unknown !== undefined) throw new SettingsError(`CIAM_DRS_EXEMPT_CLIENTS names "${unknown}", which is not in CIAM_CLIENT_IDS.`);
  return new Set(exempt);
}
