import { createHmac } from 'node:crypto';

/**
 * The push webhook's signature: hex HMAC-SHA256, keyed with the shared secret, over
 * "<unix seconds>.<raw body>". Binding the timestamp lets the gateway refuse replays of a
 * captured request once it is a few minutes old; the "v1=" prefix leaves room for a new scheme.
 */
export const TIMESTAMP_HEADER = 'X-CIAM-Timestamp';
export const SIGNATURE_HEADER = 'X-CIAM-Signature';

export function pushSignature(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}
