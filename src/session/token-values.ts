import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../security/digests.js';

/** 256 random bits, base64url: the access and refresh tokens are opaque references, nothing more. */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

/** What the database stores in place of a token: a read of the table never yields a usable token. */
export function tokenHash(value: string): string {
  return sha256Hex(value);
}
