import type { FastifyReply } from 'fastify';
import type { Settings } from '../config/settings.js';

/**
 * The refresh token travels only in this cookie, named `refresh_token` (the contract) or, by
 * CIAM_REFRESH_COOKIE_NAME, `__Host-refresh_token`: always Path=/ and never a Domain, so the
 * `__Host-` prefix's rules hold whenever the cookie is Secure (checked at start-up). The header is written in the contract's attribute
 * order (`HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=…`); @fastify/cookie parses it on
 * the way back in. Token values are base64url, so they need no encoding.
 */
type CookieSettings = Pick<Settings, 'cookieSecure' | 'refreshCookieName'>;

/** The refresh token the request carries, under the configured name. */
export function refreshCookieOf(cookies: Record<string, string | undefined>, settings: Pick<Settings, 'refreshCookieName'>) {
  return cookies[settings.refreshCookieName];
}

function cookie(value: string, maxAge: number, settings: CookieSettings): string {
  return [
    `${settings.refreshCookieName}=${value}`,
    'HttpOnly',
    ...(settings.cookieSecure ? ['Secure'] : []),
    'SameSite=Strict',
    'Path=/',
    `Max-Age=${maxAge}`,
  ].join('; ');
}

export function setRefreshCookie(
  reply: FastifyReply,
  token: string,
  settings: CookieSettings & Pick<Settings, 'lifetimes'>,
): FastifyReply {
  return reply.header('set-cookie', cookie(token, settings.lifetimes.refreshToken, settings));
}

export function clearRefreshCookie(reply: FastifyReply, settings: CookieSettings): FastifyReply {
  return reply.header('set-cookie', cookie('', 0, settings));
}
