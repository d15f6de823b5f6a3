/**
 * `a2gen serve --workers 2` as operators run it: one port, both workers
 * serve (counted by the pid in each worker's request log), an admin session
 * cookie from one worker is accepted by the other, a worker that dies is
 * replaced, a client that wrote reads its write from the primary whichever
 * worker it reaches, and SIGTERM stops everything with exit code 0.
 */
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { spawnService } from '../helpers/spawned-service.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { parseWorkerCount, RestartBackoff } from '../../runtime/cluster.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { EMBEDDED_FILE } from '../../runtime/database.js';
import { createMysqlDatabase } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';

interface Cluster {
  port: number;
  output: () => string;
  exited: Promise<number | null>;
  kill: (signal: NodeJS.Signals) => void;
  /** Access-log lines ("request completed") per worker pid for URLs matching `url`, once `expected` of them are out. */
  servedBy: (url: RegExp, expected?: number) => Promise<Map<number, number>>;
}

async function startCluster(t: { teardown(fn: () => unknown): void }, env: Record<string, string>): Promise<Cluster> {
  const banner = /serving http:\/\/127\.0\.0\.1:(\d+)/g;
  const service = await spawnService(t, {
    args: ['dist/bin/a2gen.js', 'serve', '--workers', '2'],
    env: { A2B_DATABASE_READ_URL: '', ...env },
    ready: banner,
    count: 2,
    timeoutMs: 30_000,
  });
  return {
    ...service,
    port: Number([...service.output().matchAll(banner)][0]![1]),
    async servedBy(url, expected = 0) {
      // Log lines leave each worker in blocks, or at the latest a second later (runtime/access-log.ts): wait for them.
      let counts = new Map<number, number>();
      await waitFor(
        () => {
          counts = new Map();
          // Complete lines only: the last one may still be arriving.
          for (const line of service.output().split('\n').slice(0, -1)) {
            if (!line.startsWith('{')) continue;
            const entry = JSON.parse(line) as { pid: number; msg: string; req?: { url: string } };
            if (entry.msg === 'request completed' && entry.req && url.test(entry.req.url))
              counts.set(entry.pid, (counts.get(entry.pid) ?? 0) + 1);
          }
          return [...counts.values()].reduce((sum, n) => sum + n, 0) >= expected;
        },
        { what: () => `${expected} access-log lines for ${url} (${describe(counts)})` },
      );
      return counts;
    },
  };
}

