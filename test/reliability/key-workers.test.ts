/**
 * A key revoked with the CLI is refused by every worker of `a2gen serve
 * --workers 2` within a second: both workers first serve the key (told
 * apart by the pid in their request logs), then, a second after `a2gen key
 * revoke` returns, every request, whichever worker takes it, is a 401.
 */
import { execFile } from 'node:child_process';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { spawnService } from '../helpers/spawned-service.js';
import { waitFor } from '../helpers/wait-for.js';

const WITHIN_MS = 1000;

function a2gen(env: Record<string, string>, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), ...args],
      { env: { ...process.env, A2B_DATABASE_URL: '', ...env } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)),
    );
  });
}

/** One request on a connection of its own, so the cluster may hand each to either worker. */
function status(port: number, url: string, authorization: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: url, headers: { authorization }, agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      })
      .on('error', reject);
  });
}

t.test('a revoked key is refused by both workers within a second', async (t) => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-key-workers-'));
  t.teardown(() => rm(dataDir, { recursive: true, force: true }));
  const env = { A2B_DATA_DIR: dataDir };
  const banner = /serving http:\/\/127\.0\.0\.1:(\d+)/g;
  const service = await spawnService(t, {
    args: ['dist/bin/a2gen.js', 'serve', '--workers', '2'],
    env: { A2B_DATABASE_READ_URL: '', A2B_AUTH_MAX_FAILURES: '1000', ...env },
    ready: banner,
    count: 2,
    timeoutMs: 30_000,
  });
  const port = Number([...service.output().matchAll(banner)][0]![1]);
  /** Access-log lines per worker pid for exactly this URL, and their statuses. */
  const servedBy = (url: string) => {
    const counts = new Map<number, number[]>();
    for (const line of service.output().split('\n').slice(0, -1)) {
      if (!line.startsWith('{')) continue;
      const entry = JSON.parse(line) as {
        pid: number;
        msg: string;
        req?: { url: string };
        res?: { statusCode: number };
      };
      if (entry.msg === 'request completed' && entry.req?.url === url)
        counts.set(entry.pid, [...(counts.get(entry.pid) ?? []), entry.res?.statusCode ?? 0]);
    }
    return counts;
  };
  /** Rounds of 10 parallel requests until both workers logged some (at most 20 rounds). */
  const untilBothServe = async (url: string, authorization: string) => {
    const statuses: number[] = [];
    for (let round = 0; round < 20; round += 1) {
      statuses.push(...(await Promise.all(Array.from({ length: 10 }, () => status(port, url, authorization)))));
      // Log lines leave each worker in blocks, or within a second.
      const logged = await waitFor(
        () => {
          const counts = servedBy(url);
          return [...counts.values()].flat().length >= statuses.length && counts;
        },
        { what: `the log lines of ${url}` },
      );
      if (logged.size >= 2) return { statuses, logged };
    }
    throw new Error(`one worker served every request to ${url}`);
  };

  const token = (await a2gen(env, 'key', 'create', '--name', 'cluster', '--role', 'admin'))
    .trimEnd()
    .split('\n')
    .at(-1)!;
  const authorization = `Bearer ${token}`;
  await sleep(WITHIN_MS);

  const before = await untilBothServe('/api/cardgroup/', authorization);
  t.ok(
    before.statuses.every((code) => code === 200),
    `the key works on both workers (${before.statuses.length} requests)`,
  );

  t.match(await a2gen(env, 'key', 'revoke', 'cluster'), /^revoked API key cluster/);
  // The revocation is in the table once the command returns: a second from then.
  await sleep(WITHIN_MS);

  const after = await untilBothServe('/api/cardgroup/1/', authorization);
  t.strictSame(
    [...new Set(after.statuses)],
    [401],
    `a second after the revocation, all ${after.statuses.length} requests are refused`,
  );
  t.equal(after.logged.size, 2, 'by both workers');
  for (const [pid, statuses] of after.logged)
    t.ok(
      statuses.every((code) => code === 401),
      `worker ${pid}: ${statuses.length} refusals`,
    );
});
