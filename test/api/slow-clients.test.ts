import net from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestApp } from '../support/test-app.js';

/**
 * A client that stops sending part-way through a request is answered 408 with the contract's
 * error body and its connection closed, instead of holding a socket open indefinitely.
 */

const t = useTestApp({ CIAM_REQUEST_TIMEOUT_MS: '600', CIAM_HEADERS_TIMEOUT_MS: '400' });
let port: number;
beforeAll(async () => {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  port = (t.app.server.address() as net.AddressInfo).port;
});

interface RawAnswer {
  text: string;
  closed: boolean;
  elapsedMs: number;
}

/** Writes `chunks` to a fresh connection, then waits (at most `waitMs`) for the server to answer and close. */
function raw(chunks: string[], waitMs = 5_000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text, closed: false, elapsedMs: Date.now() - started });
    }, waitMs);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    socket.on('data', (d) => (text += d.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text, closed: true, elapsedMs: Date.now() - started });
    });
  });
}

function bodyOf(text: string): unknown {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
}

describe('slow clients', () => {
  it('a body that stops short of its content-length gets 408 and the connection is closed', async () => {
    const answer = await raw([
      'POST /auth/login HTTP/1.1\r\nHost: x\r\nx-client-id: web-banking\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{"username":"simp',
    ]);
    expect(answer.closed).toBe(true);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(answer.text)).toEqual({ error_code: 'CIAM_E00_00_008' });
  });

  it('headers that never finish get 408 and the connection is closed', async () => {
    const answer = await raw(['GET /health HTTP/1.1\r\nHost: x\r\nx-client-id: web-ban']);
    expect(answer.closed).toBe(true);
    expect(answer.text).toMatch(/^HTTP\/1\.1 408 /);
    expect(bodyOf(answer.text)).toEqual({ error_code: 'CIAM_E00_00_008' });
  });

  it('oversized headers get 431 in the error shape', async () => {
    const answer = await raw([`GET /health HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`]);
    expect(answer.text).toMatch(/^HTTP\/1\.1 431 /);
    expect(bodyOf(answer.text)).toEqual({ error_code: 'CIAM_E00_00_009' });
  });

  it('malformed HTTP gets 400 in the error shape', async () => {
    const answer = await raw(['NOT-HTTP\r\n\r\n']);
    expect(answer.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(bodyOf(answer.text)).toEqual({ error_code: 'CIAM_E01_05_001' });
  });

  it('a complete request on the same listener is served as usual', async () => {
    const answer = await raw(['GET /health HTTP/1.1\r\nHost: x\r\nx-client-id: web-banking\r\nConnection: close\r\n\r\n']);
    expect(answer.text).toMatch(/^HTTP\/1\.1 200 /);
  });
});
