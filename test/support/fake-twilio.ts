import { randomBytes } from 'node:crypto';
import { RecordingPeer, type PeerAnswer, type ReceivedRequest } from './recording-peer.js';

export const TWILIO_ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_AUTH_TOKEN = 'test-twilio-auth-token-0001';

export interface CreatedResource {
  kind: 'message' | 'call';
  sid: string;
  fields: Record<string, string>;
}

/**
 * A local stand-in for Twilio's 2010-04-01 Messages and Calls resources: Basic auth, form fields,
 * 201 with the resource's sid. Like a provider that honours idempotency tokens, a repeated
 * I-Twilio-Idempotency-Token answers the first resource again instead of creating another.
 */
export class FakeTwilio {
  /** Resources actually created (a replayed token adds none). */
  readonly created: CreatedResource[] = [];
  private readonly byToken = new Map<string, CreatedResource>();

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

  close(): Promise<void> {
    return this.peer.close();
  }

  private answer(request: ReceivedRequest): PeerAnswer {
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

    const token = request.headers['i-twilio-idempotency-token'];
    const replay = typeof token === 'string' ? this.byToken.get(token) : undefined;
    const resource = replay ?? { kind, sid: `${kind === 'message' ? 'SM' : 'CA'}${randomBytes(16).toString('hex')}`, fields };
    if (!replay) {
      this.created.push(resource);
      if (typeof token === 'string') this.byToken.set(token, resource);
    }
    return {
      status: 201,
      body: {
        sid: resource.sid,
        account_sid: TWILIO_ACCOUNT_SID,
        to: resource.fields.To,
        from: resource.fields.From ?? null,
        status: 'queued',
        api_version: '2010-04-01',
      },
    };
  }
}

function twilioError(status: number, code: number, message: string): PeerAnswer {
  return { status, body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status } };
}
