/**
 * The rules every token statement shares, each written once as an SQL fragment: the single-row
 * statements of the careful refresh and the gateway, the one-statement login completion and the
 * batched refresh all build their conditions from these, so a rule cannot drift between them.
 * Arguments are SQL (a table alias, a column, a parameter), never values.
 */

/**
 * A token or a session that still counts: ACTIVE and not past its expiry. `status = 'ACTIVE'` is
 * spelled out so the planner matches the partial indexes on it (uq_tokens_active_hash,
 * idx_sessions_cupid_active).
 */
export function isLive(alias: string): string {
  return `${alias}.status = 'ACTIVE' AND ${alias}.expires_at > now()`;
}

/** Past its expiry, whatever its status: the careful refresh reports this apart from other refusals. */
export function isExpired(alias: string): string {
  return `${alias}.expires_at <= now()`;
}

/** A new token's expiry: its lifetime from now, but never later than its session's expiry. */
export function expiryCappedAtSession(lifetimeSeconds: string, sessionExpiresAt: string): string {
  return `least(now() + make_interval(secs => ${lifetimeSeconds}), ${sessionExpiresAt})`;
}

/**
 * A session's refresh token works only for the client the session was opened for (any client when
 * it names none); for another client it does not exist. False, never NULL, when no client asks.
 */
export function refreshableBy(sessionAlias: string, askingClientId: string): string {
  return `coalesce(${sessionAlias}.client_id IS NULL OR ${sessionAlias}.client_id = ${askingClientId}, false)`;
}

/**
 * The scopes granted to a client, looked up in a JSON object of client id → scopes built by
 * `clientScopesJson` (src/session/client-scopes.ts, where the rule is): an unknown or missing
 * client gets none there, and so here.
 */
export function scopesOfClient(clientScopesJson: string, clientId: string): string {
  return `ARRAY(SELECT jsonb_array_elements_text(coalesce(${clientScopesJson} -> ${clientId}, '[]'::jsonb)))`;
}