/** One request on a connection of its own (no keep-alive), so the cluster can hand each to either worker. */
function send(
  port: number,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers, agent: false },
      (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

t.test('--workers: a number, or 0 / auto for one per core', async (t) => {
  t.equal(parseWorkerCount('3'), 3);
  t.equal(parseWorkerCount('0'), os.availableParallelism());
  t.equal(parseWorkerCount('auto'), os.availableParallelism());
  for (const bad of ['-1', '1.5', 'many', '']) t.throws(() => parseWorkerCount(bad), /--workers must be/, bad);
});

t.test('a worker that keeps dying is restarted ever more slowly, not in a loop', async (t) => {
  const backoff = new RestartBackoff();
  t.same(
    [1, 2, 3, 4, 5, 6, 7, 8].map(() => backoff.afterDeath(100)),
    [1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000],
  );
  t.equal(backoff.afterDeath(60_000), 500, 'a worker that ran a while is replaced at once');
  t.equal(backoff.afterDeath(100), 1000, 'and the backoff starts over');
});

const describe = (counts: Map<number, number>) => [...counts].map(([pid, n]) => `pid ${pid}: ${n}`).join(', ');

/**
 * Sends `round` again until both workers have served some of it (by their logs), at most `rounds` times.
 * Which worker takes a connection is the cluster's choice: the test asks that both serve, not how evenly.
 */
async function untilBothServe<T>(service: Cluster, url: RegExp, round: () => Promise<T[]>, rounds = 10) {
  const answers: T[] = [];
  let served = new Map<number, number>();
  for (let count = 0; count < rounds && served.size < 2; count += 1) {
    answers.push(...(await round()));
    served = await service.servedBy(url, answers.length);
  }
  return { answers, served };
}

t.test('two workers on the embedded database', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-workers-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const service = await startCluster(t, { A2B_DATA_DIR: dataDir });
  const password = /admin password: (\S+)/.exec(service.output())?.[1];
  t.ok(password, 'the primary created the first admin once');
  t.equal(service.output().match(/created the first user/g)?.length, 1, 'and only once');
  const auth = basicAuth('admin', password!);

  await t.test('many requests: every answer OK, both workers serve', async (t) => {
    // 200 requests a round, 10 at a time.
    const round = async () => {
      const statuses: number[] = [];
      for (let batch = 0; batch < 20; batch += 1) {
        const answers = await Promise.all(
          Array.from({ length: 10 }, () => send(service.port, '/api/cardgroup/', { headers: { authorization: auth } })),
        );
        statuses.push(...answers.map((answer) => answer.status));
      }
      return statuses;
    };
    const { answers, served } = await untilBothServe(service, /^\/api\/cardgroup\//, round);
    t.same([...new Set(answers)], [200], `${answers.length} requests, every one answered 200`);
    t.equal(served.size, 2, `both workers served (${describe(served)})`);
    t.comment(`API requests per worker: ${describe(served)}`);
  });

  await t.test('an admin session cookie from one worker is accepted by the other', async (t) => {
    const login = await send(service.port, '/admin/login');
    const loginCookie = login.headers['set-cookie']?.[0]?.split(';')[0];
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1];
    const form = new URLSearchParams({ _csrf: csrf ?? '', username: 'admin', password: password! }).toString();
    const signedIn = await send(service.port, '/admin/login', {
      method: 'POST',
      headers: { cookie: loginCookie ?? '', 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    t.equal(signedIn.status, 303, 'signed in');
    const cookie = signedIn.headers['set-cookie']?.[0]?.split(';')[0];
    t.ok(cookie, 'session cookie issued');
    const { answers: pages, served } = await untilBothServe(service, /^\/admin\/$/, () =>
      Promise.all(Array.from({ length: 20 }, () => send(service.port, '/admin/', { headers: { cookie: cookie! } }))),
    );
    t.same([...new Set(pages.map((page) => page.status))], [200], `${pages.length} admin pages, every one 200`);
    t.ok(
      pages.every((page) => page.text.includes('Signed in as')),
      'every one signed in',
    );
    t.equal(served.size, 2, `both workers accepted the cookie (${describe(served)})`);
  });

  await t.test('a user deactivated elsewhere is refused by both workers within a second', async (t) => {
    // As `a2gen deactivate` does it: straight in the database, which neither worker is told about.
    const db = openSqlite(path.join(dataDir, EMBEDDED_FILE));
    t.teardown(() => db.close());
    const users = new UserStore(db);
    await users.createOrResetAdmin({ username: 'leaver', password: 'a password of some length' });
    const leaver = basicAuth('leaver', 'a password of some length');
    // Both workers verify the password and cache it.
    const { answers, served } = await untilBothServe(service, /^\/api\/cardgroup\/\?page=999$/, () =>
      Promise.all(
        Array.from({ length: 10 }, () =>
          send(service.port, '/api/cardgroup/?page=999', { headers: { authorization: leaver } }),
        ),
      ),
    );
    t.same([...new Set(answers.map((answer) => answer.status))], [200], 'both workers let the user in');
    t.equal(served.size, 2, `both cached it (${describe(served)})`);

    await users.deactivate('leaver');
    const start = performance.now();
    let rounds = 0;
    await waitFor(
      async () => {
        rounds += 1;
        const round = await Promise.all(
          Array.from({ length: 10 }, () =>
            send(service.port, `/api/cardgroup/?page=${1000 + rounds}`, { headers: { authorization: leaver } }),
          ),
        );
        // Refused: 401, or 429 once the refused attempts reach the failed-login limit.
        return round.every((answer) => answer.status === 401 || answer.status === 429);
      },
      { what: 'every request of a round to be refused (401 or 429)', timeoutMs: 10_000 },
    );
    const elapsed = performance.now() - start;
    t.ok(elapsed <= 1000, `every request refused after ${Math.round(elapsed)} ms`);
    const refusedBy = await service.servedBy(new RegExp(`^/api/cardgroup/\\?page=${1000 + rounds}$`), 10);
    t.equal(refusedBy.size, 2, `by both workers in the last round (${describe(refusedBy)})`);
  });

  await t.test('a worker that dies is replaced', async (t) => {
    const [victim] = (await service.servedBy(/^\/api\/cardgroup\//)).keys();
    process.kill(victim!, 'SIGKILL');
    await waitFor(() => /serving http/.test(service.output().split(/died/)[1] ?? ''), {
      what: () => `a new worker:\n${service.output()}`,
    });
    t.match(service.output(), new RegExp(`worker ${victim} died \\(SIGKILL\\)`), 'the primary says so');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => send(service.port, '/api/cardgroup/', { headers: { authorization: auth } })),
    );
    t.same([...new Set(answers.map((answer) => answer.status))], [200], 'served again, every request 200');
  });

  await t.test('SIGTERM: every worker stops gracefully, exit code 0', async (t) => {
    service.kill('SIGTERM');
    t.equal(await service.exited, 0);
    t.match(service.output(), 'all workers stopped');
    t.equal(
      service.output().match(/SIGTERM received: finishing requests in flight/g)?.length,
      2,
      'both workers closed gracefully',
    );
  });
});

t.test('read-your-writes holds across workers (they share who wrote)', async (t) => {
  // The "replica" is a second database that never receives writes: a read served by it misses every new row.
  const primary = await createMysqlDatabase();
  const replica = await createMysqlDatabase();
  t.teardown(async () => {
    await primary.drop();
    await replica.drop();
  });
  const db = openMysql(primary.url);
  const users = new UserStore(db);
  await users.ensureTable();
  await users.createOrResetAdmin({ username: 'alice', password: 'alice password' });
  await users.createOrResetAdmin({ username: 'bob', password: 'bob password' });
  await db.close();
  const service = await startCluster(t, {
    A2B_DATABASE_URL: primary.url,
    A2B_DATABASE_READ_URL: replica.url,
    A2B_READ_YOUR_WRITES_MS: '20000',
  });
  const alice = { authorization: basicAuth('alice', 'alice password'), 'content-type': 'application/json' };
  const created = await send(service.port, '/api/cardgroup/', {
    method: 'POST',
    headers: alice,
    body: JSON.stringify({ name: 'alice wrote' }),
  });
  t.equal(created.status, 200);
  const url = `/api/cardgroup/${JSON.parse(created.text).id}/`;
  const { answers: reads, served } = await untilBothServe(service, new RegExp(`^${url}$`), () =>
    Promise.all(Array.from({ length: 20 }, () => send(service.port, url, { headers: alice }))),
  );
  t.same(
    [...new Set(reads.map((read) => read.status))],
    [200],
    `alice reads her write ${reads.length} times, every time`,
  );
  t.equal(served.size, 2, `from both workers (${describe(served)})`);
  const bob = await send(service.port, url, { headers: { authorization: basicAuth('bob', 'bob password') } });
  t.equal(bob.status, 404, 'bob, who never wrote, reads the replica, which lacks the row');
  service.kill('SIGTERM');
  t.equal(await service.exited, 0);
});
