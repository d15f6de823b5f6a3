/**
 * `a2gen key create|list|revoke` as operators run them, on the embedded
 * database and on MariaDB: the token alone on the last line of `create`,
 * never in `list` (nor its hash), clear errors with exit code 1 for a
 * duplicate name, bad input or an unknown key; and the parsers behind them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { checkApiKeyInput } from '../../runtime/auth/api-key-input.js';
import { tokenHash } from '../../runtime/auth/api-key-token.js';
import { parseExpiry } from '../../runtime/auth/key-expiry.js';
import { parseAttributePairs } from '../../runtime/auth/role-attributes.js';
import { createMysqlDatabase, PROJECT_ROOT } from '../helpers/backends.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function a2gen(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), ...args],
      { env: { ...process.env, A2B_DATABASE_URL: '', A2B_DATABASE_READ_URL: '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

const databases: Record<string, (t: { teardown(fn: () => unknown): void }) => Promise<Record<string, string>>> = {
  async sqlite(t) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-key-cli-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    return { A2B_DATA_DIR: dataDir };
  },
  async mysql(t) {
    const database = await createMysqlDatabase();
    t.teardown(() => database.drop());
    return { A2B_DATABASE_URL: database.url };
  },
};

for (const [name, open] of Object.entries(databases)) {
  t.test(name, async (t) => {
    const env = await open(t);

    const created = await a2gen(
      env,
      'key',
      'create',
      '--name',
      'billing-sync',
      '--role',
      'agent',
      '--attr',
      'agent=7',
      '--attr',
      'note=a=b',
      '--owner',
      'ops, ticket 4312',
      '--expires',
      '90d',
    );
    t.equal(created.code, 0, created.stderr);
    t.equal(created.stderr, '');
    const lines = created.stdout.trimEnd().split('\n');
    const token = lines.at(-1)!;
    t.match(token, /^a2k_[A-Za-z0-9_-]{43}$/, 'the token alone on the last line');
    t.match(
      lines[0],
      /^created API key billing-sync: role agent, attributes agent=7, note=a=b, owner ops, ticket 4312, expires 20\d\d-/,
    );
    t.equal(created.stdout.split(token).length, 2, 'printed once');

    const again = await a2gen(env, 'key', 'create', '--name', 'billing-sync', '--role', 'agent', '--attr', 'agent=7');
    t.same(
      again,
      { code: 1, stdout: '', stderr: 'a2gen: a key named billing-sync already exists\n' },
      'a duplicate name',
    );

    const bad = await a2gen(env, 'key', 'create', '--name', 'bad name', '--role', 'Agent', '--expires', '2001-01-01');
    t.equal(bad.code, 1);
    t.match(bad.stderr, /^a2gen: a key name is .*; a role is .*; "2001-01-01" is not in the future\n$/, bad.stderr);

    const unlimited = await a2gen(env, 'key', 'create', '--name', 'nightly', '--role', 'admin');
    t.equal(unlimited.code, 0);
    t.match(unlimited.stdout, /role admin, never expires\n/);

    const list = await a2gen(env, 'key', 'list');
    t.equal(list.code, 0, list.stderr);
    const [header, ...rows] = list.stdout.trimEnd().split('\n');
    t.match(header, /^name +role +attributes +owner +created +expires +last used +revoked$/);
    t.equal(rows.length, 2);
    t.match(
      rows[0],
      /^billing-sync +agent +agent=7,note=a=b +ops, ticket 4312 +20\d\d-\d\d-\d\d \d\d:\d\d:\d\dZ +20\d\d-.* +never +-$/,
    );
    t.match(rows[1], /^nightly +admin +- +- +20\d\d-.* +never +never +-$/);
    t.notOk(list.stdout.includes(token), 'never the token');
    t.notOk(list.stdout.includes(tokenHash(token)), 'nor its hash');
    t.notOk(list.stdout.includes('a2k_'), 'nor any token');

    const revoked = await a2gen(env, 'key', 'revoke', 'billing-sync');
    t.same(revoked, {
      code: 0,
      stdout: 'revoked API key billing-sync: refused everywhere within a second\n',
      stderr: '',
    });
    t.match(
      (await a2gen(env, 'key', 'list')).stdout,
      /\nbilling-sync .* 20\d\d-\d\d-\d\d \d\d:\d\d:\d\dZ\n/,
      'listed as revoked',
    );
    t.equal((await a2gen(env, 'key', 'revoke', 'billing-sync')).stdout, 'API key billing-sync was revoked already\n');
    t.same(await a2gen(env, 'key', 'revoke', 'nope'), {
      code: 1,
      stdout: '',
      stderr: 'a2gen: no API key named nope\n',
    });
  });
}

t.test('expiry: durations and ISO dates, in the future only', async (t) => {
  const now = Date.parse('2026-12-06T05:00:00Z');
  t.equal(parseExpiry('', now), null, 'empty: never');
  t.equal(parseExpiry('90d', now), now + 90 * 86_400_000);
  t.equal(parseExpiry('12h', now), now + 12 * 3_600_000);
  t.equal(parseExpiry('2w', now), now + 14 * 86_400_000);
  t.equal(parseExpiry('30m', now), now + 30 * 60_000);
  t.equal(parseExpiry('2027-01-31', now), Date.parse('2027-01-31T00:00:00Z'), 'a date: midnight UTC');
  t.equal(parseExpiry('2027-01-31T18:00', now), Date.parse('2027-01-31T18:00:00Z'), 'no zone: UTC');
  t.equal(parseExpiry('2027-01-31T18:00:00+01:00', now), Date.parse('2027-01-31T17:00:00Z'));
  t.throws(() => parseExpiry('2026-12-06', now), { message: '"2026-12-06" is not in the future' });
  t.throws(() => parseExpiry('0d', now), { message: /not in the future/ });
  for (const bad of ['tomorrow', '90', 'd', '2027-13-45', '1y'])
    t.throws(() => parseExpiry(bad, now), { message: /neither a duration/ }, bad);
});

t.test('attributes: NAME=VALUE, split at the first =, names unique', async (t) => {
  t.strictSame(parseAttributePairs(['agent=7', 'q=a=b', 'empty=']), { agent: '7', q: 'a=b', empty: '' });
  t.throws(() => parseAttributePairs(['agent']), { message: /"agent" is not NAME=VALUE/ });
  t.throws(() => parseAttributePairs(['=7']), { message: /is not NAME=VALUE/ });
  t.throws(() => parseAttributePairs(['a-b=7']), { message: /is not NAME=VALUE/ });
  t.throws(() => parseAttributePairs(['a=1', 'a=2']), { message: 'attribute a is given twice' });
  t.throws(() => parseAttributePairs([`a=${'x'.repeat(256)}`]), { message: /longer than 255/ });
});

t.test('a new key: every field checked, the roles file has the last word', async (t) => {
  const input = { name: 'ok', role: 'agent', attributes: [], owner: '', expires: '' };
  t.ok(checkApiKeyInput(input, 0).key);
  const refused = checkApiKeyInput(input, 0, (role) => `no role ${role} in the roles file`);
  t.strictSame([...refused.errors!], [['role', 'no role agent in the roles file']]);
  const all = checkApiKeyInput({ name: '', role: '', attributes: ['x'], owner: 'o'.repeat(256), expires: 'never' }, 0);
  t.strictSame([...all.errors!.keys()], ['name', 'owner', 'attributes', 'role', 'expires']);
  t.ok(checkApiKeyInput({ ...input, name: 'a'.repeat(64) }, 0).key, '64 characters');
  t.ok(checkApiKeyInput({ ...input, name: 'a'.repeat(65) }, 0).errors, 'not 65');
  t.ok(checkApiKeyInput({ ...input, name: '-leading' }, 0).errors, 'not a leading -');
  t.ok(checkApiKeyInput({ ...input, name: 'ci.deploy_2-b' }, 0).key);
});
