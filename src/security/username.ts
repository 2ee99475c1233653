/**
 * The one form of a username the service works with: Unicode NFKC (full-width `ｉｖａｎ` and
 * ligatures become `ivan`), lower case by the locale-independent Unicode mapping, and white space
 * as a directory compares it (runs collapsed, ends trimmed).
 *
 * Directories fold these forms themselves — slapd matches `uid=ｉｖａｎ` to `ivan` — so a variant
 * that only our counters told apart would get fresh rate-limit and lockout counts for the same
 * account. The login route applies it once, before the rate limits; the username key (lockouts,
 * audit rows, rate-limit keys) applies it again, which changes nothing for a normalised name.
 */
export function normalizeUsername(raw: string): string {
  return raw.normalize('NFKC').toLowerCase().normalize('NFKC').replace(/\s+/gu, ' ').trim();
}
