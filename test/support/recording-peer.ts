import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a local peer received: the parsed body beside the raw one, for signature checks. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON or form fields (as an object), depending on the content type; undefined otherwise. */
  body: unknown;
}

export interface PeerAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as it is. */
  body?: unknown;
  /** Held back this long before it is sent (the peer has already acted on the request). */
  delayMs?: number;
}

export type Handler = (request: ReceivedRequest) => PeerAnswer;

/**
 * A node:http server on 127.0.0.1, port 0, that records every request it receives and answers
 * through a handler — unless told to fail (`failNext`) or to hang (`hangNext`) first.
 */
export class RecordingPeer {
  readonly requests: ReceivedRequest[] = [];
  private readonly failures: PeerAnswer[] = [];
  private hangs = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(handler: Handler): Promise<RecordingPeer> {
    let peer: RecordingPeer | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => peer!.receive(req.method ?? '', req.url ?? '', req.headers, Buffer.concat(chunks).toString('utf8'), res, handler));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    peer = new RecordingPeer(server, `http://127.0.0.1:${port}`);
    return peer;
  }

  /** The next requests get these answers, one each, in order (a number is a bare status). */
  failNext(...answers: Array<number | PeerAnswer>): void {
    this.failures.push(...answers.map((a) => (typeof a === 'number' ? { status: a, body: { error: 'injected' } } : a)));
  }

  /** The next `count` requests are never answered. */
  hangNext(count = 1): void {
    this.hangs += count;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(method: string, path: string, headers: IncomingHttpHeaders, rawBody: string, res: ServerResponse, handler: Handler) {
    const request: ReceivedRequest = { method, path, headers, rawBody, body: parseBody(headers['content-type'], rawBody) };
    this.requests.push(request);
    if (this.hangs > 0) {
      this.hangs--;
      return;
    }
    const answer = this.failures.shift() ?? handler(request);
    const send = () => {
      if (res.destroyed) return;
      const isText = typeof answer.body === 'string';
      res.writeHead(answer.status, {
        ...(answer.body === undefined ? {} : { 'content-type': isText ? 'text/plain' : 'application/json' }),
        ...answer.headers,
      });
      res.end(answer.body === undefined ? undefined : isText ? (answer.body as string) : JSON.stringify(answer.body));
    };
    if (answer.delayMs) setTimeout(send, answer.delayMs).unref();
    else send();
  }
}

function parseBody(contentType: string | undefined, raw: string): unknown {
  if (contentType?.startsWith('application/json')) {
    try {
      return JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (contentType?.startsWith('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(raw));
  return undefined;
}
