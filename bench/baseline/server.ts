/**
 * The hand-written comparison server for `npm run bench`: plain Fastify 5 and
 * a mysql2 pool with prepared statements, serving the same routes and JSON as
 * a2gen for cc_card and cc_card_group, behind cached Basic auth.
 *
 *   node dist/bench/baseline/server.js --port 8010 --database-url mysql://root@127.0.0.1:3306/a2billing
 *
 * Or from the environment: PORT, HOST, DATABASE_URL (or A2B_DATABASE_URL),
 * LOG_LEVEL (default warn: errors, no access log), POOL_SIZE (default 10).
 */
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import mysql from 'mysql2/promise';
import { registerBasicAuth } from './auth.js';
import { cardRoutes } from './card.js';
import { cardGroupRoutes } from './cardgroup.js';
import { registerErrorHandler } from './errors.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string' }, 'database-url': { type: 'string' } },
});
const port = Number(args.port ?? process.env.PORT ?? 8010);
const host = args.host ?? process.env.HOST ?? '127.0.0.1';
const databaseUrl = args['database-url'] ?? process.env.DATABASE_URL ?? process.env.A2B_DATABASE_URL;
if (databaseUrl === undefined) {
  console.error('baseline: give --database-url mysql://… (or DATABASE_URL)');
  process.exit(1);
}

const pool = mysql.createPool({
  uri: databaseUrl,
  connectionLimit: Number(process.env.POOL_SIZE ?? 10),
  dateStrings: true,
  decimalNumbers: false,
  supportBigNumbers: true,
  bigNumberStrings: false,
  charset: 'utf8mb4_general_ci',
  enableKeepAlive: true,
});
pool.on('connection', (connection) => {
  connection.query("SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', time_zone = '+00:00'");
});

const app = Fastify({
  logger: { level: process.env.LOG_LEVEL ?? 'warn' },
  routerOptions: { ignoreTrailingSlash: true },
  // Unknown body fields and query parameters are errors, not silently dropped.
  ajv: { customOptions: { removeAdditional: false, allowUnionTypes: true } },
});
registerErrorHandler(app);
await app.register(async (api) => {
  registerBasicAuth(api, pool);
  await cardRoutes(api, pool);
  await cardGroupRoutes(api, pool);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0));
  });
}
await app.listen({ port, host });
console.log(`baseline serving http://${host}:${port}/api/`);
