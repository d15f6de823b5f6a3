/**
 * Requests Node's HTTP parser rejects before Fastify sees them (headers too
 * large, malformed request lines) still get the API's JSON error, not an
 * empty answer.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A client that went away needs no answer.
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? { error: 'request headers are too large', code: 'headers_too_large' }
      : { error: 'malformed HTTP request', code: 'bad_request' },
  );
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
