/**
 * Work done once when the service first starts on a data directory: the
 * admin session key file and, on the embedded database, the database file
 * and its first admin. With `a2gen serve --workers N` the primary does it
 * before forking, so the workers find everything made and never race.
 */
import { randomBytes } from 'node:crypto';
import type { ResourceModel } from './store/model.js';
import { loadSessionKey } from './admin/secret.js';
import { UserStore } from './auth/user-store.js';
import type { Config } from './config.js';
import { openDatabase } from './database.js';

/** The embedded default starts with one admin whose password is shown once, here. */
export async function createFirstAdmin(users: UserStore): Promise<void> {
  if ((await users.count()) > 0) return;
  const password = randomBytes(12).toString('base64url');
  await users.createOrResetAdmin({ username: 'admin', password });
  console.log('created the first user, admin; it is shown only this once:');
  console.log(`admin password: ${password}`);
}

/** Throws ConfigError as the service would (production without A2B_SECRET). */
export async function prepareFirstStart(config: Config, models: readonly ResourceModel[]): Promise<void> {
  loadSessionKey(config);
  // On MySQL each worker creates the `user` table with IF NOT EXISTS: nothing to race.
  if (config.databaseUrl !== undefined) return;
  const { db } = await openDatabase(config, models);
  try {
    await createFirstAdmin(new UserStore(db));
  } finally {
    await db.close();
  }
}
