/**
 * `a2gen create-admin` sets passwords by the admin panel's rule (at least
 * 8 characters, runtime/auth/password-policy.ts): the review's 1-character
 * password is refused, piped or typed, and nothing is written; 8 characters,
 * counted as a person counts them, are enough.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import t from 'tap';
import { MIN_PASSWORD_LENGTH, passwordTooShort } from '../../runtime/auth/password-policy.js';
import { verifyPassword } from '../../runtime/auth/password.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { createAdmin, type CommandIo } from '../../runtime/commands/user-commands.js';
import { openSqlite } from '../../runtime/db/sqlite/driver.js';
import { PROJECT_ROOT } from '../helpers/backends.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'a2gen-cli-policy-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
const db = openSqlite(path.join(scratch, `users-${randomBytes(4).toString('hex')}.sqlite`));
t.teardown(() => db.close());
const users = new UserStore(db);

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

const piped = (input: string): CommandIo => ({
  stdin: Readable.from([Buffer.from(input)]),
  stdout: sink(),
  stderr: sink(),
});

/** A terminal that types each answer when its prompt appears; records the prompts. */
function terminal(answers: string[]): CommandIo & { stderr: { text: string } } {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = sink();
  const write = stderr._write.bind(stderr);
  stderr._write = (chunk, encoding, callback) => {
    write(chunk, encoding, callback);
    if (/password:\s*$/i.test(String(chunk)) && answers.length > 0)
      setImmediate(() => stdin.write(`${answers.shift()}\n`));
  };
  return { stdin, stdout: sink(), stderr };
}

const TOO_SHORT = { message: `password must be at least ${MIN_PASSWORD_LENGTH} characters (as in the admin panel)` };

t.test('the rule: 8 characters, counted as code points', async (t) => {
  t.equal(MIN_PASSWORD_LENGTH, 8, 'the panel’s minimum');
  t.ok(passwordTooShort('x'));
  t.ok(passwordTooShort('1234567'));
  t.notOk(passwordTooShort('12345678'));
  t.ok(passwordTooShort('😀😀😀😀'), '4 emoji are 8 UTF-16 units but 4 characters');
  t.notOk(passwordTooShort('😀😀😀😀😀😀😀😀'));
  t.notOk(passwordTooShort('pässwörd'), '8 characters, 10 bytes');
});

t.test('piped: a 1-character or 7-character password is refused, nothing written', async (t) => {
  await t.rejects(createAdmin(db, { username: 'tiny' }, piped('x\n')), TOO_SHORT, '1 character');
  await t.rejects(createAdmin(db, { username: 'tiny' }, piped('1234567\n')), TOO_SHORT, '7 characters');
  t.equal(await users.findByUsername('tiny'), undefined, 'no user created');
  await createAdmin(db, { username: 'tiny' }, piped('12345678\n'));
  t.equal((await verifyPassword((await users.findByUsername('tiny'))!.password, '12345678')).ok, true, '8: created');
  await t.rejects(createAdmin(db, { username: 'tiny' }, piped('short\n')), TOO_SHORT, 'nor a reset to a short one');
  t.equal((await verifyPassword((await users.findByUsername('tiny'))!.password, '12345678')).ok, true, 'unchanged');
});

t.test('typed: refused at the first prompt, before asking to repeat it', async (t) => {
  const io = terminal(['x', 'x']);
  await t.rejects(createAdmin(db, { username: 'typed' }, io), TOO_SHORT);
  t.notMatch(io.stderr.text, /Repeat password/, 'never asked to repeat a password it refuses');
  t.equal(await users.findByUsername('typed'), undefined);
});

t.test('the real command: exit 1 with the reason, then 0 with a long enough password', async (t) => {
  const dataDir = path.join(scratch, 'data');
  const run = (password: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), 'create-admin', '--username', 'cli'],
        { cwd: scratch, env: { ...process.env, A2B_DATA_DIR: dataDir, A2B_DATABASE_URL: '' } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
      child.stdin!.end(`${password}\n`);
    });
  t.same(await run('x'), {
    code: 1,
    stdout: '',
    stderr: `a2gen: ${TOO_SHORT.message}\n`,
  });
  t.same(await run('eight ch'), { code: 0, stdout: 'created admin user cli\n', stderr: '' });
});
