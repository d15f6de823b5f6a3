import { createHash, scryptSync } from 'node:crypto';
import t from 'tap';
import { dummyHash, hashPassword, verifyPassword } from '../../runtime/auth/password.js';

const legacy = (salt: string, password: string) =>
  `${salt}$${createHash('sha1')
    .update(salt + password, 'utf8')
    .digest('hex')}`;

t.test('hashPassword writes scrypt with its parameters, a fresh salt each time', async (t) => {
  const hash = await hashPassword('s3cret');
  const match = /^scrypt\$32768\$8\$1\$([A-Za-z0-9+/]+=*)\$([A-Za-z0-9+/]+=*)$/.exec(hash);
  t.ok(match, hash);
  t.equal(Buffer.from(match![1]!, 'base64').length, 16, '16-byte salt');
  t.equal(Buffer.from(match![2]!, 'base64').length, 32, '32-byte key');
  t.not(await hashPassword('s3cret'), hash, 'same password, different hash');
});

t.test('a current scrypt hash verifies the right password only', async (t) => {
  const hash = await hashPassword('s3cret');
  t.strictSame(await verifyPassword(hash, 's3cret'), { ok: true, needsRehash: false });
  t.strictSame(await verifyPassword(hash, 's3cret '), { ok: false, needsRehash: false });
  t.strictSame(await verifyPassword(hash, ''), { ok: false, needsRehash: false });
});

t.test('non-ASCII passwords round-trip', async (t) => {
  t.equal((await verifyPassword(await hashPassword('pässwörd€'), 'pässwörd€')).ok, true);
  t.equal((await verifyPassword(legacy('a1b2c', 'pässwörd€'), 'pässwörd€')).ok, true);
});

t.test('legacy Flask salt$sha1 rows verify and ask for a rehash', async (t) => {
  const stored = legacy('a1b2c', 'admin');
  t.strictSame(await verifyPassword(stored, 'admin'), { ok: true, needsRehash: true });
  t.strictSame(await verifyPassword(stored, 'Admin'), { ok: false, needsRehash: false });
  const upper = `a1b2c$${stored.slice('a1b2c$'.length).toUpperCase()}`;
  t.strictSame(await verifyPassword(upper, 'admin'), { ok: true, needsRehash: true }, 'upper-case hex digest');
  t.strictSame(
    await verifyPassword(legacy('', 'admin').slice(1), 'admin'),
    { ok: false, needsRehash: false },
    'bare digest',
  );
});

t.test('scrypt hashes weaker than current verify and ask for a rehash', async (t) => {
  const salt = Buffer.from('0123456789abcdef');
  const weak = (n: number, r: number, keylen: number, saltBytes = salt) =>
    [
      'scrypt',
      n,
      r,
      1,
      saltBytes.toString('base64'),
      scryptSync('pw', saltBytes, keylen, { N: n, r, p: 1, maxmem: 64 * 1024 * 1024 }).toString('base64'),
    ].join('$');
  t.strictSame(await verifyPassword(weak(16384, 8, 32), 'pw'), { ok: true, needsRehash: true }, 'smaller N');
  t.strictSame(await verifyPassword(weak(32768, 4, 32), 'pw'), { ok: true, needsRehash: true }, 'smaller r');
  t.strictSame(await verifyPassword(weak(32768, 8, 16), 'pw'), { ok: true, needsRehash: true }, 'shorter key');
  t.strictSame(
    await verifyPassword(weak(32768, 8, 32, Buffer.from('short')), 'pw'),
    { ok: true, needsRehash: true },
    'shorter salt',
  );
  t.strictSame(await verifyPassword(weak(16384, 8, 32), 'nope'), { ok: false, needsRehash: false }, 'wrong password');
});

t.test('garbled or unknown stored values fail without throwing', async (t) => {
  const key = Buffer.alloc(32).toString('base64');
  const garbled = [
    '',
    'admin',
    'scrypt$',
    `scrypt$32768$8$1$c2FsdA==`,
    `scrypt$abc$8$1$c2FsdA==$${key}`,
    `scrypt$3$8$1$c2FsdA==$${key}`, // N not a power of two
    `scrypt$1073741824$8$1$c2FsdA==$${key}`, // needs far more memory than allowed
    `scrypt$32768$8$1$!!!$${key}`,
    `scrypt$32768$8$1$c2FsdA==$AAAA`, // key too short to be real
    `scrypt$032768$8$1$c2FsdA==$${key}`,
    '$da39a3ee5e6b4b0d3255bfef95601890afd80709',
    'salt$nothex',
    'salt$da39a3ee5e6b4b0d3255bfef95601890afd8070', // 39 hex digits
    'pbkdf2_sha256$260000$salt$hash',
  ];
  for (const stored of garbled) {
    t.strictSame(await verifyPassword(stored, 'admin'), { ok: false, needsRehash: false }, JSON.stringify(stored));
  }
});

t.test('dummyHash is one scrypt hash per process that no guess matches', async (t) => {
  const first = await dummyHash();
  t.match(first, /^scrypt\$32768\$8\$1\$/);
  t.equal(await dummyHash(), first, 'computed once');
  t.equal((await verifyPassword(first, 'admin')).ok, false);
});
