/**
 * Users' roles, on SQLite and MariaDB: an older `user` table gets the
 * nullable `role` and `attributes` columns at startup (several workers at
 * once too), its users keep the admin role; `a2gen user role` sets a role
 * that Basic auth's principal carries within a second, however long the
 * credentials were cached, because the user watch sees the change.
 */
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import t from 'tap';
import { registerBasicAuth, type AuthUser } from '../../runtime/auth/basic-auth.js';
import { CredentialCache } from '../../runtime/auth/credential-cache.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { UserWatch } from '../../runtime/auth/user-watch.js';
import type { Db } from '../../runtime/db/db.js';
import { setUserRole } from '../../runtime/commands/user-commands.js';
import { emptyDatabases, type Scope } from '../helpers/empty-databases.js';
import { waitFor } from '../helpers/wait-for.js';

const WITHIN_MS = 1000;
const PASSWORD = 'a password of some length';

/** The `user` table as the old Flask app made it: none of this runtime's columns. */
const OLD_TABLE = {
  mysql:
    'CREATE TABLE `user` (`id` int(11) NOT NULL AUTO_INCREMENT, `username` varchar(255) NOT NULL, `password` varchar(255) NOT NULL, ' +
    '`email` varchar(255) NOT NULL, `active` tinyint(1) NOT NULL DEFAULT 1, `admin` tinyint(1) NOT NULL DEFAULT 0, PRIMARY KEY (`id`), ' +
    'UNIQUE KEY `user_username` (`username`), UNIQUE KEY `user_email` (`email`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4',
  sqlite:
    'CREATE TABLE `user` (`id` INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, `username` varchar(255) NOT NULL UNIQUE, ' +
    '`password` varchar(255) NOT NULL, `email` varchar(255) NOT NULL UNIQUE, `active` tinyint(1) NOT NULL DEFAULT 1, ' +
    '`admin` tinyint(1) NOT NULL DEFAULT 0)',
};

const sink = () =>
  Object.assign(
    new Writable({
      write(chunk, _encoding, callback) {
        (this as unknown as { text: string }).text += String(chunk);
        callback();
      },
    }),
    { text: '' },
  );

/** /api/whoami behind Basic auth, with the user watch dropping cached credentials as server.ts wires it. */
async function startApp(t: Scope, users: UserStore, db: Db) {
  const cache = new CredentialCache<AuthUser>({ ttlMs: 60_000 });
  const watch = new UserWatch(db, {
    intervalMs: 500,
    onChange: (changes) => cache.forget((user) => changes.has(user.id)),
    onError: () => undefined,
  });
  watch.start();
  t.teardown(() => watch.stop());
  const app = Fastify();
  await app.register(async (api) => {
    registerBasicAuth(api, { users, cache });
    api.get('/api/whoami', async (request) => request.user);
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  t.teardown(() => app.close());
  const auth = `Basic ${Buffer.from(`alice:${PASSWORD}`).toString('base64')}`;
  return async () => {
    const response = await fetch(`${address}/api/whoami`, { headers: { authorization: auth } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
}

for (const [dialect, open] of Object.entries(emptyDatabases)) {
  t.test(dialect, async (t) => {
    const db = await open(t);
    await db.run(OLD_TABLE[db.dialect]);
    const users = new UserStore(db);
    // Two workers starting at once: both add the missing columns, neither fails.
    await Promise.all([users.ensureTable(), new UserStore(db).ensureTable()]);
    await users.ensureTable();
    await users.createOrResetAdmin({ username: 'alice', password: PASSWORD });
    const whoami = await startApp(t, users, db);

    await t.test('an existing user has the admin role and no attributes, as before roles', async (t) => {
      t.match((await users.list())[0], { username: 'alice', role: 'admin', roleSet: false, attributes: {} });
      t.strictSame((await whoami()).body, {
        kind: 'user',
        id: 1,
        username: 'alice',
        admin: true,
        role: 'admin',
        attributes: {},
      });
    });

    await t.test('a role set with the CLI reaches the API within a second', async (t) => {
      t.equal((await whoami()).status, 200, 'verified and cached');
      const out = sink();
      await setUserRole(db, { username: 'alice', role: 'agent', attributes: ['agent=7', 'region=north'] }, out);
      t.equal(out.text, 'alice has the role agent with agent=7, region=north\n');
      const start = performance.now();
      const seen = await waitFor(
        async () => {
          const answer = await whoami();
          return answer.body.role === 'agent' && answer.body;
        },
        { what: 'the new role' },
      );
      const elapsed = performance.now() - start;
      t.ok(elapsed <= WITHIN_MS, `the new role after ${Math.round(elapsed)} ms`);
      t.strictSame(seen.attributes, { agent: '7', region: 'north' });
    });

    await t.test('new attributes alone are noticed too', async (t) => {
      await setUserRole(db, { username: 'alice', role: 'agent', attributes: ['agent=8'] }, sink());
      const seen = await waitFor(async () => ((await whoami()).body.attributes as { agent?: string }).agent === '8', {
        what: 'the new attributes',
        timeoutMs: 5000,
      });
      t.ok(seen);
    });

    await t.test('the CLI refuses what it cannot store', async (t) => {
      await t.rejects(setUserRole(db, { username: 'nobody', role: 'agent', attributes: [] }, sink()), {
        message: 'no user named nobody',
      });
      await t.rejects(setUserRole(db, { username: 'alice', role: 'Agent!', attributes: [] }, sink()), {
        message: /a role is 1 to 64 characters/,
      });
      await t.rejects(setUserRole(db, { username: 'alice', role: 'agent', attributes: ['agent'] }, sink()), {
        message: /is not NAME=VALUE/,
      });
      await t.rejects(
        setUserRole(db, { username: 'alice', role: 'agent', attributes: [] }, sink(), (role) =>
          role === 'agent' ? 'no role agent in the roles file' : undefined,
        ),
        { message: 'no role agent in the roles file' },
        "the roles file's check, when given",
      );
    });

    await t.test('attributes a hand-made UPDATE broke: a 500, not a login with no attributes', async (t) => {
      await db.run("UPDATE `user` SET `attributes` = '[1, 2]' WHERE `username` = 'alice'");
      const answer = await waitFor(
        async () => {
          const response = await whoami();
          return response.status !== 200 && response;
        },
        { what: 'the refusal', timeoutMs: 5000 },
      );
      t.equal(answer.status, 500);
      t.match((await users.list())[0], { attributes: undefined });
    });

    await t.test('a NULL role is the default again', async (t) => {
      t.ok(await users.setRole(1, null));
      t.match((await users.list())[0], { role: 'admin', roleSet: false, attributes: {} });
    });
  });
}
