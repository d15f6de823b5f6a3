/**
 * Requests that cost the service more than they should, from the security
 * review: a body trickled in a byte at a time (closed with 408 once
 * A2B_REQUEST_TIMEOUT_MS has passed, where it used to stay open for good).
 * A slow database answer is not a slow request: it is never cut. On both
 * databases.
 */
import net from 'node:net';
import t from 'tap';
import type { Db } from '../../runtime/db/db.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, PASSWORD, startService, USERNAME } from '../helpers/service.js';

const LIMIT_MS = 2000;
/** Node looks for late requests every min(1 s, limit / 4): a request is cut at most this late. */
const CHECK_MS = LIMIT_MS / 4;
/** A busy 2-core machine. */
const SLACK_MS = 1500;

interface Trickled {
  /** When the answer's first bytes arrived, after the connection opened. */
  answeredMs: number | undefined;
  closedMs: number;
  answer: string;
  bytesSent: number;
}

/** Sends `head`, then one byte of body every `everyMs` until the server answers or closes. */
function trickle(port: number, head: string, everyMs: number, maxMs = 30_000): Promise<Trickled> {
  return new Promise((resolve) => {
    const started = Date.now();
    let answeredMs: number | undefined;
    let answer = '';
    let bytesSent = 0;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setInterval(() => {
      if (answeredMs !== undefined || Date.now() - started > maxMs) return void socket.destroy();
      if (socket.writable) {
        socket.write('{');
        bytesSent += 1;
      }
    }, everyMs);
    socket.on('data', (chunk) => {
      answeredMs ??= Date.now() - started;
      answer += chunk;
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answeredMs, closedMs: Date.now() - started, answer, bytesSent });
    });
  });
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    // The country list waits 2.5 s for the database: longer than the request limit.
    const slowDb = (db: Db): Db => ({
      ...db,
      async all(sql, params) {
        if (sql.includes('cc_country')) await new Promise((resolve) => setTimeout(resolve, LIMIT_MS + 500));
        return db.all(sql, params);
      },
    });
    const service = await startService(name, { requestTimeoutMs: LIMIT_MS, maxEventLoopDelayMs: 0 }, slowDb);
    t.teardown(() => service.close());
    const port = Number(new URL(service.baseUrl).port);
    const authorization = basicAuth(USERNAME, PASSWORD);

    await t.test('a body trickled in (1 byte per 300 ms): 408 once the limit has passed, closed', async (t) => {
      const head =
        `POST /api/cardgroup/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${authorization}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
      const slow = await trickle(port, head, 300);
      t.match(slow.answer, /^HTTP\/1\.1 408 Request Timeout\r\n/, '408');
      t.match(slow.answer, /"code":"request_timeout"/, 'a JSON error with its code');
      t.match(slow.answer, /\r\nConnection: close\r\n/i, 'Connection: close');
      t.ok(
        slow.answeredMs! >= LIMIT_MS - 50 && slow.answeredMs! <= LIMIT_MS + CHECK_MS + SLACK_MS,
        `answered after ${slow.answeredMs} ms (limit ${LIMIT_MS} ms)`,
      );
      t.ok(slow.closedMs <= LIMIT_MS + CHECK_MS + SLACK_MS, `the connection closed after ${slow.closedMs} ms`);
      t.ok(slow.bytesSent < 1000, `the client was still sending (${slow.bytesSent} of 1000 bytes)`);
      const groups = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card_group');
      t.equal(Number(groups[0]!.n), 1, 'nothing created');
    });

    await t.test('headers trickled in: 408 as well', async (t) => {
      const socketStart = Date.now();
      const slow = await new Promise<string>((resolve) => {
        let answer = '';
        const socket = net.connect(port, '127.0.0.1', () => socket.write('GET /api/card/ HTTP/1.1\r\nHost: x\r\n'));
        const timer = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 300);
        socket.on('data', (chunk) => (answer += chunk));
        socket.on('error', () => undefined);
        socket.on('close', () => {
          clearInterval(timer);
          resolve(answer);
        });
      });
      t.match(slow, /^HTTP\/1\.1 408 /, '408');
      t.ok(Date.now() - socketStart <= LIMIT_MS + CHECK_MS + SLACK_MS, 'within the limit');
    });

    await t.test('a slow database answer is not cut: the limit is on receiving the request', async (t) => {
      const started = Date.now();
      const response = await service.request('/api/country/?limit=1');
      t.equal(response.status, 200, `answered 200 after ${Date.now() - started} ms`);
      t.ok(Date.now() - started >= LIMIT_MS + 500, 'after the limit');
    });

    await t.test('a keep-alive connection idle for longer than the limit still serves its next request', async (t) => {
      const answers = await new Promise<string[]>((resolve, reject) => {
        const received: string[] = [];
        const socket = net.connect(port, '127.0.0.1', () =>
          socket.write(`GET /api/card/?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\n\r\n`),
        );
        socket.on('data', (chunk) => {
          received.push(String(chunk));
          if (received.length === 1) {
            setTimeout(
              () =>
                socket.write(
                  `GET /api/card/?limit=1 HTTP/1.1\r\nHost: x\r\nAuthorization: ${authorization}\r\nConnection: close\r\n\r\n`,
                ),
              LIMIT_MS + CHECK_MS + 500,
            );
          }
        });
        socket.on('error', reject);
        socket.on('close', () => resolve(received));
      });
      const text = answers.join('');
      t.equal(text.match(/HTTP\/1\.1 200 OK/g)?.length, 2, 'both requests answered 200');
    });
  });
}
