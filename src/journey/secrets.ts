import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** A 6-digit one-time code from the CSPRNG; leading zeros are kept. */
export function newOneTimeCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, '0');
}

/**
 * Keyed hash of a code bound to its step: a stolen table yields neither the code nor a way to
 * brute-force it offline without the key, and a hash cannot be replayed on another step.
 */
export function hashOneTimeCode(key: Buffer, transactionId: string, code: string): string {
  return createHmac('sha256', key).update(`${transactionId}:${code}`).digest('hex');
}

export { sha256Hex } from '../security/digests.js';

/** Equal-time comparison of two hex digests (different lengths are simply unequal). */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** The push approval secret: 256 random bits, sent only to the phone, stored as SHA-256. */
export function newApprovalSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** 1–99, shown in the browser; the phone must pick the same number. */
export function newDisplayNumber(): number {
  return randomInt(1, 100);
}

/** The numbers the phone offers: the right one and two others, in random order. */
export function numberChoices(displayNumber: number): number[] {
  const choices = new Set([displayNumber]);
  while (choices.size < 3) choices.add(randomInt(1, 100));
  const list = [...choices];
  for (let i = list.length - 1; i > 0; i--) {
    const j = randomInt(0, i + 1);
    [list[i], list[j]] = [list[j]!, list[i]!];
  }
  return list;
}

export { isUuid } from '../security/uuid.js';
