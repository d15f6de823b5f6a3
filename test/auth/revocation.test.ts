/**
 * Changes to a user bite within a second however they were made (the CLI,
 * another worker, a DBA's UPDATE), and an admin session ends for good when
 * its user signs out, is deactivated or gets a new password: a copy of the
 * old cookie opens nothing, even after the user is restored.
 */
import t from 'tap';
import { hashPassword } from '../../runtime/auth/password.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';
import { startAdminService, type AdminService } from '../admin/admin-service.js';

/** The promise in the README: "a change bites on the API at once", on every process within this. */
const WITHIN_MS = 1000;
const PASSWORD = 'a password of some length';

async function newUser(service: AdminService, username: string): Promise<string> {
  await service.users.createOrResetAdmin({ username, password: PASSWORD });
  return basicAuth(username, PASSWORD);
}

/** Milliseconds from now until `refused()` holds, polling every 20 ms. */
async function timeUntil(refused: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  await waitFor(async () => (await refused()) || undefined, { what: 'the change to bite', timeoutMs: 10_000 });
  return performance.now() - start;
}

for (const backend of BACKENDS) {
  t.test(`${backend}: the API`, async (t) => {
    const service = await startAdminService(backend);
    t.teardown(() => service.close());
    const db = service.backend.db;

    await t.test('a user deactivated directly in the database is refused within a second', async (t) => {
      const auth = await newUser(service, 'direct-deactivate');
      t.equal((await service.api('/api/cardgroup/', { auth })).status, 200, 'verified and cached');
      await db.run('UPDATE `user` SET `active` = 0 WHERE `username` = ?', ['direct-deactivate']);
      const elapsed = await timeUntil(async () => (await service.api('/api/cardgroup/', { auth })).status === 401);
      t.ok(elapsed <= WITHIN_MS, `refused after ${Math.round(elapsed)} ms`);
    });

    await t.test('a password changed directly in the database is refused within a second', async (t) => {
      const auth = await newUser(service, 'direct-password');
      t.equal((await service.api('/api/cardgroup/', { auth })).status, 200);
      await db.run('UPDATE `user` SET `password` = ? WHERE `username` = ?', [
        await hashPassword('another password entirely'),
        'direct-password',
      ]);
      const elapsed = await timeUntil(async () => (await service.api('/api/cardgroup/', { auth })).status === 401);
      t.ok(elapsed <= WITHIN_MS, `the old password refused after ${Math.round(elapsed)} ms`);
      const fresh = basicAuth('direct-password', 'another password entirely');
      t.equal((await service.api('/api/cardgroup/', { auth: fresh })).status, 200, 'the new one works');
    });

    await t.test('a deactivation with the CLI (UserStore.deactivate) is refused within a second', async (t) => {
      const auth = await newUser(service, 'cli-deactivate');
      t.equal((await service.api('/api/cardgroup/', { auth })).status, 200);
      await service.users.deactivate('cli-deactivate');
      const elapsed = await timeUntil(async () => (await service.api('/api/cardgroup/', { auth })).status === 401);
      t.ok(elapsed <= WITHIN_MS, `refused after ${Math.round(elapsed)} ms`);
    });
  });

  t.test(`${backend}: admin sessions live on the server`, async (t) => {
    const service = await startAdminService(backend);
    t.teardown(() => service.close());
    const db = service.backend.db;
    const signedIn = async (cookie: string) => {
      const client = service.client();
      client.cookie = cookie;
      const page = await client.get('/admin/');
      return page.status === 200 && page.text.includes('Signed in as');
    };
    const signIn = async (username: string) => {
      await service.users.createOrResetAdmin({ username, password: PASSWORD });
      const client = service.client();
      t.equal((await client.login(username, PASSWORD)).status, 303, `${username} signed in`);
      t.ok(await signedIn(client.cookie!), 'the cookie opens the panel');
      return client;
    };

    await t.test('signing out ends the session: a copy of the cookie opens nothing', async (t) => {
      const client = await signIn('signs-out');
      const copy = client.cookie!;
      t.equal((await client.post('/admin/logout')).status, 303, 'signed out');
      t.notOk(await signedIn(copy), 'the copied cookie is refused');
    });

    await t.test('deactivated, then reactivated directly in the database: the old session stays ended', async (t) => {
      const client = await signIn('toggled');
      await db.run('UPDATE `user` SET `active` = 0 WHERE `username` = ?', ['toggled']);
      // No request in between: the service notices by itself and ends the sessions.
      const elapsed = await timeUntil(
        async () =>
          (
            await db.all(
              "SELECT 1 FROM `a2gen_session` s JOIN `user` u ON u.id = s.user_id WHERE u.username = 'toggled'",
            )
          ).length === 0,
      );
      t.ok(elapsed <= WITHIN_MS, `the session was ended after ${Math.round(elapsed)} ms`);
      await db.run('UPDATE `user` SET `active` = 1 WHERE `username` = ?', ['toggled']);
      t.notOk(await signedIn(client.cookie!), 'the old cookie opens nothing');
      const again = service.client();
      t.equal((await again.login('toggled', PASSWORD)).status, 303, 'the user can sign in anew');
    });

    await t.test('a password changed directly in the database ends the session at once', async (t) => {
      const client = await signIn('repassworded');
      await db.run('UPDATE `user` SET `password` = ? WHERE `username` = ?', [
        await hashPassword('changed by a DBA'),
        'repassworded',
      ]);
      t.notOk(await signedIn(client.cookie!), 'the next page is refused');
    });
  });
}
