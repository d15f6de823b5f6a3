/**
 * Starts the service: `npm start`, or `node dist/runtime/main.js`.
 * The one runtime module that imports generated/.
 */
import { randomBytes } from 'node:crypto';
import { resources } from '../generated/index.js';
import { UserStore } from './auth/user-store.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './database.js';
import type { Db } from './db/db.js';
import { checkSchema } from './schema-status.js';
import { buildServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const { db } = await openDatabase(config, resources);
  if (config.databaseUrl !== undefined) await reportSchemaDrift(db);
  if (config.databaseUrl === undefined) await createFirstAdmin(new UserStore(db));
  const app = await buildServer({ db, resources, config });
  app.addHook('onClose', async () => db.close());
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void app.close().then(() => process.exit(0));
    });
  }
  await app.listen({ port: config.port, host: config.host });
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`a2gen serving http://${shownHost}:${port}/api/ (${resources.map((r) => r.spec.resource).join(', ')})`);
  console.log(`database: ${db.description}`);
  console.log('create or reset an API user: npx a2gen create-admin --username NAME');
}

/** Says at startup what `a2gen diff` would say; the service still starts (affected requests answer 503 or 400). */
async function reportSchemaDrift(db: Db): Promise<void> {
  try {
    const report = await checkSchema(db, resources);
    for (const lines of Object.values(report.differences)) for (const line of lines) console.warn(`schema drift: ${line}`);
    if (!report.agrees) console.warn('the database differs from schema/: /health/ready answers 503 until they agree (see `npx a2gen diff`)');
  } catch (error) {
    console.warn(`database not reachable at startup (${(error as Error).message}); requests answer 503 until it is back`);
  }
}

/** The embedded default starts with one admin whose password is shown once, here. */
async function createFirstAdmin(users: UserStore): Promise<void> {
  if ((await users.count()) > 0) return;
  const password = randomBytes(12).toString('base64url');
  await users.createOrResetAdmin({ username: 'admin', password });
  console.log('created the first user, admin; it is shown only this once:');
  console.log(`admin password: ${password}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(`a2gen: ${error.message}`);
  } else {
    console.error('a2gen: could not start:', error);
  }
  process.exit(1);
});
