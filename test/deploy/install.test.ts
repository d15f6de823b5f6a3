/**
 * deploy/: the install script passes shellcheck and runs twice in a scratch
 * root (a directory standing in for /) without error, leaving an installed
 * service that starts; systemd accepts the unit.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { ensureDebianCommand } from '../helpers/debian-package.js';
import { spawnService } from '../helpers/spawned-service.js';

const run = promisify(execFile);
// Installing builds better-sqlite3 from source and TypeScript twice: minutes, not tap's default 3.
t.setTimeout(15 * 60_000);
const INSTALL = path.join(PROJECT_ROOT, 'deploy/install.sh');
const UNIT = path.join(PROJECT_ROOT, 'deploy/a2gen.service');

t.test('shellcheck finds nothing in the install script', async (t) => {
  const shellcheck = ensureDebianCommand('shellcheck', 'shellcheck');
  const { stdout } = await run(shellcheck, [INSTALL]).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
  t.equal(stdout, '', 'no findings');
});

t.test('systemd-analyze verify accepts the unit', async (t) => {
  const analyze = ensureDebianCommand('systemd-analyze', 'systemd');
  const { stdout, stderr } = await run(analyze, ['verify', UNIT], { cwd: os.tmpdir() });
  // verify exits 0 on some findings too, so its remarks about this unit count as failures.
  const remarks = `${stdout}${stderr}`.split('\n').filter((line) => line.includes('a2gen.service'));
  t.same(remarks, [], 'no remarks about a2gen.service');
});

t.test('install.sh into a scratch root, twice', async (t) => {
  if (process.getuid?.() !== 0)
    throw new Error('install.sh creates a user and files owned by it: run this test as root');
  const root = await mkdtemp(path.join(os.tmpdir(), 'a2gen-root-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  // The scratch root's user database starts as a copy of this machine's, as on a fresh Debian.
  mkdirSync(path.join(root, 'etc'));
  for (const file of ['passwd', 'group', 'shadow', 'gshadow'])
    copyFileSync(`/etc/${file}`, path.join(root, 'etc', file));

  const install = async () => {
    const { stdout } = await run(INSTALL, ['--root', root], { timeout: 15 * 60_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  };
  const first = await install();
  t.match(first, /a2gen is installed in/, 'the first run finishes and says what to do next');
  const envFile = path.join(root, 'etc/a2gen/a2gen.env');
  const secretOf = () => /^A2B_SECRET=([0-9a-f]{64})$/m.exec(readFileSync(envFile, 'utf8'))?.[1];
  const secret = secretOf();
  t.ok(secret, 'the environment file has a fresh 64-hex A2B_SECRET');
  t.equal(statSync(envFile).mode & 0o777, 0o600, 'the environment file is 0600');
  t.equal(statSync(envFile).uid, 0, 'owned by root');

  const second = await install();
  t.match(second, /kept \(its A2B_SECRET too/, 'the second run keeps the settings');
  t.equal(secretOf(), secret, 'the secret is unchanged');

  const users = readFileSync(path.join(root, 'etc/passwd'), 'utf8').split('\n');
  const entries = users.filter((line) => line.startsWith('a2gen:'));
  t.equal(entries.length, 1, 'one a2gen user');
  t.match(entries[0], /:\/usr\/sbin\/nologin$/, 'that cannot log in');
  const uid = Number(entries[0]!.split(':')[2]);
  const state = statSync(path.join(root, 'var/lib/a2gen'));
  t.equal(state.uid, uid, 'the state directory belongs to it');
  t.equal(state.mode & 0o777, 0o750, 'and is private');

  const app = path.join(root, 'opt/a2gen');
  t.ok(existsSync(path.join(app, 'dist/runtime/main.js')), 'built');
  t.ok(existsSync(path.join(app, 'node_modules/fastify')), 'with its dependencies');
  t.notOk(existsSync(path.join(app, 'node_modules/typescript')), 'but not the development ones');
  t.notOk(existsSync(path.join(app, '.git')), 'no repository copied');
  const wants = path.join(root, 'etc/systemd/system/multi-user.target.wants/a2gen.service');
  t.ok(lstatSync(wants).isSymbolicLink(), 'the service is enabled');
  t.equal(readlinkSync(wants), '/etc/systemd/system/a2gen.service');
  t.equal(statSync(path.join(root, 'usr/local/bin/a2gen')).mode & 0o777, 0o755, 'the a2gen command is installed');

  // What was installed runs with production dependencies only, on the settings install.sh wrote.
  const settings = Object.fromEntries(
    readFileSync(envFile, 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  t.equal(settings.HOST, '127.0.0.1', 'it listens on loopback only, behind nginx');
  t.match(settings.A2B_TRUST_PROXY, /127\.0\.0\.1/, 'and trusts nginx on loopback');
  const service = await spawnService(t, {
    args: [path.join(path.relative(PROJECT_ROOT, app), 'dist/runtime/main.js')],
    env: { ...settings, NODE_ENV: 'production', PORT: '0', A2B_DATA_DIR: path.join(root, 'var/lib/a2gen') },
    ready: /serving http:\/\/127\.0\.0\.1:(\d+)/,
    timeoutMs: 30_000,
  });
  const port = /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(service.output())![1];
  t.equal((await fetch(`http://127.0.0.1:${port}/health/live`)).status, 200, 'the installed service answers');
});
