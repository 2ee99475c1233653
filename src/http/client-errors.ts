import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ERROR_CATALOGUE, type CiamErrorCode } from '../errors/catalogue.js';

/**
 * Answers what Node's HTTP parser refuses before any route runs — a request that did not arrive
 * in time, oversized headers, malformed HTTP — with the contract's error body, then closes the
 * connection (its framing can no longer be trusted). Fastify's default writes its own body shape.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const code = clientErrorCode(err.code);
  const status = ERROR_CATALOGUE[code].status;
  this.log.info({ code: err.code }, 'client error before routing');
  if (socket.writable) {
    const body = JSON.stringify({ error_code: code });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

function clientErrorCode(nodeCode: string | undefined): CiamErrorCode {
  if (nodeCode === 'ERR_HTTP_REQUEST_TIMEOUT') return 'CIAM_E00_00_008';
  if (nodeCode === 'HPE_HEADER_OVERFLOW') return 'CIAM_E00_00_009';
  return 'CIAM_E01_05_001';
}
