import { ProviderUnavailableError } from '../errors.js';

/**
 * The HTTP plumbing shared by Transmit's token endpoint and risk API: every failure to get an
 * answer becomes ProviderUnavailableError. Messages name the call and the status only — never
 * the URL (it carries the action token), the headers or the body.
 */

export const PROVIDER = 'transmit-drs';

export function unavailable(reason: string, cause?: unknown): ProviderUnavailableError {
  return new ProviderUnavailableError(PROVIDER, reason, cause === undefined ? undefined : { cause });
}

/** fetch, with network errors and the caller's deadline turned into ProviderUnavailableError. */
export async function send(url: string, init: RequestInit, signal: AbortSignal, label: string): Promise<Response> {
  try {
    return await fetch(url, { ...init, signal, redirect: 'error' });
  } catch (error) {
    throw failure(error, signal, label);
  }
}

/** The body as a JSON object; anything else is a malformed answer. Covered by the same deadline. */
export async function readObject(response: Response, signal: AbortSignal, label: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw failure(error, signal, label);
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unavailable(`${label} answered a body that is not JSON.`);
  }
  if (!isObject(body)) throw unavailable(`${label} answered JSON that is not an object.`);
  return body;
}

/** Frees the connection of an answer we will not read. */
export async function discard(response: Response): Promise<void> {
  try {
    await response.body?.cancel();
  } catch {
    // Nothing to free.
  }
}

export function statusFailure(status: number, label: string): ProviderUnavailableError {
  if (status === 429) return unavailable(`${label} was rate limited (HTTP 429).`);
  return unavailable(`${label} answered HTTP ${status}.`);
}

/**
 * Waits for a promise shared with other callers, giving up at this caller's own deadline
 * without cancelling it for the others.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal, label: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(failure(signal.reason, signal, label));
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failure(error: unknown, signal: AbortSignal, label: string): ProviderUnavailableError {
  if (error instanceof ProviderUnavailableError) return error;
  if (signal.aborted) return unavailable(`${label} did not answer in time.`, error);
  const code = networkCode(error);
  return unavailable(`${label} could not be reached${code ? ` (${code})` : ''}.`, error);
}

/** undici hides the socket error (ECONNREFUSED, ECONNRESET…) in `cause`. */
function networkCode(error: unknown): string | undefined {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}
