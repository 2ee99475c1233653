import type { AgreementDocument } from '../../src/providers/agreements/port.js';
import { RecordingPeer, type PeerAnswer, type ReceivedRequest } from './recording-peer.js';

export const AGREEMENTS_API_KEY = 'test-agreements-api-key-0001';

export interface RecordedAcceptance {
  cupid: string;
  idempotencyKey: string | undefined;
  body: Record<string, unknown>;
}

/**
 * A local stand-in for the agreement-management service of docs/integrations.md: documents and
 * per-customer pending lists held in memory, acceptances recorded once per Idempotency-Key (an
 * accepted document leaves the customer's pending list).
 */
export class FakeAgreements {
  readonly documents = new Map<string, AgreementDocument>();
  readonly pending = new Map<string, Array<{ document_id: string; mandatory: boolean }>>();
  readonly acceptances: RecordedAcceptance[] = [];

  private constructor(readonly peer: RecordingPeer) {}

  static async start(): Promise<FakeAgreements> {
    let fake: FakeAgreements | undefined;
    const peer = await RecordingPeer.start((request) => fake!.answer(request));
    fake = new FakeAgreements(peer);
    return fake;
  }

  get url(): string {
    return `${this.peer.url}/v1`;
  }

  get requests(): ReceivedRequest[] {
    return this.peer.requests;
  }

  close(): Promise<void> {
    return this.peer.close();
  }

  private answer(request: ReceivedRequest): PeerAnswer {
    if (request.headers.authorization !== `Bearer ${AGREEMENTS_API_KEY}`) return { status: 401, body: { error: 'unauthorized' } };

    const pending = /^\/v1\/customers\/([^/]+)\/pending-agreements$/.exec(request.path);
    if (request.method === 'GET' && pending) {
      return { status: 200, body: { documents: this.pending.get(decodeURIComponent(pending[1]!)) ?? [] } };
    }

    const document = /^\/v1\/documents\/([^/]+)$/.exec(request.path);
    if (request.method === 'GET' && document) {
      const found = this.documents.get(decodeURIComponent(document[1]!));
      return found ? { status: 200, body: found } : { status: 404, body: { error: 'not found' } };
    }

    const acceptances = /^\/v1\/customers\/([^/]+)\/acceptances$/.exec(request.path);
    if (request.method === 'POST' && acceptances) {
      const key = request.headers['idempotency-key'];
      const idempotencyKey = typeof key === 'string' ? key : undefined;
      if (!idempotencyKey || !this.acceptances.some((a) => a.idempotencyKey === idempotencyKey)) {
        const cupid = decodeURIComponent(acceptances[1]!);
        const body = request.body as Record<string, unknown>;
        this.acceptances.push({ cupid, idempotencyKey, body });
        // An accepted document is no longer pending for that customer.
        const listed = this.pending.get(cupid);
        if (listed) this.pending.set(cupid, listed.filter((d) => d.document_id !== body?.document_id));
      }
      return { status: 201, body: { recorded: true } };
    }
    return { status: 404, body: { error: 'no such route' } };
  }
}
