/**
 * The embedded database holds password hashes and card secrets: its
 * directory is created 0700 and its file 0600 (the review found 0644 under
 * the usual umask 022), and SQLite's -wal and -shm files follow the file.
 * The same through the server's start, the admin session key's directory,
 * and `a2gen create-admin` on a fresh data directory. An existing directory
 * or file keeps the mode its owner gave it. SQLite only: MySQL keeps its
 * own files.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { models } from '../../generated/index.js';
import { loadSessionKey } from '../../runtime/admin/secret.js';
import { loadConfig } from '../../runtime/config.js';
import { EMBEDDED_FILE, openDatabase } from '../../runtime/database.js';
import { PROJECT_ROOT } from '../helpers/backends.js';

const mode = (file: string) => (statSync(file).mode & 0o777).toString(8).padStart(3, '0');

// The usual default, under which better-sqlite3 alone made the file 0644.
const umask = process.umask(0o022);
t.teardown(() => void process.umask(umask));

const scratch = mkdtempSync(path.join(os.tmpdir(), 'a2gen-private-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

t.test('openDatabase on a fresh data directory: 0700 and 0600, -wal and -shm too', async (t) => {
  const dataDir = path.join(scratch, 'first', 'data');
  const { db, created } = await openDatabase(loadConfig({ A2B_DATA_DIR: dataDir }), models);
  t.teardown(() => db.close());
  t.ok(created, 'the file was made now');
  t.equal(mode(dataDir), '700', 'the data directory');
  t.equal(mode(path.dirname(dataDir)), '700', 'and the parent it had to make');
  t.equal(mode(path.join(dataDir, EMBEDDED_FILE)), '600', 'the database file');
  await db.run("INSERT INTO cc_card_group (name, description) VALUES ('private', '')");
  t.equal(mode(path.join(dataDir, `${EMBEDDED_FILE}-wal`)), '600', 'the write-ahead log');
  t.equal(mode(path.join(dataDir, `${EMBEDDED_FILE}-shm`)), '600', 'the shared-memory index');
});

t.test('the admin session key, when it comes first, makes the directory private too', async (t) => {
  const dataDir = path.join(scratch, 'key-first');
  const key = loadSessionKey(loadConfig({ A2B_DATA_DIR: dataDir }));
  t.equal(key.source, 'file');
  t.equal(mode(dataDir), '700', 'the data directory');
  t.equal(mode(key.file!), '600', 'the key file');
});

t.test('an existing directory and file keep their modes', async (t) => {
  const dataDir = path.join(scratch, 'existing');
  mkdirSync(dataDir, { mode: 0o750 });
  chmodSync(dataDir, 0o750);
  writeFileSync(path.join(dataDir, EMBEDDED_FILE), '', { mode: 0o640 });
  chmodSync(path.join(dataDir, EMBEDDED_FILE), 0o640);
  const { db, created } = await openDatabase(loadConfig({ A2B_DATA_DIR: dataDir }), models);
  t.teardown(() => db.close());
  t.notOk(created);
  t.equal(mode(dataDir), '750');
  t.equal(mode(path.join(dataDir, EMBEDDED_FILE)), '640');
});

t.test('`a2gen create-admin` on a fresh data directory (the CLI opens the same way)', async (t) => {
  const dataDir = path.join(scratch, 'cli', 'data');
  const run = promisify(execFile);
  const child = run(
    process.execPath,
    [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), 'create-admin', '--username', 'ops'],
    {
      cwd: scratch,
      env: { ...process.env, A2B_DATA_DIR: dataDir, A2B_DATABASE_URL: '' },
    },
  );
  child.child.stdin!.end('long enough password\n');
  const { stdout } = await child;
  t.equal(stdout, 'created admin user ops\n');
  t.equal(mode(dataDir), '700', 'the data directory');
  t.equal(mode(path.join(dataDir, EMBEDDED_FILE)), '600', 'the database file');
});
