import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { Command } from 'commander';
import t from 'tap';
import { verifyPassword } from '../../runtime/auth/password.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import {
  CommandError,
  createAdmin,
  deactivateUser,
  formatUserTable,
  listUsers,
  readFirstLine,
  registerUserCommands,
  runUserCommand,
  type CommandIo,
} from '../../runtime/commands/user-commands.js';
import type { Db } from '../../runtime/db/db.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';

/** A writable that remembers what was written. */
function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      stream.text += String(chunk);
      callback();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}

/** Scripted (non-terminal) input, as when a password is piped in. */
function pipedIo(input: string): CommandIo & { stdout: { text: string }; stderr: { text: string } } {
  return { stdin: Readable.from([Buffer.from(input)]), stdout: sink(), stderr: sink() };
}

const file = join(tmpdir(), `a2gen-user-commands-${randomBytes(6).toString('hex')}.sqlite`);
const db = openSqlite(file);
const store = new UserStore(db);
t.teardown(async () => {
  await db.close();
  await Promise.all(['', '-wal', '-shm'].map((suffix) => rm(file + suffix, { force: true })));
});

/** Hands out the shared Db and counts close() calls, which must not really close it. */
function opener() {
  const state = { opened: 0, closed: 0 };
  const open = async (): Promise<Db> => {
    state.opened += 1;
    return { ...db, close: async () => void (state.closed += 1) };
  };
  return { open, state };
}

t.test('readFirstLine takes the first line only, without its line ending', async (t) => {
  t.equal(await readFirstLine(Readable.from(['pw\r\nsecond line\n'])), 'pw');
  t.equal(await readFirstLine(Readable.from(['p', 'w\n'])), 'pw', 'across chunks');
  t.equal(await readFirstLine(Readable.from(['no newline'])), 'no newline');
  t.equal(await readFirstLine(Readable.from([Buffer.from('pä'), Buffer.from('ss\n')])), 'päss');
  t.equal(
    await readFirstLine(Readable.from([Buffer.from('pä').subarray(0, 2), Buffer.from('pä').subarray(2), '\n'])),
    'pä',
    'a character split between chunks',
  );
  t.equal(await readFirstLine(Readable.from([])), '');
  t.equal(
    await readFirstLine(Readable.from([' pw with spaces \n'])),
    ' pw with spaces ',
    'spaces are part of the password',
  );
});

t.test('create-admin from piped stdin creates, then resets', async (t) => {
  const io = pipedIo('s3cret pw\r\nignored\n');
  await createAdmin(db, { username: 'alice' }, io);
  t.equal(io.stdout.text, 'created admin user alice\n');
  const alice = await store.findByUsername('alice');
  t.match(alice, { username: 'alice', email: 'alice@localhost', active: true, admin: true });
  t.equal((await verifyPassword(alice!.password, 's3cret pw')).ok, true);

  await store.deactivate('alice');
  const again = pipedIo('new password\n');
  await createAdmin(db, { username: 'alice' }, again);
  t.equal(again.stdout.text, 'reset password of alice\n');
  const reset = await store.findByUsername('alice');
  t.equal(reset!.active, true, 'reactivated');
  t.equal((await verifyPassword(reset!.password, 'new password')).ok, true);
  t.equal((await verifyPassword(reset!.password, 's3cret pw')).ok, false);

  const withEmail = pipedIo('bob password\n');
  await createAdmin(db, { username: 'bob', email: 'bob@example.com' }, withEmail);
  t.equal((await store.findByUsername('bob'))!.email, 'bob@example.com');
});

t.test('create-admin refuses bad input', async (t) => {
  await t.rejects(
    createAdmin(db, { username: 'carol' }, pipedIo('')),
    new CommandError('no password on standard input (expected it on the first line)'),
  );
  await t.rejects(createAdmin(db, { username: 'carol' }, pipedIo('\r\nsecond\n')), CommandError, 'empty first line');
  await t.rejects(createAdmin(db, { username: 'ca:rol' }, pipedIo('pw\n')), /without ":"/);
  await t.rejects(createAdmin(db, { username: '' }, pipedIo('pw\n')), CommandError);
  await t.rejects(createAdmin(db, { username: 'carol', email: 'bob@example.com' }, pipedIo('carol password\n')), {
    message: 'email is already used by another user',
  });
  t.equal(await store.findByUsername('carol'), undefined, 'nothing written');
});

