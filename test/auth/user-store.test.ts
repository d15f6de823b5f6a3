import { createHash } from 'node:crypto';
import t from 'tap';
import { UserStore, USER_TABLE_DDL } from '../../runtime/auth/user-store.js';
import { verifyPassword } from '../../runtime/auth/password.js';
import { DuplicateKeyError } from '../../runtime/db/errors.js';
import { emptyDatabases as dialects } from '../helpers/empty-databases.js';

t.test('the DDL keeps the old table shape', async (t) => {
  t.match(USER_TABLE_DDL.mysql, /^CREATE TABLE IF NOT EXISTS `user`/);
  t.match(USER_TABLE_DDL.mysql, /ENGINE=InnoDB DEFAULT CHARSET=utf8mb4/);
  t.match(USER_TABLE_DDL.sqlite, /^CREATE TABLE IF NOT EXISTS `user`/);
  for (const ddl of Object.values(USER_TABLE_DDL)) {
    for (const column of ['id', 'username', 'password', 'email', 'active', 'admin']) t.match(ddl, `\`${column}\``);
  }
});

for (const [dialect, open] of Object.entries(dialects)) {
  t.test(dialect, async (t) => {
    const db = await open(t);
    const store = new UserStore(db);
    await store.ensureTable();
    await store.ensureTable(); // idempotent: run at every start

    t.test('an empty table', async (t) => {
      t.equal(await store.count(), 0);
      t.strictSame(await store.list(), []);
      t.equal(await store.findByUsername('nobody'), undefined);
    });

    t.test('createOrResetAdmin creates an active admin with a scrypt hash', async (t) => {
      t.equal(await store.createOrResetAdmin({ username: 'alice', password: 'first pw' }), 'created');
      const alice = await store.findByUsername('alice');
      t.ok(alice);
      t.strictSame(
        { ...alice!, password: undefined },
        {
          id: alice!.id,
          username: 'alice',
          password: undefined,
          email: 'alice@localhost',
          active: true,
          admin: true,
          role: 'admin',
          roleSet: false,
          attributes: {},
        },
      );
      t.type(alice!.id, 'number');
      t.match(alice!.password, /^scrypt\$/);
      t.equal((await verifyPassword(alice!.password, 'first pw')).ok, true);
      t.equal(await store.count(), 1);
    });

    t.test('createOrResetAdmin resets an existing user: new hash, active, admin', async (t) => {
      const before = await store.findByUsername('alice');
      t.equal(await store.deactivate('alice'), true);
      t.equal((await store.findByUsername('alice'))!.active, false);
      t.equal(await store.createOrResetAdmin({ username: 'alice', password: 'second pw' }), 'reset');
      const after = await store.findByUsername('alice');
      t.equal(after!.id, before!.id, 'same row');
      t.equal(after!.active, true);
      t.equal(after!.email, 'alice@localhost', 'email kept when not given');
      t.equal((await verifyPassword(after!.password, 'second pw')).ok, true);
      t.equal((await verifyPassword(after!.password, 'first pw')).ok, false);
      t.equal(
        await store.createOrResetAdmin({ username: 'alice', email: 'alice@example.com', password: 'x' }),
        'reset',
      );
      t.equal((await store.findByUsername('alice'))!.email, 'alice@example.com', 'email changed when given');
      t.equal(await store.count(), 1);
    });

    t.test('a duplicate email is a DuplicateKeyError', async (t) => {
      await t.rejects(
        store.createOrResetAdmin({ username: 'mallory', email: 'alice@example.com', password: 'x' }),
        DuplicateKeyError,
      );
    });

    t.test('list never returns password hashes and orders by id', async (t) => {
      await store.createOrResetAdmin({ username: 'bob', email: 'bob@example.com', password: 'x' });
      const users = await store.list();
      t.strictSame(
        users.map((user) => user.username),
        ['alice', 'bob'],
      );
      for (const user of users) {
        t.notOk('password' in user);
        t.strictSame(Object.keys(user).sort(), [
          'active',
          'admin',
          'attributes',
          'email',
          'id',
          'role',
          'roleSet',
          'username',
        ]);
      }
    });

    t.test('deactivate', async (t) => {
      t.equal(await store.deactivate('nobody'), false, 'unknown user');
      t.equal(await store.deactivate('bob'), true);
      t.equal(await store.deactivate('bob'), true, 'already inactive still counts as found');
      t.equal((await store.findByUsername('bob'))!.active, false);
      t.equal((await store.findByUsername('alice'))!.active, true, 'others untouched');
    });

    t.test('setPasswordHash replaces the stored hash', async (t) => {
      const bob = await store.findByUsername('bob');
      await store.setPasswordHash(bob!.id, 'scrypt$replaced');
      t.equal((await store.findByUsername('bob'))!.password, 'scrypt$replaced');
      t.not((await store.findByUsername('alice'))!.password, 'scrypt$replaced');
    });

    t.test('rows written by the old Flask app read as they are', async (t) => {
      const stored = `f00ba$${createHash('sha1').update('f00baold').digest('hex')}`;
      await db.run('INSERT INTO `user` (`username`, `password`, `email`, `active`, `admin`) VALUES (?, ?, ?, ?, ?)', [
        'legacy',
        stored,
        'legacy@example.com',
        1,
        0,
      ]);
      const legacy = await store.findByUsername('legacy');
      t.equal(legacy!.password, stored);
      t.equal(legacy!.admin, false);
      t.equal(legacy!.active, true);
    });

    t.test('session versions: bumped by endSessions, a reset and a deactivation, not by a rehash', async (t) => {
      const alice = (await store.findByUsername('alice'))!;
      const start = (await store.findById(alice.id))!.sessionVersion;
      t.equal(await store.endSessions(alice.id), start + 1);
      await store.setPasswordHash(alice.id, alice.password);
      t.equal((await store.findById(alice.id))!.sessionVersion, start + 1, 'a rehash at sign-in keeps sessions');
      await store.createOrResetAdmin({ username: 'alice', password: 'third pw' });
      t.equal((await store.findById(alice.id))!.sessionVersion, start + 2, 'a password reset from the command line');
      await store.deactivate('alice');
      t.equal((await store.findById(alice.id))!.sessionVersion, start + 3, 'a deactivation from the command line');
    });

    t.test('usernames match case-insensitively on both dialects', async (t) => {
      t.equal((await store.findByUsername('ALICE'))?.username, 'alice');
      await t.rejects(
        store.createOrResetAdmin({ username: 'carol', email: 'ALICE@example.com', password: 'x' }),
        DuplicateKeyError,
      );
    });
  });
}

for (const [dialect, open] of Object.entries(dialects)) {
  t.test(`${dialect}: a user table from before session versions gets the column, rows kept`, async (t) => {
    const db = await open(t);
    const old = USER_TABLE_DDL[db.dialect as 'mysql' | 'sqlite']
      .replace(/\n\s*`session_version`[^\n]*/, '')
      .replace(/,(\n\))/, '$1');
    t.notMatch(old, /session_version/);
    await db.run(old);
    await db.run(
      "INSERT INTO `user` (`username`, `password`, `email`, `active`, `admin`) VALUES ('old', 'x', 'old@example.com', 1, 1)",
    );
    const store = new UserStore(db);
    await store.ensureTable();
    await store.ensureTable();
    const user = await store.findByUsername('old');
    t.match(await store.findById(user!.id), { username: 'old', active: true, admin: true, sessionVersion: 0 });
    t.equal(await store.endSessions(user!.id), 1);
  });
}
