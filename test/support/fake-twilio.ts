import { randomBytes } from 'node:crypto';
import { RecordingPeer, type PeerAnswer, type ReceivedRequest } from './recording-peer.js';

export const TWILIO_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0001';

/**
 * Twilio's magic test numbers (test credentials documentation): a message or call to one of these
 * is refused with the documented error, every other number is accepted.
 */
export const TWILIO_TEST_NUMBERS = {
  /** 21211 Invalid 'To' phone number (SMS and calls). */
  invalid: '+15005550001',
  /** 21612 The 'To' number is not currently reachable via SMS (calls: accepted). */
  unroutable: '+15005550002',
  /** 21408 Permission to send an SMS has not been enabled for the region (calls: 21215). */
  noInternational: '+15005550003',
  /** 21610 Attempt to send to unsubscribed recipient — the customer replied STOP (calls: accepted). */
  optedOut: '+15005550004',
  /** 21614 'To' number is not a valid mobile number — a landline (calls: accepted). */
  notMobile: '+15005550009',
} as const;

export interface CreatedResource {
  kind: 'message' | 'call';
  sid: string;
  fields: Record<string, string>;
}

/**
 * A local stand-in for Twilio's 2010-04-01 Messages and Calls resources, as Twilio documents them:
 * Basic auth, form fields, 201 with the resource (status `queued`), and errors as
 * `{ code, message, more_info, status }`. Like Twilio, it has NO idempotency: every accepted POST
 * creates a resource — a repeated request after a lost answer sends a second SMS. The resource is
 * created as soon as the request is read; `answerLate` holds only the answer back, as a slow
 * network or a busy edge does, so a client that gives up has still caused a delivery.
 * It answers after `latencyMs` (a real API round trip takes tens to hundreds of milliseconds).
 */
export class FakeTwilio {
  /** Resources actually created, in order. */
  readonly created: CreatedResource[] = [];
  /** Delay of every answer. */
  latencyMs = 20;
  private late: number[] = [];

  private constructor(readonly peer: RecordingPeer) {}

  static async start(): Promise<FakeTwilio> {
    let fake: FakeTwilio | undefined;
    const peer = await RecordingPeer.start((request) => fake!.answer(request));
    fake = new FakeTwilio(peer);
    return fake;
  }

  get url(): string {
    return this.peer.url;
  }

  get requests(): ReceivedRequest[] {
    return this.peer.requests;
  }

  /** The next requests are answered with Twilio's documented error body, one each, in order. */
  failNext(...errors: Array<{ status: number; code: number; headers?: Record<string, string> }>): void {
    this.peer.failNext(...errors.map((e) => ({ ...twilioError(e.status, e.code, `Error ${e.code}`), headers: e.headers })));
  }

  /** The next `count` accepted requests create their resource at once but answer only after `delayMs`. */
  answerLate(delayMs: number, count = 1): void {
    this.late.push(...Array.from({ length: count }, () => delayMs));
  }

  /** Messages created for this number, oldest first. */
  messagesTo(number: string): CreatedResource[] {
    return this.created.filter((c) => c.kind === 'message' && c.fields.To === number);
  }

  close(): Promise<void> {
    return this.peer.close();
  }

  private answer(request: ReceivedRequest): PeerAnswer {
    const decided = this.decide(request);
    return { ...decided, delayMs: decided.delayMs ?? this.latencyMs };
  }

  private decide(request: ReceivedRequest): PeerAnswer {
    const expected = `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`;
    if (request.headers.authorization !== expected) return twilioError(401, 20003, 'Authenticate');

    const route = /^\/2010-04-01\/Accounts\/([^/]+)\/(Messages|Calls)\.json$/.exec(request.path);
    if (request.method !== 'POST' || !route || route[1] !== TWILIO_ACCOUNT_SID) {
      return twilioError(404, 20404, 'The requested resource was not found');
    }
    const fields = (request.body ?? {}) as Record<string, string>;
    if (!fields.To) return twilioError(400, 21604, "A 'To' phone number is required.");
    const kind = route[2] === 'Messages' ? 'message' : 'call';
    if (kind === 'message' && !fields.Body) return twilioError(400, 21602, 'Message body is required.');
    if (kind === 'message' && !fields.From && !fields.MessagingServiceSid) {
      return twilioError(400, 21603, "A 'From' phone number is required.");
    }
    if (kind === 'call' && (!fields.From || !fields.Twiml)) return twilioError(400, 21205, 'Url or Twiml is required.');
    const refused = refusalFor(kind, fields.To);
    if (refused) return refused;

    const resource: CreatedResource = { kind, sid: `${kind === 'message' ? 'SM' : 'CA'}${randomBytes(16).toString('hex')}`, fields };
    this.created.push(resource);
    const late = this.late.shift();
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      status: 201,
      ...(late === undefined ? {} : { delayMs: late }),
      body: {
        sid: resource.sid,
        account_sid: TWILIO_ACCOUNT_SID,
        api_version: '2010-04-01',
        to: fields.To,
        from: fields.From ?? null,
        ...(kind === 'message'
          ? { body: fields.Body, messaging_service_sid: fields.MessagingServiceSid ?? null, num_segments: '1', direction: 'outbound-api' }
          : { direction: 'outbound-api' }),
        status: 'queued',
        date_created: now,
        date_updated: now,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        uri: `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/${route[2]}/${resource.sid}.json`,
      },
    };
  }
}

function refusalFor(kind: 'message' | 'call', to: string): PeerAnswer | undefined {
  const n = TWILIO_TEST_NUMBERS;
  if (to === n.invalid) return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
  if (kind === 'call') return to === n.noInternational ? twilioError(400, 21215, 'Geo permissions not enabled for this number.') : undefined;
  if (to === n.unroutable) return twilioError(400, 21612, `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number via SMS.`);
  if (to === n.noInternational) return twilioError(400, 21408, `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`);
  if (to === n.optedOut) return twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
  if (to === n.notMobile) return twilioError(400, 21614, `'To' number ${to} is not a valid mobile number`);
  return undefined;
}

function twilioError(status: number, code: number, message: string): PeerAnswer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}
