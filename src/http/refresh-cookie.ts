import type { FastifyReply } from 'fastify';
import type { Settings } from '../config/settings.js';

export const REFRESH_COOKIE = 'refresh_token';

/**
 * The refresh token travels only in this cookie. The header is written in the contract's attribute
 * order (`HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=…`); @fastify/cookie parses it on
 * the way back in. Token values are base64url, so they need no encoding.
 */
function cookie(value: string, maxAge: number, settings: Pick<Settings, 'cookieSecure'>): string {
  return [
    `${REFRESH_COOKIE}=${value}`,
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
  settings: Pick<Settings, 'cookieSecure' | 'lifetimes'>,
): FastifyReply {
  return reply.header('set-cookie', cookie(token, settings.lifetimes.refreshToken, settings));
}

export function clearRefreshCookie(reply: FastifyReply, settings: Pick<Settings, 'cookieSecure'>): FastifyReply {
  return reply.header('set-cookie', cookie('', 0, settings));
}
