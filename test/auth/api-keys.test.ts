/**
 * API keys on the real service, on SQLite and MariaDB: a key created in the
 * table works as `Authorization: Bearer <token>` once the key ring has read
 * it; a wrong, revoked or expired one gets the failed login's 401 with the
 * Bearer challenge; a write through a key is `key:<name>` in the audit
 * trail; its last use is written without a write per request; wrong tokens
 * count in the address's failed-login limit; Basic auth is untouched.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { ApiKeyStore } from '../../runtime/auth/api-key-store.js';
import { BEARER_CHALLENGE } from '../../runtime/auth/basic-auth.js';
import { KeyRing } from '../../runtime/auth/key-ring.js';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';
import { waitFor } from '../helpers/wait-for.js';
import { startAdminService, type AdminService } from '../admin/admin-service.js';

/** The promise in the README: a revoked key is refused everywhere within this. */
const WITHIN_MS = 1000;
const UNAUTHORIZED = { error: 'invalid or missing credentials', code: 'unauthorized' };

const bearer = (token: string) => `Bearer ${token}`;
/** What assertRefused asserts with: any test's equal and strictSame. */
type Asserts = Pick<typeof t, 'equal' | 'strictSame'>;

/** A key stored the way `a2gen key create` stores it, accepted a second later. */
async function newKey(
  service: AdminService,
  name: string,
  options: { expiresAt?: number | null; role?: string; attributes?: Record<string, string> } = {},
): Promise<string> {
  const { token } = await new ApiKeyStore(service.backend.db).create({
    name,
    role: options.role ?? 'admin',
    attributes: options.attributes ?? {},
    owner: 'the tests',
    expiresAt: options.expiresAt ?? null,
  });
  // Not polled: each refusal before the key ring reads the key would count as a failed login.
  await sleep(WITHIN_MS);
  const answer = await service.api('/api/cardgroup/', { auth: bearer(token) });
  if (answer.status !== 200) throw new Error(`key ${name} not accepted a second after its creation: ${answer.status}`);
  return token;
}

/** Milliseconds from now until `refused()` holds, polling every 20 ms. */
async function timeUntil(refused: () => Promise<boolean>): Promise<number> {
  const start = performance.now();
  await waitFor(async () => (await refused()) || undefined, { what: 'the change to bite', timeoutMs: 10_000 });
  return performance.now() - start;
}

async function assertRefused(t: Asserts, service: AdminService, authorization: string, message: string) {
  const response = await fetch(`${service.baseUrl}/api/cardgroup/`, { headers: { authorization } });
  t.equal(response.status, 401, message);
  t.equal(response.headers.get('www-authenticate'), BEARER_CHALLENGE, `${message}: the Bearer challenge`);
  t.strictSame(await response.json(), UNAUTHORIZED, `${message}: the failed login's body`);
}

