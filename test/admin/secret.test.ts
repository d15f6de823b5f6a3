/**
 * The admin session key: A2B_SECRET validated (64 hex characters, with a
 * how-to when not), a key generated once and kept in the data dir without
 * it, and no start at all in production without it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import { loadSessionKey, SECRET_FILE } from '../../runtime/admin/secret.js';
import { PROJECT_ROOT } from '../helpers/backends.js';

const HEX = 'ab'.repeat(32);

t.test('A2B_SECRET must be 64 hex characters; the message says how to make one', async (t) => {
  for (const secret of ['short', 'zz'.repeat(32), HEX.slice(2)]) {
    let thrown: unknown;
    try {
      loadConfig({ A2B_SECRET: secret });
    } catch (error) {
      thrown = error;
    }
    t.type(thrown, ConfigError, secret);
    t.match((thrown as Error).message, /64 hex characters.*openssl rand -hex 32/s, secret);
  }
  const config = loadConfig({ A2B_SECRET: HEX.toUpperCase() });
  t.equal(config.secret, HEX);
  t.same(loadSessionKey(config), { key: Buffer.from(HEX, 'hex'), source: 'A2B_SECRET' });
});

t.test('without A2B_SECRET: a key made once, kept in the data dir; production refuses', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-secret-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = loadSessionKey({ secret: undefined, production: false, dataDir });
  t.equal(first.source, 'file');
  t.equal(first.key.length, 32);
  t.equal(statSync(path.join(dataDir, SECRET_FILE)).mode & 0o777, 0o600);
  t.same(loadSessionKey({ secret: undefined, production: false, dataDir }).key, first.key, 'the same key next time');
  t.throws(
    () => loadSessionKey({ secret: undefined, production: true, dataDir }),
    /NODE_ENV=production needs A2B_SECRET/,
  );
});

t.test('the service itself refuses to start', async (t) => {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'a2gen-start-'));
  t.teardown(() => rmSync(directory, { recursive: true, force: true }));
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'dist/runtime/main.js')], {
      cwd: directory,
      env: {
        PATH: process.env.PATH ?? '',
        A2B_DATA_DIR: path.join(directory, 'data'),
        PORT: '0',
        HOST: '127.0.0.1',
        ...env,
      },
      encoding: 'utf8',
      timeout: 120_000,
    });
  const production = start({ NODE_ENV: 'production' });
  t.equal(production.status, 1);
  t.match(production.stderr, /NODE_ENV=production needs A2B_SECRET/);
  const short = start({ A2B_SECRET: 'abc123' });
  t.equal(short.status, 1);
  t.match(short.stderr, /A2B_SECRET must be 64 hex characters/);
  t.match(short.stderr, /openssl rand -hex 32/);
});
