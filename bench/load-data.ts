/**
 * Benchmark data: cc_card rows that look like a real A2Billing install
 * (digit usernames, credits with varied decimals, mostly active, zero dates
 * in the "never happened" columns, some NULL flags, id_didgroup -1 for
 * "none"), plus one API user with a scrypt password. Deterministic: the same
 * seed gives the same rows.
 *
 *   node dist/bench/load-data.js mysql://root@127.0.0.1:3306/a2billing [--count 10000]
 *   node dist/bench/load-data.js --sqlite ./data/a2billing.sqlite [--count 10000]
 *
 * The password of the user `bench` comes from BENCH_PASSWORD, or is generated and printed.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import { models } from '../generated/index.js';
import { hashPassword } from '../runtime/auth/password.js';
import { USER_TABLE_DDL } from '../runtime/auth/user-store.js';
import { seedStatements } from '../runtime/db/seed.js';

/** dist/bench → the project root. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const BENCH_USER = 'bench';
export const CARD_COUNT = 10_000;
const BATCH = 500;

const ZERO_DATE = '0000-00-00 00:00:00';
const SESSION_SQL_MODE = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION';

/** Every column a card row is inserted with (not id, not serial: the database assigns those). */
export const CARD_COLUMNS = [
  'creationdate',
  'firstusedate',
  'expirationdate',
  'enableexpire',
  'expiredays',
  'username',
  'useralias',
  'uipass',
  'credit',
  'tariff',
  'id_didgroup',
  'activated',
  'status',
  'lastname',
  'firstname',
  'address',
  'city',
  'state',
  'country',
  'zipcode',
  'phone',
  'email',
  'fax',
  'inuse',
  'simultaccess',
  'currency',
  'lastuse',
  'nbused',
  'typepaid',
  'creditlimit',
  'voipcall',
  'sip_buddy',
  'iax_buddy',
  'language',
  'redial',
  'runservice',
  'nbservice',
  'id_campaign',
  'num_trials_done',
  'vat',
  'servicelastrun',
  'initialbalance',
  'invoiceday',
  'autorefill',
  'loginkey',
  'mac_addr',
  'id_timezone',
  'tag',
  'voicemail_permitted',
  'voicemail_activated',
  'last_notification',
  'email_notification',
  'notify_email',
  'credit_notification',
  'id_group',
  'company_name',
  'company_website',
  'vat_rn',
  'traffic',
  'traffic_target',
  'discount',
  'restriction',
  'id_seria',
  'block',
  'lock_pin',
  'lock_date',
  'max_concurrent',
] as const;

type Value = string | number | null;

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FIRST_NAMES = [
  'John',
  'Maria',
  'Ahmed',
  'Li',
  'Sofia',
  'Pierre',
  'Anna',
  'Carlos',
  'Fatima',
  'Ivan',
  'Ngozi',
  'José',
];
const LAST_NAMES = ['Smith', 'Garcia', 'Müller', 'Dubois', 'Rossi', 'Kowalski', 'Okafor', 'Nguyen', 'Silva', "O'Brien"];
const CITIES: [string, string, string, string][] = [
  ['Paris', 'IDF', 'FRA', 'EUR'],
  ['Lyon', 'ARA', 'FRA', 'EUR'],
  ['Madrid', 'MD', 'ESP', 'EUR'],
  ['New York', 'NY', 'USA', 'USD'],
  ['Austin', 'TX', 'USA', 'USD'],
  ['London', 'LND', 'GBR', 'GBP'],
  ['Lagos', 'LA', 'NGA', 'USD'],
  ['São Paulo', 'SP', 'BRA', 'USD'],
];
const LANGUAGES = ['en', 'en', 'en', 'fr', 'es', 'pt'];
const VATS = [0, 0, 0, 0, 19.6, 5.5, 20, 0.1, 7.7, 21];

export interface CardRowsOptions {
  count?: number;
  seed?: number;
}

