/**
 * Requests that cost the service more than they should, from the security
 * review: a body trickled in a byte at a time (closed with 408 once
 * A2B_REQUEST_TIMEOUT_MS has passed, where it used to stay open for good),
 * and a 1 MB body of 110,990 unknown keys (a small error naming 20 fields
 * and how many more, where it used to answer 8.6 MB and stall the process
 * for seconds). A slow database answer is not a slow request: it is never
 * cut. On both databases.
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

/** The body of the review: 110,990 keys the model does not have, just under 1 MB. */
function manyUnknownKeys(): string {
  const keys: string[] = [];
  for (let index = 0; index < 110_990; index += 1) keys.push(`"${index.toString(36).padStart(4, '0')}":0`);
  return `{${keys.join(',')}}`;
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

    await t.test('a 1 MB body of 110,990 unknown keys: 20 fields named, and how many more', async (t) => {
      const body = manyUnknownKeys();
      t.ok(body.length > 990_000 && body.length < 1024 * 1024, `a ${body.length}-byte body`);
      const started = performance.now();
      const response = await service.request('/api/card/', {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      });
      const elapsed = Math.round(performance.now() - started);
      t.equal(response.status, 400);
      t.equal(response.json.code, 'invalid_body');
      t.equal(response.json.fields.length, 20, '20 fields listed');
      t.same(
        response.json.fields.slice(0, 6).map((problem: { field: string }) => problem.field),
        ['username', 'useralias', 'uipass', 'credit', 'tariff', '1000'],
        'the required ones first, then the unknown keys in order',
      );
      // 5 required fields and 110,990 unknown ones, of which 20 are listed.
      t.match(response.json.error, /; and 110975 more fields$/, 'the message says how many more');
      t.ok(response.text.length < 4096, `a small answer: ${response.text.length} bytes (was 8,619,677)`);
      const rows = await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card');
      t.equal(Number(rows[0]!.n), 0, 'nothing written');

      // Eight at once, and how long /health/live waits meanwhile (the review measured 3.2 s). On a service
      // without this file's 2 s request limit, which is for slow clients: on a busy 2-core machine (CI runs
      // two test files at once, some compiling a project) eight 1 MB bodies can take longer than that to read.
      const roomy = await startService(name, { maxEventLoopDelayMs: 0 });
      t.teardown(() => roomy.close());
      let slowestLive = 0;
      let done = false;
      const probe = (async () => {
        while (!done) {
          const asked = performance.now();
          await fetch(`${roomy.baseUrl}/health/live`);
          slowestLive = Math.max(slowestLive, performance.now() - asked);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      })();
      const parallel = performance.now();
      const statuses = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const answer = await roomy.request('/api/card/', {
            method: 'POST',
            body,
            headers: { 'content-type': 'application/json' },
          });
          return answer.status;
        }),
      );
      const parallelMs = Math.round(performance.now() - parallel);
      done = true;
      await probe;
      t.same(statuses, Array(8).fill(400), 'eight at once: each a 400');
      t.comment(
        `one such body: ${elapsed} ms; eight at once: ${parallelMs} ms; /health/live waited at most ${Math.round(slowestLive)} ms`,
      );
    });

    await t.test('a form of many unknown fields, and an update: the same cap', async (t) => {
      const fields = Array.from({ length: 5000 }, (_, index) => `f${index}=1`).join('&');
      const created = await service.request('/api/cardgroup/', {
        method: 'POST',
        body: fields,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      t.equal(created.status, 400);
      t.equal(created.json.fields.length, 20);
      t.match(created.json.error, /; and 4980 more fields$/);
      const updated = await service.request('/api/cardgroup/1/', {
        method: 'PATCH',
        body: manyUnknownKeys(),
        headers: { 'content-type': 'application/json' },
      });
      t.equal(updated.status, 400);
      t.equal(updated.json.fields.length, 20);
      t.match(updated.json.error, /; and 110970 more fields$/);
      const few = await service.request('/api/cardgroup/', { method: 'POST', body: { nmae: 'x', users_perm: 1 } });
      t.equal(few.json.fields.length, 2, 'a few problems: all listed');
      t.notMatch(few.json.error, /more field/, 'and no count');
      t.match(few.json.fields[0], { field: 'nmae', hint: /name/ }, 'with their hints');
    });
  });
}