for (const backend of BACKENDS) {
  t.test(backend, async (t) => {
    // A high failure limit: the refusals below are many, and the limit has a test of its own.
    const service = await startAdminService(backend, { authMaxFailures: 1000 });
    t.teardown(() => service.close());

    await t.test('a created key reads with Bearer; request.user is the key', async (t) => {
      const token = await newKey(service, 'reader-1');
      t.match(token, /^a2k_[A-Za-z0-9_-]{43}$/, 'a2k_ and 256 bits in base64url');
      const answer = await service.api('/api/cardgroup/', { auth: bearer(token) });
      t.equal(answer.status, 200);
      t.equal(answer.json.objects[0].name, 'DEFAULT');
      t.equal((await service.api('/api/cardgroup/', { auth: `bearer   ${token}` })).status, 200, 'scheme in any case');
      t.equal((await service.api('/api/cardgroup/')).status, 200, 'Basic auth still works beside it');
      const [row] = await service.backend.raw('SELECT `token_hash` FROM `a2gen_api_key` WHERE `name` = ?', [
        'reader-1',
      ]);
      t.match(row!.token_hash, /^[0-9a-f]{64}$/, 'the table holds a SHA-256');
      t.not(row!.token_hash, token, 'never the token');
    });

    await t.test('wrong, malformed and unknown tokens: 401 with the Bearer challenge', async (t) => {
      const token = await newKey(service, 'reader-2');
      await assertRefused(
        t,
        service,
        bearer(`${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`),
        'one character off',
      );
      await assertRefused(t, service, bearer('a2k_short'), 'malformed');
      await assertRefused(t, service, 'Bearer', 'no token');
      await assertRefused(t, service, bearer(token.slice(4)), 'without its prefix');
    });

    await t.test('a write through a key is key:<name> in the audit trail', async (t) => {
      const token = await newKey(service, 'writer.ci-1', { role: 'admin' });
      const created = await service.api('/api/cardgroup/', {
        method: 'POST',
        body: { name: 'made by a key' },
        auth: bearer(token),
      });
      t.ok(created.status < 300 && created.json?.id, `created: ${created.status}`);
      const rows = await service.backend.raw(
        "SELECT `username` FROM `a2gen_audit` WHERE `resource` = 'cardgroup' AND `action` = 'create' AND `row_key` = ?",
        [String(created.json.id)],
      );
      t.strictSame(
        rows.map((row) => row.username),
        ['key:writer.ci-1'],
      );
    });

    await t.test('last use: written on the watch beat, not per request', async (t) => {
      const token = await newKey(service, 'reader-3');
      const before = Date.now();
      const lastUsed = async () =>
        (await service.backend.raw('SELECT `last_used_at` FROM `a2gen_api_key` WHERE `name` = ?', ['reader-3']))[0]!
          .last_used_at;
      await waitFor(async () => (await lastUsed()) !== null, { what: 'the first use to be written' });
      service.statements.length = 0;
      for (let n = 0; n < 20; n++) await service.api('/api/cardgroup/', { auth: bearer(token) });
      await waitFor(async () => Number(await lastUsed()) >= before, { what: 'the later use to be written' });
      const writes = service.statements.filter((sql) => sql.includes('last_used_at'));
      t.ok(writes.length <= 4, `20 requests, ${writes.length} writes of the last use`);
      t.equal(
        service.statements.filter((sql) => sql.includes('a2gen_api_key') && !sql.includes('last_used_at')).length,
        service.statements.filter((sql) => sql.startsWith('SELECT `id`, `name`, `token_hash`')).length,
        'and no query of the key table but the watch’s readings',
      );
    });

    await t.test('a revoked key is refused within a second', async (t) => {
      const token = await newKey(service, 'to-revoke');
      t.equal(await new ApiKeyStore(service.backend.db).revoke('to-revoke'), 'revoked');
      const elapsed = await timeUntil(
        async () => (await service.api('/api/cardgroup/', { auth: bearer(token) })).status === 401,
      );
      t.ok(elapsed <= WITHIN_MS, `refused after ${Math.round(elapsed)} ms`);
      await assertRefused(t, service, bearer(token), 'revoked');
      t.equal(await new ApiKeyStore(service.backend.db).revoke('to-revoke'), 'already');
      t.equal(await new ApiKeyStore(service.backend.db).revoke('never-was'), 'missing');
    });

    await t.test('a key deleted from the table is refused within a second', async (t) => {
      const token = await newKey(service, 'to-delete');
      await service.backend.raw('DELETE FROM `a2gen_api_key` WHERE `name` = ?', ['to-delete']);
      const elapsed = await timeUntil(
        async () => (await service.api('/api/cardgroup/', { auth: bearer(token) })).status === 401,
      );
      t.ok(elapsed <= WITHIN_MS, `refused after ${Math.round(elapsed)} ms`);
    });

    await t.test('an expired key is refused from its expiry on', async (t) => {
      const expiresAt = Date.now() + 3000;
      const token = await newKey(service, 'short-lived', { expiresAt });
      await waitFor(() => Date.now() > expiresAt || undefined, { what: 'the expiry' });
      await assertRefused(t, service, bearer(token), 'expired');
      const past = await new ApiKeyStore(service.backend.db).create({
        name: 'expired-already',
        role: 'admin',
        attributes: {},
        owner: '',
        expiresAt: Date.now() - 1000,
      });
      await sleep(WITHIN_MS);
      await assertRefused(t, service, bearer(past.token), 'expired before it was read');
    });

    await t.test('a duplicate name is the database’s DuplicateKeyError', async (t) => {
      const keys = new ApiKeyStore(service.backend.db);
      const key = { name: 'twice', role: 'admin', attributes: {}, owner: '', expiresAt: null };
      await keys.create(key);
      await t.rejects(keys.create(key), { name: 'DuplicateKeyError' });
      await t.rejects(keys.create({ ...key, name: 'TWICE' }), { name: 'DuplicateKeyError' }, 'names ignore case');
    });
  });
}

