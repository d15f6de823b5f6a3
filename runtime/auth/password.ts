/**
 * Password hashing: scrypt for everything we write, plus verification of the
 * legacy Flask `salt$sha1hex` rows so existing users keep logging in.
 */
import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Current cost parameters; stored hashes weaker than these get rehashed. */
const N = 32768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** scrypt needs 128·N·r bytes (32 MiB here); Node's default cap is 32 MiB, too tight. */
const MAX_MEMORY = 64 * 1024 * 1024;

const PREFIX = 'scrypt';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const LEGACY_DIGEST = /^[0-9a-fA-F]{40}$/;

export interface VerifyResult {
  ok: boolean;
  /** The password was right but the stored form is weaker than current: store a new hash. */
  needsRehash: boolean;
}

const FAILED: VerifyResult = { ok: false, needsRehash: false };

function deriveKey(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$N$r$p$<salt base64>$<hash base64>`: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await deriveKey(password, salt, KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  return [PREFIX, N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Checks a password against any stored form; a garbled stored value is a failure, never an exception. */
export async function verifyPassword(stored: string, password: string): Promise<VerifyResult> {
  try {
    if (stored.startsWith(`${PREFIX}$`)) return await verifyScrypt(stored, password);
    return await verifyLegacy(stored, password);
  } catch {
    return FAILED;
  }
}

function parsePositiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  return Number(text);
}

async function verifyScrypt(stored: string, password: string): Promise<VerifyResult> {
  const parts = stored.split('$');
  if (parts.length !== 6) return FAILED;
  const [, nText, rText, pText, saltText, keyText] = parts;
  const n = parsePositiveInt(nText);
  const r = parsePositiveInt(rText);
  const p = parsePositiveInt(pText);
  if (n === undefined || r === undefined || p === undefined) return FAILED;
  if (!BASE64.test(saltText!) || !BASE64.test(keyText!)) return FAILED;
  const salt = Buffer.from(saltText!, 'base64');
  const expected = Buffer.from(keyText!, 'base64');
  if (expected.length < 16 || expected.length > 64) return FAILED;
  // Parameters Node refuses (N not a power of 2, over MAX_MEMORY) reject here and count as garbled.
  const actual = await deriveKey(password, salt, expected.length, { N: n, r, p, maxmem: MAX_MEMORY });
  if (!timingSafeEqual(actual, expected)) return FAILED;
  const weaker = n < N || r < R || p < P || expected.length < KEY_LENGTH || salt.length < SALT_LENGTH;
  return { ok: true, needsRehash: weaker };
}

/** Flask-era rows: `salt$hex(SHA-1(salt + password))`, salt before the first `$`. */
async function verifyLegacy(stored: string, password: string): Promise<VerifyResult> {
  const separator = stored.indexOf('$');
  if (separator < 1) return FAILED;
  const salt = stored.slice(0, separator);
  const digest = stored.slice(separator + 1);
  if (!LEGACY_DIGEST.test(digest)) return FAILED;
  const actual = createHash('sha1')
    .update(salt + password, 'utf8')
    .digest();
  // SHA-1 takes microseconds; pay one scrypt too so timing does not reveal which users still have a legacy row.
  await deriveKey(password, randomBytes(SALT_LENGTH), KEY_LENGTH, { N, r: R, p: P, maxmem: MAX_MEMORY });
  if (!timingSafeEqual(actual, Buffer.from(digest, 'hex'))) return FAILED;
  // Any legacy success is upgraded: SHA-1 is far too cheap to brute-force against.
  return { ok: true, needsRehash: true };
}

let dummy: Promise<string> | undefined;

/**
 * A scrypt hash of a random password, computed once per process, so an
 * unknown username costs the same verification as a wrong password.
 */
export function dummyHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64'));
  return dummy;
}
