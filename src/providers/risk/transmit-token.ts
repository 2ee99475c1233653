import type { TransmitSettings } from '../../config/transmit.js';

/**
 * The audience Transmit issues Detection and Response tokens for. A token asked for without it
 * targets Transmit's identity APIs and the risk API refuses it.
 */
export const TRANSMIT_RISK_RESOURCE = 'https://risk.identity.security';
import { discard, readObject, send, statusFailure, unavailable, untilAborted } from './transmit-http.js';

/** Transmit documents one hour as the lifetime of client access tokens; used when an answer omits it. */
const DEFAULT_LIFETIME_SECONDS = 3_600;
/** Renew this long before expiry so a token never lapses between our check and Transmit's. */
const MAX_RENEW_EARLY_MS = 30_000;

const LABEL = 'Transmit token endpoint';

/**
 * The client-credentials access token for Transmit's risk API (OAuth 2.0 client_credentials grant
 * at /oidc/token with the risk resource as audience). Kept in memory until shortly before it
 * expires; concurrent logins that find none share a single token request, so a burst of logins
 * after a restart costs one round trip, not one each.
 *
 * `get` throws ProviderUnavailableError when no token can be had before the caller's deadline.
 */
export class TransmitAccessToken {
  private current?: { value: string; renewAt: number };
  private pending?: Promise<string>;

  constructor(
    private readonly settings: TransmitSettings,
    private readonly now: () => number = Date.now,
  ) {}

  get(signal: AbortSignal): Promise<string> {
    const current = this.current;
    if (current && this.now() < current.renewAt) return Promise.resolve(current.value);
    this.pending ??= this.request().finally(() => {
      this.pending = undefined;
    });
    return untilAborted(this.pending, signal, LABEL);
  }

  /**
   * Forgets a token the API refused (revoked, or expired early). A newer token fetched meanwhile
   * by another login is kept.
   */
  invalidate(value: string): void {
    if (this.current?.value === value) this.current = undefined;
  }

  // The request runs on its own deadline rather than the first caller's: others may be waiting on it.
  private async request(): Promise<string> {
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    const askedAt = this.now();
    const response = await send(
      this.settings.tokenUrl,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: this.settings.clientId,
          client_secret: this.settings.clientSecret,
          resource: TRANSMIT_RISK_RESOURCE,
        }).toString(),
      },
      signal,
      LABEL,
    );
    if (response.status !== 200) {
      await discard(response);
      throw statusFailure(response.status, LABEL);
    }
    const body = await readObject(response, signal, LABEL);
    const value = body.access_token;
    if (typeof value !== 'string' || value.length === 0) throw unavailable(`${LABEL} answered no access_token.`);

    const lifetimeMs = lifetimeSeconds(body.expires_in) * 1000;
    // Counted from when we asked, not when the answer came: the token's clock started no later.
    this.current = { value, renewAt: askedAt + lifetimeMs - Math.min(MAX_RENEW_EARLY_MS, lifetimeMs / 10) };
    return value;
  }
}

function lifetimeSeconds(expiresIn: unknown): number {
  const seconds = typeof expiresIn === 'string' ? Number(expiresIn) : expiresIn;
  return typeof seconds === 'number' && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_LIFETIME_SECONDS;
}
