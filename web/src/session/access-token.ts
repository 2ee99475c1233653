import { refresh, type ErrorBody } from '../api/client';

/**
 * The customer's access token lives in this module's memory only — never in localStorage or
 * sessionStorage, where any script on the origin could read it. A reload loses it on purpose:
 * the HttpOnly, SameSite=Strict refresh cookie brings a new one through POST /auth/refresh.
 */
let accessToken: string | undefined;
let pending: Promise<string | ErrorBody> | undefined;

/** A fresh access token from the refresh cookie; concurrent callers share one refresh. */
export function renewAccessToken(): Promise<string | ErrorBody> {
  pending ??= refresh().then((answer) => {
    pending = undefined;
    if (answer.ok) {
      accessToken = answer.data.access_token;
      return accessToken;
    }
    accessToken = undefined;
    return answer.error;
  });
  return pending;
}

export function currentAccessToken(): string | undefined {
  return accessToken;
}

export function forgetAccessToken(): void {
  accessToken = undefined;
}

/**
 * Runs a call with the access token, renewing it once if the service says it is no longer valid
 * (it lives 15 minutes; the page may stay open longer).
 */
export async function withAccessToken<T extends { ok: boolean; error?: ErrorBody }>(call: (token: string) => Promise<T>): Promise<T | { ok: false; status: number; error: ErrorBody }> {
  let token = accessToken ?? (await renewAccessToken());
  if (typeof token !== 'string') return { ok: false, status: 401, error: token };
  const first = await call(token);
  if (first.ok || first.error?.error_code !== 'CIAM_E04_00_007') return first;
  token = await renewAccessToken();
  if (typeof token !== 'string') return { ok: false, status: 401, error: token };
  return call(token);
}
