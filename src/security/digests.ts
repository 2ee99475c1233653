import { createHash } from 'node:crypto';
import { normalizeUsername } from './username.js';

/** SHA-256 as lower-case hex: how tokens, approval secrets and device identities are kept at rest. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * The one key a username is known by where it must not be stored in clear (failed-login audit
 * rows, the password lockout counter, the per-username rate limit), so they can be matched by an
 * operator. Of the normalised username: `ｉｖａｎ` and `Ivan` are `ivan`'s key.
 */
export function usernameKey(username: string): string {
  return sha256Hex(normalizeUsername(username));
}