t.test(
  'wrong tokens count as failed logins of the address; a blocked address gets 429 even with a good key',
  async (t) => {
    const service = await startService('sqlite', { authMaxFailures: 3, authWindowSeconds: 60 });
    t.teardown(() => service.close());
    const { token } = await new ApiKeyStore(service.backend.db).create({
      name: 'limited',
      role: 'admin',
      attributes: {},
      owner: '',
      expiresAt: null,
    });
    await sleep(WITHIN_MS);
    t.equal((await service.request('/api/cardgroup/', { auth: bearer(token) })).status, 200, 'the key works');
    for (let n = 0; n < 3; n++)
      t.equal((await service.request('/api/cardgroup/', { auth: bearer(`a2k_guess${n}`) })).status, 401, `guess ${n}`);
    const blocked = await service.request('/api/cardgroup/', { auth: bearer(`a2k_guess4`) });
    t.equal(blocked.status, 429, 'the fourth guess is refused unread');
    t.ok(Number(blocked.headers.get('retry-after')) > 0, 'with Retry-After');
    t.equal((await service.request('/api/cardgroup/', { auth: bearer(token) })).status, 429, 'so is a good key');
  },
);

t.test('the key ring: hash lookup, expiry to the millisecond, uses remembered until taken', async (t) => {
  let now = 1_000_000;
  const ring = new KeyRing(() => now);
  t.notOk(ring.fresh, 'not fresh before the first reading');
  const { tokenHash } = await import('../../runtime/auth/api-key-token.js');
  const token = `a2k_${'x'.repeat(43)}`;
  const unreadable = ring.replace([
    { id: 7, name: 'one', tokenHash: tokenHash(token), role: 'agent', attributes: { agent: '7' }, expiresAt: now + 10 },
    { id: 8, name: 'broken', tokenHash: 'f'.repeat(64), role: 'agent', attributes: undefined, expiresAt: null },
  ]);
  t.strictSame(unreadable, ['broken'], 'a key with unreadable attributes is left out, and named');
  t.ok(ring.fresh);
  t.strictSame(ring.verify(token), {
    kind: 'key',
    id: 7,
    username: 'key:one',
    role: 'agent',
    attributes: { agent: '7' },
  });
  t.equal(ring.verify(token.toUpperCase()), undefined, 'exact token only');
  now += 10;
  t.equal(ring.verify(token), undefined, 'expired at its expiry');
  t.strictSame([...ring.takeUses()], [[7, 1_000_000]], 'the use remembered');
  t.strictSame([...ring.takeUses()], [], 'and taken once');
  now += 9_990;
  t.ok(ring.fresh, 'a reading 10 s old is still trusted');
  now += 1;
  t.notOk(ring.fresh, 'an older one is not (the service answers 503)');
  ring.rememberUse(7, 5);
  ring.rememberUse(7, 3);
  t.strictSame([...ring.takeUses()], [[7, 5]], 'a use put back keeps the latest');
});
