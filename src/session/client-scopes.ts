/** Client id → the scopes registered for it (CIAM_CLIENT_SCOPES). */
export type ClientScopes = Map<string, string[]>;

/**
 * The scopes an access token carries: those registered for the client its session was opened for;
 * none for a session without a client or a client not registered.
 */
export function scopesOfClient(clients: ClientScopes, clientId: string | null | undefined): string[] {
  return (clientId && clients.get(clientId)) || [];
}

/**
 * The same rule for a statement that issues tokens to many sessions at once (the batched refresh):
 * a JSON object of every registered client's scopes, looked up in SQL by the session's client. A
 * client missing from it gets none there as here (see queries/token-rules.ts).
 */
export function clientScopesJson(clients: ClientScopes): string {
  return JSON.stringify(Object.fromEntries([...clients.keys()].map((id) => [id, scopesOfClient(clients, id)])));
}
