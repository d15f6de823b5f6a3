/**
 * `node dist/bench/bulk-create.js [--rounds N]`: 1,000 cards as one bulk
 * create (a JSON array) against 1,000 single POSTs (ten at a time), on the
 * embedded SQLite and on MariaDB (a throwaway database with the usual 10,000
 * benchmark cards), over loopback HTTP, the two ways interleaved round by
 * round. Prints the median wall time of each and their ratio.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { models } from '../generated/index.js';
import { loadConfig } from '../runtime/config.js';
import { openMysql } from '../runtime/db/mysql/driver.js';
import { openSqlite } from '../runtime/db/sqlite/driver.js';
import { createEmbeddedTables } from '../runtime/database.js';
import type { Db } from '../runtime/db/db.js';
import { UserStore } from '../runtime/auth/user-store.js';
import { buildServer } from '../runtime/server.js';
import { BENCH_USER } from './load-data.js';
import { cleanup, installCleanupHandlers, onCleanup } from './lib/cleanup.js';
import { createDatabase } from './lib/database.js';
import { progress } from './lib/progress.js';

const ROWS = 1000;
const CONCURRENCY = 10;
const PASSWORD = 'bench password for bulk creates';

const { values: flags } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(flags.rounds);

function cards(tag: string): Record<string, unknown>[] {
  return Array.from({ length: ROWS }, (_, index) => ({
    username: `${tag}-${index}`,
    useralias: `${tag}-alias-${index}`,
    uipass: `pw${index}`,
    credit: (index % 100) + 0.25,
    tariff: 1,
    lastname: `Bulk ${index}`,
  }));
}

async function measure(name: string, db: Db): Promise<{ name: string; bulk: number; singles: number }> {
  const app = await buildServer({ db, models, config: loadConfig({}), logger: false, openapi: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/card/`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${BENCH_USER}:${PASSWORD}`).toString('base64')}`,
    'content-type': 'application/json',
  };
  const post = async (body: unknown) => {
    const response = await fetch(base, { method: 'POST', headers, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`${name}: ${response.status} ${await response.text()}`);
    await response.arrayBuffer();
  };
  const timings = { bulk: [] as number[], singles: [] as number[] };
  try {
    for (let round = 0; round < rounds; round++) {
      let started = performance.now();
      await post(cards(`bulk${round}`));
      timings.bulk.push(performance.now() - started);
      const rows = cards(`single${round}`);
      started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < rows.length) await post(rows[next++]);
        }),
      );
      timings.singles.push(performance.now() - started);
      progress(
        `${name} round ${round + 1}: bulk ${timings.bulk.at(-1)!.toFixed(0)} ms, singles ${timings.singles.at(-1)!.toFixed(0)} ms`,
      );
    }
  } finally {
    await app.close();
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  return { name, bulk: median(timings.bulk), singles: median(timings.singles) };
}

installCleanupHandlers();
try {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-bench-bulk-'));
  onCleanup(async () => rmSync(directory, { recursive: true, force: true }));
  const sqlite = openSqlite(path.join(directory, 'bench.sqlite'));
  await createEmbeddedTables(sqlite, models);
  await new UserStore(sqlite).createOrResetAdmin({ username: BENCH_USER, password: PASSWORD });
  const database = await createDatabase(PASSWORD);
  const mysql = openMysql(database.url);
  await new UserStore(mysql).createOrResetAdmin({ username: BENCH_USER, password: PASSWORD });
  const results = [await measure('SQLite', sqlite), await measure(`MariaDB ${database.version}`, mysql)];
  await sqlite.close();
  await mysql.close();
  console.log(`\n${ROWS} cards, median of ${rounds} rounds (singles: ${CONCURRENCY} requests at a time)\n`);
  console.log('| database | one bulk create | 1,000 single POSTs | singles / bulk |');
  console.log('|---|---|---|---|');
  for (const { name, bulk, singles } of results)
    console.log(`| ${name} | ${bulk.toFixed(0)} ms | ${singles.toFixed(0)} ms | ${(singles / bulk).toFixed(1)}× |`);
} finally {
  await cleanup();
}
