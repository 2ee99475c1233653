import { DeliveryUnconfirmedError, ProviderRefusedError, ProviderUnavailableError } from '../errors.js';

/**
 * One HTTP exchange with an outside service, retried while the failure is transient: a network
 * error, an attempt that ran out of time, 429 or 5xx. Every other answer (2xx, 3xx, other 4xx) is
 * final and returned to the caller. Every attempt carries the same body and the same idempotency
 * key, so a peer that saw an earlier attempt can recognise the repeat.
 *
 * A peer WITHOUT idempotency keys (Twilio's REST API has none) is called with `resend: 'never-
 * unknown'`: an attempt whose outcome is unknown — it timed out or lost its connection after the
 * request may have been sent, or a 500, 502 or 504 that a gateway may have answered after the peer
 * acted — is never sent again, because a second attempt could deliver a second message. It throws
 * DeliveryUnconfirmedError instead. Only what the peer surely did not act on is retried: a
 * connection that was never made, 429 and 503.
 *
 * Throws ProviderUnavailableError when the attempts run out. Its message names the request's
 * label and the last status only — never the URL, headers or body, which carry phone numbers,
 * codes, approval secrets and credentials.
 */

export interface RetryPolicy {
  /** Bound on each attempt, from connecting to the last byte of the answer. */
  timeoutMs: number;
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Wait before the second attempt; it doubles for each later one, with jitter. */
  baseDelayMs: number;
  /** Longest wait between two attempts. */
  maxDelayMs: number;
  /**
   * Longest Retry-After we wait for. A peer asking for longer will not be ready while the customer
   * is still looking at the screen, so we stop at once instead of trying early.
   */
  retryAfterCapMs: number;
}

/** Backoff defaults: short, because a customer is waiting on every one of these calls. */
export const DEFAULT_BACKOFF = { baseDelayMs: 200, maxDelayMs: 2_000, retryAfterCapMs: 2_000 } as const;

export interface HttpRequest {
  /** Names the outside system in ProviderUnavailableError. */
  provider: string;
  /** What the error message calls this request, e.g. "POST Messages.json". */
  label: string;
  method: 'GET' | 'POST';
  url: string;
  /** A function is called before every attempt (a signature over a fresh timestamp). */
  headers: Record<string, string> | (() => Record<string, string>);
  body?: string;
  idempotency?: { header: string; key: string };
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/** `always`: the peer recognises a repeat by its idempotency key. `never-unknown`: it does not. */
export type ResendPolicy = 'always' | 'never-unknown';

/** `sent`: the request may have reached the peer; `unsent`: the connection was never made. */
type Outcome = { answer: HttpAnswer } | { failure: string; sent: boolean };

/** Socket errors raised before a single byte of the request could leave. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/** Answers after which the peer may have acted: a gateway in front answered for it. */
const AMBIGUOUS_STATUSES = new Set([500, 502, 504]);

export async function requestWithRetry(request: HttpRequest, policy: RetryPolicy, resend: ResendPolicy = 'always'): Promise<HttpAnswer> {
  let lastFailure = 'no attempt made';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const outcome = await attemptOnce(request, policy.timeoutMs);
    if ('answer' in outcome && !isTransient(outcome.answer.status)) return outcome.answer;
    if (resend === 'never-unknown') {
      const unknown = 'answer' in outcome ? AMBIGUOUS_STATUSES.has(outcome.answer.status) : outcome.sent;
      if (unknown) {
        const what = 'answer' in outcome ? `answered ${outcome.answer.status}` : outcome.failure;
        throw new DeliveryUnconfirmedError(request.provider, `${request.label} may or may not have been accepted (${what}); not sent again.`);
      }
    }

    lastFailure = 'answer' in outcome ? `answered ${outcome.answer.status}` : outcome.failure;
    if (attempt === policy.maxAttempts) break;

    const asked = 'answer' in outcome ? retryAfterMs(outcome.answer.headers) : undefined;
    if (asked !== undefined && asked > policy.retryAfterCapMs) {
      lastFailure += ' and asked for a longer pause than we wait';
      break;
    }
    await sleep(asked ?? backoffMs(attempt, policy));
  }
  throw new ProviderUnavailableError(request.provider, `${request.label} failed (${lastFailure}).`);
}

/**
 * A delivery that must be accepted: any final answer other than 2xx is a failure. `describe`
 * may add a safe detail from the refusal (a provider's numeric error code, never its text).
 */
export async function deliver(
  request: HttpRequest,
  policy: RetryPolicy,
  describe?: (answer: HttpAnswer) => string | undefined,
): Promise<HttpAnswer> {
  const answer = await requestWithRetry(request, policy);
  if (answer.status >= 200 && answer.status < 300) return answer;
  const detail = describe?.(answer);
  throw refusalOf(request.provider, `${request.label} was refused (answered ${answer.status}${detail ? `, ${detail}` : ''}).`, answer.status);
}

/**
 * A final answer that is not 2xx. A 4xx about the request itself (400, 409, 410, 422, …) says the
 * peer is working and refused this one customer's request: ProviderRefusedError, which no breaker
 * counts. Statuses about our own set-up or the peer's health — 401, 403, 404 (wrong credentials or
 * address), 407, 408, 429, 3xx, 5xx — are ProviderUnavailableError.
 */
export function refusalOf(provider: string, message: string, status: number): ProviderRefusedError | ProviderUnavailableError {
  const aboutThisRequest = status >= 400 && status < 500 && ![401, 403, 404, 407, 408, 429].includes(status);
  return aboutThisRequest ? new ProviderRefusedError(provider, 'REQUEST_REFUSED', false, message) : new ProviderUnavailableError(provider, message);
}

async function attemptOnce(request: HttpRequest, timeoutMs: number): Promise<Outcome> {
  const headers = typeof request.headers === 'function' ? request.headers() : { ...request.headers };
  if (request.idempotency) headers[request.idempotency.header] = request.idempotency.key;
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      // A redirect would resend credentials somewhere we were not configured to talk to.
      redirect: 'manual',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    return { answer: { status: response.status, headers: response.headers, text } };
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') return { failure: 'timed out', sent: true };
    const code = socketCode(error);
    if (code !== undefined && NOT_SENT_CODES.has(code)) return { failure: `could not connect (${code})`, sent: false };
    // fetch refuses ports that browsers block before it opens any connection.
    if ((error as { cause?: { message?: unknown } }).cause?.message === 'bad port') return { failure: 'could not connect', sent: false };
    return { failure: `lost the connection${code ? ` (${code})` : ''}`, sent: true };
  }
}

/** undici hides the socket error (ECONNREFUSED, ECONNRESET…) in `cause`. */
function socketCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

function isTransient(status: number): boolean {
  return status === 429 || status >= 500;
}

/** Retry-After in seconds or as an HTTP date; undefined when absent or unreadable. */
function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number.parseInt(value, 10) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

/** Exponential with "equal jitter": half fixed, half random, so a fleet does not retry in step. */
function backoffMs(failedAttempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
