import type { DeviceRisk, RiskAssessment, RiskRequest } from './port.js';
import type { TransmitSettings } from '../../config/transmit.js';
import { TransmitAccessToken } from './transmit-token.js';
import { toAssessment } from './transmit-recommendation.js';
import { discard, PROVIDER, readObject, send, statusFailure, unavailable } from './transmit-http.js';
import { ProviderRefusedError, ProviderUnavailableError } from '../errors.js';

interface ApiRequest {
  method: 'GET' | 'POST';
  url: string;
  json?: unknown;
}

/** Statuses by which Transmit's recommendation call rejects the action token in the request. */
const ABOUT_THE_TOKEN = new Set([400, 404, 422]);

export interface TransmitDrsOptions {
  /** The clock the token cache reads (tests move it past a token's expiry). */
  now?: () => number;
  /** Told why an action result could not be reported; the login has finished and must not care. */
  onReportFailure?: (reason: string) => void;
}

/**
 * Device risk from Transmit Security Detection and Response (CIAM_DRS=transmit).
 *
 * - evaluate: GET {base}/risk/v1/recommendation?action_token=… with the client-credentials token.
 *   The whole call, token included, fits in CIAM_TRANSMIT_TIMEOUT_MS.
 * - reportOutcome: POST {base}/risk/v1/action/result {action_token, result, user_id}, so Transmit
 *   learns which challenged logins were genuine. Best effort: never throws.
 *
 * A 401 from the API means our cached token was revoked or expired early: one new token, one retry.
 * 400, 404 and 422 are Transmit's answer about the action token the client sent (unknown, expired,
 * malformed): ProviderRefusedError, which no breaker counts — a customer sending a bogus token must
 * not switch risk checks off for everyone. Anything else that is not an answer — network error,
 * timeout, a second 401, 403 (our application lacks the permission), 429, 5xx, any other status, a
 * body we cannot read — throws ProviderUnavailableError. No outage ever becomes a DENY.
 */
export class TransmitDrs implements DeviceRisk {
  private readonly token: TransmitAccessToken;
  private readonly api: string;
  private readonly onReportFailure: (reason: string) => void;

  constructor(
    private readonly settings: TransmitSettings,
    options: TransmitDrsOptions = {},
  ) {
    this.token = new TransmitAccessToken(settings, options.now);
    this.api = `${settings.baseUrl}/risk/v1`;
    const hook = options.onReportFailure;
    this.onReportFailure = (reason) => {
      try {
        hook?.(reason);
      } catch {
        // A broken hook must not reach a login that has already finished.
      }
    };
  }

  async evaluate(request: RiskRequest): Promise<RiskAssessment> {
    const label = 'Transmit recommendation';
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    try {
      // user_id is deprecated on this call: Transmit ties the action token to its own context.
      const query = new URLSearchParams({ action_token: request.actionToken });
      const response = await this.authorized({ method: 'GET', url: `${this.api}/recommendation?${query}` }, signal, label);
      if (response.status !== 200) {
        await discard(response);
        if (ABOUT_THE_TOKEN.has(response.status)) {
          throw new ProviderRefusedError(PROVIDER, 'ACTION_TOKEN_REJECTED', true, `${label} refused the action token (HTTP ${response.status}).`);
        }
        throw statusFailure(response.status, label);
      }
      return toAssessment(await readObject(response, signal, label));
    } catch (error) {
      if (error instanceof ProviderUnavailableError || error instanceof ProviderRefusedError) throw error;
      throw unavailable(`${label} failed unexpectedly.`, error);
    }
  }

  async reportOutcome(report: { actionToken: string; cupid: string; success: boolean }): Promise<void> {
    const label = 'Transmit action result';
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    // Transmit attaches user_id to the device's profile; only a login that succeeded proved who it was.
    const body = report.success
      ? { action_token: report.actionToken, result: 'success', user_id: report.cupid }
      : { action_token: report.actionToken, result: 'failure' };
    try {
      const response = await this.authorized({ method: 'POST', url: `${this.api}/action/result`, json: body }, signal, label);
      await discard(response);
      if (response.status < 200 || response.status > 299) this.onReportFailure(statusFailure(response.status, label).message);
    } catch (error) {
      this.onReportFailure(error instanceof Error ? error.message : `${label} failed.`);
    }
  }

  private async authorized(request: ApiRequest, signal: AbortSignal, label: string): Promise<Response> {
    const call = (token: string) =>
      send(
        request.url,
        {
          method: request.method,
          headers: {
            accept: 'application/json',
            authorization: `Bearer ${token}`,
            ...(request.json === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: request.json === undefined ? undefined : JSON.stringify(request.json),
        },
        signal,
        label,
      );

    const first = await this.token.get(signal);
    const response = await call(first);
    if (response.status !== 401) return response;

    await discard(response);
    this.token.invalidate(first);
    const retried = await call(await this.token.get(signal));
    if (retried.status !== 401) return retried;
    await discard(retried);
    throw unavailable(`${label} refused a freshly issued access token (HTTP 401).`);
  }
}