/** Card rows as arrays in CARD_COLUMNS order. */
export function* cardRows({ count = CARD_COUNT, seed = 20150101 }: CardRowsOptions = {}): Generator<Value[]> {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const chance = (p: number) => random() < p;
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const digits = (n: number) => Array.from({ length: n }, () => int(0, 9)).join('');
  const alnum = (n: number) => Array.from({ length: n }, () => 'abcdefghijkmnpqrstuvwxyz23456789'[int(0, 31)]).join('');
  const start = Date.UTC(2011, 0, 1) / 1000;
  const end = Date.UTC(2024, 11, 31) / 1000;
  const timestamp = (from = start) => new Date(int(from, end) * 1000).toISOString().slice(0, 19).replace('T', ' ');
  const money = (max: number) => (random() * max).toFixed(int(0, 5));

  for (let i = 0; i < count; i++) {
    const created = int(start, end - 86_400);
    const used = chance(0.25);
    const [city, state, country, currency] = pick(CITIES);
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const credit = chance(0.1) ? '0.00000' : chance(0.03) ? `-${money(20)}` : money(500);
    const row: Record<(typeof CARD_COLUMNS)[number], Value> = {
      creationdate: new Date(created * 1000).toISOString().slice(0, 19).replace('T', ' '),
      firstusedate: used ? timestamp(created) : ZERO_DATE,
      expirationdate: chance(0.1) ? timestamp(created) : ZERO_DATE,
      enableexpire: chance(0.05) ? null : 0,
      expiredays: chance(0.05) ? null : chance(0.1) ? int(30, 365) : 0,
      // Unique 10-digit card numbers and aliases, in a scattered order.
      username: String(4_100_000_000 + ((i * 7919) % 1_000_000) * 1000 + (i % 1000)),
      useralias: String(6_300_000_000 + ((i * 104_729) % 1_000_000) * 1000 + (i % 1000)),
      uipass: alnum(10),
      credit,
      tariff: chance(0.8) ? 1 : int(2, 6),
      id_didgroup: chance(0.3) ? -1 : chance(0.5) ? 0 : int(1, 4),
      activated: chance(0.9) ? 't' : 'f',
      status: chance(0.88) ? 1 : pick([0, 2, 3, 4, 5]),
      lastname: chance(0.2) ? '' : last,
      firstname: chance(0.2) ? '' : first,
      address: chance(0.4) ? '' : `${int(1, 250)} ${pick(['Main St', 'Rue de la Paix', 'Calle Mayor', 'High Street'])}`,
      city: chance(0.4) ? '' : city,
      state: chance(0.5) ? '' : state,
      country,
      zipcode: chance(0.4) ? '' : digits(5),
      phone: chance(0.3) ? '' : `+${digits(11)}`,
      email: chance(0.3) ? '' : `${first.toLowerCase()}.${i}@example.com`.replace(/[^\x20-\x7e]/g, 'e'),
      fax: '',
      inuse: 0,
      simultaccess: chance(0.05) ? null : int(0, 1),
      currency: chance(0.02) ? null : currency,
      lastuse: used ? timestamp(created) : ZERO_DATE,
      nbused: used ? int(1, 2000) : 0,
      typepaid: chance(0.05) ? null : chance(0.9) ? 0 : 1,
      creditlimit: chance(0.05) ? null : 0,
      voipcall: 0,
      sip_buddy: int(0, 1),
      iax_buddy: chance(0.1) ? 1 : 0,
      language: chance(0.02) ? null : pick(LANGUAGES),
      redial: '',
      runservice: 0,
      nbservice: 0,
      id_campaign: chance(0.3) ? null : 0,
      num_trials_done: chance(0.1) ? null : 0,
      vat: pick(VATS),
      servicelastrun: chance(0.05) ? timestamp(created) : ZERO_DATE,
      initialbalance: chance(0.5) ? '0.00000' : money(100),
      invoiceday: chance(0.05) ? null : int(1, 28),
      autorefill: 0,
      loginkey: chance(0.7) ? '' : alnum(20),
      mac_addr: '00-00-00-00-00-00',
      id_timezone: chance(0.1) ? null : int(0, 30),
      tag: chance(0.9) ? '' : pick(['vip', 'reseller', 'test']),
      voicemail_permitted: chance(0.2) ? 1 : 0,
      voicemail_activated: 0,
      last_notification: chance(0.9) ? null : timestamp(created),
      email_notification: '',
      notify_email: 0,
      credit_notification: -1,
      id_group: chance(0.9) ? 1 : int(2, 5),
      company_name: chance(0.9) ? '' : `${last} Telecom`,
      company_website: '',
      vat_rn: chance(0.95) ? null : `FR${digits(11)}`,
      traffic: chance(0.8) ? null : int(0, 10_000),
      traffic_target: '',
      discount: chance(0.85) ? '0.00' : (random() * 30).toFixed(2),
      restriction: 0,
      id_seria: null,
      block: chance(0.02) ? 1 : 0,
      lock_pin: chance(0.95) ? null : digits(4),
      lock_date: null,
      max_concurrent: 10,
    };
    yield CARD_COLUMNS.map((column) => row[column]);
  }
}

