import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { RecordingPeer, type PeerAnswer, type ReceivedRequest } from './recording-peer.js';

/** How old a signed timestamp may be before the gateway treats the request as a replay. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type SignatureCheck = 'valid' | 'missing' | 'stale' | 'mismatch';

/**
 * The receiving side of the push webhook's signature, as docs/integrations.md describes it:
 * recompute HMAC-SHA256 over "<timestamp>.<raw body>", compare in constant time, and refuse a
 * timestamp outside the tolerance window.
 */
export function verifyPushSignature(
  secret: string,
  headers: IncomingHttpHeaders,
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignatureCheck {
  const timestamp = headers['x-ciam-timestamp'];
  const signature = headers['x-ciam-signature'];
  if (typeof timestamp !== 'string' || typeof signature !== 'string' || !/^\d+$/.test(timestamp)) return 'missing';
  if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) return 'stale';
  const expected = Buffer.from(`v1=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`);
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'valid' : 'mismatch';
}

/**
 * A local stand-in for the bank's push gateway: checks the signature with its own copy of the
 * secret (401 when it does not verify), records each request with the outcome of that check, and
 * counts a push once per Idempotency-Key.
 */
export class FakePushGateway {
  readonly checks: SignatureCheck[] = [];
  /** Idempotency keys of pushes accepted, each once. */
  readonly delivered: string[] = [];

  private constructor(
    readonly peer: RecordingPeer,
    readonly secret: string,
  ) {}

  static async start(secret: string): Promise<FakePushGateway> {
    let fake: FakePushGateway | undefined;
    const peer = await RecordingPeer.start((request) => fake!.answer(request));
    fake = new FakePushGateway(peer, secret);
    return fake;
  }

  get url(): string {
    return `${this.peer.url}/push`;
  }

  get requests(): ReceivedRequest[] {
    return this.peer.requests;
  }

  close(): Promise<void> {
    return this.peer.close();
  }

  private answer(request: ReceivedRequest): PeerAnswer {
    if (request.method !== 'POST' || request.path !== '/push') return { status: 404 };
    const check = verifyPushSignature(this.secret, request.headers, request.rawBody);
    this.checks.push(check);
    if (check !== 'valid') return { status: 401, body: { error: `signature ${check}` } };
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string') return { status: 400, body: { error: 'Idempotency-Key missing' } };
    if (!this.delivered.includes(key)) this.delivered.push(key);
    return { status: 202, body: { accepted: true } };
  }
}
