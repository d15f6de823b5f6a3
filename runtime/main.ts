/**
 * Starts the service: `npm start`, or `node dist/runtime/main.js`.
 * The one runtime module that imports generated/.
 */
import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import { models } from '../generated/index.js';
import { loadSessionKey } from './admin/secret.js';
import { UserStore } from './auth/user-store.js';
import { onStopSignals, shareRecentWrites, STOP_SIGNALS } from './cluster.js';
import { ConfigError, loadConfig } from './config.js';
import { RolesFileError } from './access/roles-file.js';
import { openDatabase } from './database.js';
import type { Db } from './db/db.js';
import { ReadWriteSplitDb } from './db/read-write-split.js';
import { createFirstAdmin } from './first-start.js';
import { checkSchema } from './schema-status.js';
import { buildServer } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  // Before the database opens: without a usable admin session key, production refuses to start.
  const sessionKey = loadSessionKey(config);
  const { db } = await openDatabase(config, models);
  // The drift check reads information_schema table by table (0.1 s for 14 tables, 0.6-1 s for A2Billing's 97):
  // it runs while the server is built and starts listening, and its warnings still come before "serving".
  const drift = config.databaseUrl !== undefined ? reportSchemaDrift(db) : undefined;
  if (config.databaseUrl === undefined) await createFirstAdmin(new UserStore(db));
  const app = await buildServer({ db, models, config, admin: { sessionKey: sessionKey.key } });
  app.addHook('onClose', async () => db.close());
  // SIGTERM/SIGINT: stop accepting, let requests in flight finish (bounded), close the pool, exit 0.
  let stopSignal: NodeJS.Signals | undefined;
  const grace = closeWithGrace(
    // A worker of `a2gen serve --workers` stops on the first of its stop signals only (see onStopSignals).
    {
      delay: config.shutdownGraceMs,
      logger: { error: (message: string) => app.log.error(message) },
      skip: cluster.isWorker ? STOP_SIGNALS : [],
    },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'closing after an unexpected error');
      else app.log.info(`${signal ?? stopSignal} received: finishing requests in flight, then closing`);
      await app.close();
    },
  );
  if (cluster.isWorker) {
    onStopSignals((signal) => {
      stopSignal = signal;
      void grace.close();
    });
    if (db instanceof ReadWriteSplitDb) shareRecentWrites(db.recentWrites);
  }
  await app.listen({ port: config.port, host: config.host });
  await drift;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  console.log(`a2gen serving http://${shownHost}:${port}/api/ (${models.map((model) => model.resource).join(', ')})`);
  console.log(`database: ${db.description}`);
  console.log('create or reset an API user: npx a2gen create-admin --username NAME');
  console.log(`admin panel: http://${shownHost}:${port}/admin/`);
  const metricsAddress = app.metricsListener?.server.address();
  if (typeof metricsAddress === 'object' && metricsAddress) {
    const metricsHost = metricsAddress.family === 'IPv6' ? `[${metricsAddress.address}]` : metricsAddress.address;
    console.log(`metrics (no auth, for Prometheus): http://${metricsHost}:${metricsAddress.port}/metrics`);
  } else {
    console.log(`metrics (Basic auth): http://${shownHost}:${port}/metrics`);
  }
  if (sessionKey.source === 'file') {
    console.log(
      `admin sessions are signed with a key kept in ${sessionKey.file}; several instances need the same A2B_SECRET instead`,
    );
  }
}

/** Says at startup what `a2gen diff` would say; the service still starts (affected requests answer 503 or 400). */
async function reportSchemaDrift(db: Db): Promise<void> {
  const targets: Array<[string, Db]> =
    db instanceof ReadWriteSplitDb
      ? [
          ['primary', db.primary],
          ['read replica', db.replica],
        ]
      : [['database', db]];
  for (const [name, target] of targets) {
    try {
      const report = await checkSchema(target, models);
      for (const lines of Object.values(report.differences))
        for (const line of lines) console.warn(`schema drift (${name}): ${line}`);
      if (!report.agrees)
        console.warn(
          `the ${name} differs from schema/: /health/ready answers 503 until they agree (see \`npx a2gen diff\`)`,
        );
    } catch (error) {
      const meanwhile =
        name === 'read replica' ? 'reads go to the primary meanwhile' : 'requests answer 503 until it is back';
      console.warn(`${name} not reachable at startup (${(error as Error).message}); ${meanwhile}`);
    }
  }
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof RolesFileError) {
    console.error(`a2gen: ${error.message}`);
  } else {
    console.error('a2gen: could not start:', error);
  }
  process.exit(1);
});