function* batches<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let batch: T[] = [];
  for (const item of items) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** Loads the cards in multi-row INSERTs of BATCH rows; returns how many. */
export async function loadCardsMysql(connection: mysql.Connection, options: CardRowsOptions = {}): Promise<number> {
  await connection.query(`SET SESSION sql_mode = '${SESSION_SQL_MODE}', time_zone = '+00:00'`);
  let loaded = 0;
  for (const batch of batches(cardRows(options), BATCH)) {
    await connection.query(`INSERT INTO cc_card (${CARD_COLUMNS.join(', ')}) VALUES ?`, [batch]);
    loaded += batch.length;
  }
  return loaded;
}

/** Creates the `user` table when missing and the API user `bench` with `password`. */
export async function createBenchUserMysql(connection: mysql.Connection, password: string): Promise<void> {
  await connection.query(USER_TABLE_DDL.mysql);
  await connection.query('INSERT INTO `user` (username, password, email, active, admin) VALUES (?, ?, ?, 1, 0)', [
    BENCH_USER,
    await hashPassword(password),
    `${BENCH_USER}@localhost`,
  ]);
}

/**
 * Creates the embedded SQLite file as the service would (generated DDL, seed
 * rows, user table), then loads the cards and the API user in one transaction.
 */
export async function loadSqlite(file: string, password: string, options: CardRowsOptions = {}): Promise<number> {
  const hash = await hashPassword(password);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(readFileSync(path.join(PROJECT_ROOT, 'generated/ddl/sqlite.sql'), 'utf8'));
    db.exec(USER_TABLE_DDL.sqlite);
    const insertCard = db.prepare(
      `INSERT INTO cc_card (${CARD_COLUMNS.join(', ')}) VALUES (${CARD_COLUMNS.map(() => '?').join(', ')})`,
    );
    let loaded = 0;
    db.transaction(() => {
      for (const model of models) {
        for (const statement of (model.seed ?? []).flatMap(seedStatements))
          db.prepare(statement.sql).run(...statement.params);
      }
      for (const row of cardRows(options)) {
        insertCard.run(...row);
        loaded++;
      }
      db.prepare('INSERT INTO `user` (username, password, email, active, admin) VALUES (?, ?, ?, 1, 0)').run(
        BENCH_USER,
        hash,
        `${BENCH_USER}@localhost`,
      );
    })();
    return loaded;
  } finally {
    db.close();
  }
}

async function cli(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { sqlite: { type: 'string' }, count: { type: 'string' } },
  });
  const count = Number(values.count ?? CARD_COUNT);
  const password = process.env.BENCH_PASSWORD ?? randomBytes(12).toString('base64url');
  let loaded: number;
  if (values.sqlite !== undefined) {
    loaded = await loadSqlite(values.sqlite, password, { count });
  } else {
    const url = positionals[0];
    if (url === undefined) throw new Error('usage: load-data.js mysql://user@host:3306/db | --sqlite FILE [--count N]');
    const connection = await mysql.createConnection({ uri: url });
    try {
      loaded = await loadCardsMysql(connection, { count });
      await createBenchUserMysql(connection, password);
    } finally {
      await connection.end();
    }
  }
  console.log(`loaded ${loaded} cards and the user ${BENCH_USER}`);
  if (process.env.BENCH_PASSWORD === undefined) console.log(`${BENCH_USER} password: ${password}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  cli().catch((error: unknown) => {
    console.error('load-data:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
