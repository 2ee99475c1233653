import { ProviderUnavailableError } from '../errors.js';

/**
 * One HTTP exchange with an outside service, retried while the failure is transient: a network
 * error, an attempt that ran out of time, 429 or 5xx. Every other answer (2xx, 3xx, other 4xx) is
 * final and returned to the caller. Every attempt carries the same body and the same idempotency
 * key, so a peer that saw an earlier attempt can recognise the repeat.
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

type Outcome = { answer: HttpAnswer } | { failure: string };

export async function requestWithRetry(request: HttpRequest, policy: RetryPolicy): Promise<HttpAnswer> {
  let lastFailure = 'no attempt made';
  for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
    const outcome = await attemptOnce(request, policy.timeoutMs);
    if ('answer' in outcome && !isTransient(outcome.answer.status)) return outcome.answer;

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
  throw new ProviderUnavailableError(
    request.provider,
    `${request.label} was refused (answered ${answer.status}${detail ? `, ${detail}` : ''}).`,
  );
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
    return { failure: name === 'TimeoutError' || name === 'AbortError' ? 'timed out' : 'could not connect' };
  }
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
