/**
 * API key tokens: `a2k_` and 32 random bytes in base64url, shown once and
 * stored only as their SHA-256.
 *
 * SHA-256 rather than scrypt, which protects passwords: a password is
 * guessable, so its hash must be slow to try; a token is 256 random bits,
 * which no one can try through whatever the hash costs, so a fast hash
 * loses nothing, and being unsalted it can be looked up (the key ring
 * finds a key by its hash, with no database query per request).
 */
import { hash, randomBytes } from 'node:crypto';

/** Recognisable in a leaked file or a secret scanner's rules, and never a password by mistake. */
export const TOKEN_PREFIX = 'a2k_';
const TOKEN = /^a2k_[A-Za-z0-9_-]{43}$/;

export function newToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** What the table holds instead of the token: 64 hex digits. */
export function tokenHash(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The token of a well-formed token; undefined for anything else, which no key can match. */
export function wellFormedToken(token: string): string | undefined {
  return TOKEN.test(token) ? token : undefined;
}

/** The credentials of an `Authorization: Bearer <token>` header (the scheme in any case); undefined for other schemes. */
export function bearerCredentials(header: string): string | undefined {
  const match = /^bearer(?: +(.*))?$/i.exec(header);
  return match === null ? undefined : (match[1] ?? '').trim();
}
