/**
 * Microbenchmark: an audited partial update of one card, in the ways the
 * write path could send it (`node dist/bench/micro/update-exchange.js`):
 * whole row read, UPDATE, whole row read back, as prepared statements; the
 * same three as one multi-statement (one round trip, text protocol); only
 * the sent column read first; and the hand-written baseline's UPDATE and
 * read back. Prints the CPU time per update of this process (the service's
 * side) and of mariadbd, and the wall time, ten callers at once. Needs
 * MariaDB at A2B_BENCH_MYSQL (default mysql://root@127.0.0.1:3306) on this
 * machine.
 *
 * Measured (2026-11-27, client / mariadbd CPU µs per update, on a slow
 * hour of this machine): 326 / 337 three prepared; 434 / 543 one
 * multi-statement; 277 / 310 sent column only; 192 / 227 baseline. A round
 * trip saved does not pay for the text protocol's wide rows: the write path
 * keeps prepared statements and reads only the sent columns before.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cardTable, CREATE_DEFAULTS, INSERT_CARD } from '../../generated/card/queries.js';
import { cardSpec } from '../../generated/card/spec.js';
import mysql from 'mysql2';
import { openMysql } from '../../runtime/db/mysql.js';
import { insertStatement } from '../../runtime/sql/write.js';

const server = process.env.A2B_BENCH_MYSQL ?? 'mysql://root@127.0.0.1:3306';
const database = `a2gen_micro_${process.pid}`;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const CALLS = 3000;
const CONCURRENCY = 10;

/** User + system ticks of a process (/proc/<pid>/stat), in µs. */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / 100;
}

const mariadbd = Number(execFileSync('pidof', ['mariadbd']).toString().trim().split(' ')[0]);
const admin = openMysql(server);
await admin.run(`CREATE DATABASE ${database}`);
const db = openMysql(`${server}/${database}`);
try {
  const ddl = readFileSync(path.join(ROOT, 'generated/ddl/mysql.sql'), 'utf8');
  const createCard = ddl.split(/;\s*\n/).find((statement) => /CREATE TABLE[^(]*\bcc_card\b\s*\(/.test(statement))!;
  await db.run(createCard);
  const card = insertStatement('mysql', INSERT_CARD, cardSpec, { username: '1000000001', useralias: 'micro', uipass: 'x', credit: '5', tariff: 1 }, CREATE_DEFAULTS);
  await db.run(card.sql, card.params);

  const multi = mysql.createPool({ uri: `${server}/${database}`, connectionLimit: 10, dateStrings: true, supportBigNumbers: true, multipleStatements: true }).promise();
  const read = { sql: cardTable.get, params: [1] };
  const update = () => ({ sql: 'UPDATE cc_card SET lastname = ? WHERE id = ?', params: [`L${Math.random()}`, 1] });
  const variants: Record<string, () => Promise<unknown>> = {
    'three prepared statements, one after the other': async () => {
      await db.all(read.sql, read.params);
      const { sql, params } = update();
      await db.run(sql, params);
      await db.all(read.sql, read.params);
    },
    'one multi-statement (text protocol)': () => {
      const { sql, params } = update();
      return multi.query([read.sql, sql, read.sql].join(';\n'), [...read.params, ...params, ...read.params]);
    },
    'read of the sent column only, UPDATE, read back: prepared': async () => {
      await db.all('SELECT lastname FROM cc_card WHERE id = ?', [1]);
      const { sql, params } = update();
      await db.run(sql, params);
      await db.all(read.sql, read.params);
    },
    'UPDATE and read back (what the baseline does)': async () => {
      const { sql, params } = update();
      await db.run(sql, params);
      await db.all(read.sql, read.params);
    },
  };
  const samples = new Map<string, { client: number[]; server: number[]; wall: number[] }>();
  for (let round = 0; round < 7; round++) {
    for (const [name, variant] of Object.entries(variants)) {
      const count = round === 0 ? CALLS / 5 : CALLS;
      const [client, serverStart, wallStart] = [process.cpuUsage(), cpuMicros(mariadbd), performance.now()];
      await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
        for (let index = 0; index < count / CONCURRENCY; index++) await variant();
      }));
      if (round === 0) continue; // warm-up
      const used = process.cpuUsage(client);
      const entry = samples.get(name) ?? { client: [], server: [], wall: [] };
      entry.client.push((used.user + used.system) / count);
      entry.server.push((cpuMicros(mariadbd) - serverStart) / count);
      entry.wall.push(((performance.now() - wallStart) * 1000) / count);
      samples.set(name, entry);
    }
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  for (const [name, { client, server: serverCpu, wall }] of samples) {
    console.log(`${median(client).toFixed(1).padStart(7)} µs client CPU  ${median(serverCpu).toFixed(1).padStart(7)} µs mariadbd CPU  ${median(wall).toFixed(1).padStart(7)} µs wall  per update: ${name}`);
  }
  await multi.end();
} finally {
  await db.close();
  await admin.run(`DROP DATABASE ${database}`);
  await admin.close();
}
