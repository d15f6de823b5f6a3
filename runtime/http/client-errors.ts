/**
 * Requests Node's HTTP parser rejects before Fastify sees them (headers too
 * large, malformed request lines) or that take too long to arrive
 * (A2B_REQUEST_TIMEOUT_MS) still get the API's JSON error, not an empty
 * answer.
 */
import { STATUS_CODES, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

const ANSWERS: Record<string, { status: number; error: string; code: string }> = {
  HPE_HEADER_OVERFLOW: { status: 431, error: 'request headers are too large', code: 'headers_too_large' },
  ERR_HTTP_REQUEST_TIMEOUT: {
    status: 408,
    error: 'the request took too long to arrive (A2B_REQUEST_TIMEOUT_MS)',
    code: 'request_timeout',
  },
};
const MALFORMED = { status: 400, error: 'malformed HTTP request', code: 'bad_request' };
/** How long a client that keeps sending after its answer (a slow body) is given to read it before the socket closes. */
const LINGER_MS = 1000;

export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A client that went away needs no answer; nor can one be given once an answer has begun.
  const answering = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || answering?.headersSent === true) {
    socket.destroy();
    return;
  }
  const { status, ...answer } = ANSWERS[error.code ?? ''] ?? MALFORMED;
  const body = JSON.stringify(answer);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `X-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  // end() closes only our side: HTTP sockets are half-open, and a slow client may never close its own.
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
