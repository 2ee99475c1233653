import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time lookup of a presented secret among configured ones. Both sides are hashed first,
 * so the comparison never depends on lengths, and every configured secret is compared (no early
 * exit) so the time does not say which one matched.
 */
export function secretMatcher<T>(entries: Iterable<[secret: string, value: T]>): (presented: unknown) => T | undefined {
  const table = [...entries].map(([secret, value]) => ({ hash: digest(secret), value }));
  return (presented) => {
    if (typeof presented !== 'string' || presented.length === 0) return undefined;
    const candidate = digest(presented);
    let found: T | undefined;
    for (const entry of table) {
      if (timingSafeEqual(candidate, entry.hash) && found === undefined) found = entry.value;
    }
    return found;
  };
}