t.test('create-admin on a terminal prompts twice without echo', async (t) => {
  /** A fake terminal that answers each prompt when it appears on stderr. */
  function terminal(answers: string[]) {
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const stderr = sink();
    const stdout = sink();
    const write = stderr._write.bind(stderr);
    stderr._write = (chunk, encoding, callback) => {
      write(chunk, encoding, callback);
      if (/password:\s*$/i.test(String(chunk)) && answers.length > 0)
        setImmediate(() => stdin.write(`${answers.shift()}\n`));
    };
    return { stdin, stdout, stderr };
  }
  const io = terminal(['typed pw', 'typed pw']);
  await createAdmin(db, { username: 'dave' }, io);
  t.equal(io.stdout.text, 'created admin user dave\n');
  t.match(io.stderr.text, /Password:[\s\S]*Repeat password:/);
  t.notMatch(io.stderr.text, /typed pw/, 'never echoed');
  t.equal((await verifyPassword((await store.findByUsername('dave'))!.password, 'typed pw')).ok, true);

  await t.rejects(createAdmin(db, { username: 'erin' }, terminal(['one password', 'two password'])), {
    message: 'passwords do not match',
  });
  await t.rejects(createAdmin(db, { username: 'erin' }, terminal([''])), { message: 'password must not be empty' });
  t.equal(await store.findByUsername('erin'), undefined);
});

t.test('users lists an aligned table without hashes', async (t) => {
  t.equal(
    formatUserTable([
      {
        id: 1,
        username: 'alice',
        email: 'alice@localhost',
        active: true,
        admin: true,
        role: 'admin',
        roleSet: false,
        attributes: {},
      },
      {
        id: 12,
        username: 'bo',
        email: 'b@x',
        active: false,
        admin: false,
        role: 'agent',
        roleSet: true,
        attributes: { agent: '7', region: 'north' },
      },
    ]),
    [
      'id  username  email            active  admin  role             attributes',
      ' 1  alice     alice@localhost  yes     yes    admin (default)',
      '12  bo        b@x              no      no     agent            agent=7,region=north',
      '',
    ].join('\n'),
  );
  t.equal(formatUserTable([]), 'id  username  email  active  admin  role  attributes\n', 'header only when empty');
  const out = sink();
  await listUsers(db, out);
  t.match(out.text, /^id +username +email +active +admin +role +attributes\n/);
  t.match(out.text, /alice +alice@localhost +yes +yes/);
  t.notMatch(out.text, /scrypt/);
});

t.test('deactivate', async (t) => {
  const out = sink();
  await deactivateUser(db, 'bob', out);
  t.equal(out.text, 'deactivated bob\n');
  t.equal((await store.findByUsername('bob'))!.active, false);
  await t.rejects(deactivateUser(db, 'nobody', sink()), { message: 'no user named nobody' });
});

t.test('runUserCommand prints a2gen: <message>, returns 1, and always closes the Db', async (t) => {
  const { open, state } = opener();
  const err = sink();
  t.equal(await runUserCommand(open, (db) => deactivateUser(db, 'nobody', sink()), err), 1);
  t.equal(err.text, 'a2gen: no user named nobody\n');
  t.equal(await runUserCommand(open, (db) => listUsers(db, sink()), err), 0);
  t.strictSame(state, { opened: 2, closed: 2 });

  const failing = sink();
  t.equal(
    await runUserCommand(
      async () => Promise.reject(new Error('connect ECONNREFUSED')),
      async () => {},
      failing,
    ),
    1,
  );
  t.equal(failing.text, 'a2gen: connect ECONNREFUSED\n');
});

t.test('commander wiring', async (t) => {
  t.teardown(() => {
    process.exitCode = undefined;
  });
  const run = async (args: string[], stdin = '') => {
    const { open, state } = opener();
    const io = pipedIo(stdin);
    const program = new Command('a2gen').exitOverride();
    registerUserCommands(program, open, io);
    process.exitCode = undefined;
    await program.parseAsync(args, { from: 'user' });
    return { out: io.stdout.text, err: io.stderr.text, exitCode: process.exitCode, state };
  };

  const created = await run(['create-admin', '--username', 'frank', '--email', 'frank@example.com'], 'frank pw\n');
  t.strictSame(created, {
    out: 'created admin user frank\n',
    err: '',
    exitCode: undefined,
    state: { opened: 1, closed: 1 },
  });
  t.match((await run(['users'])).out, /frank +frank@example\.com +yes +yes/);
  t.match(await run(['deactivate', 'frank']), { out: 'deactivated frank\n', exitCode: undefined });
  t.strictSame(await run(['deactivate', 'nobody']), {
    out: '',
    err: 'a2gen: no user named nobody\n',
    exitCode: 1,
    state: { opened: 1, closed: 1 },
  });
  t.match(await run(['create-admin', '--username', 'gina']), {
    err: /^a2gen: no password on standard input/,
    exitCode: 1,
  });
  await t.rejects(run(['create-admin']), { code: 'commander.missingMandatoryOptionValue' }, '--username is required');
});
