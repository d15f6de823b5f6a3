/**
 * Remembers recently verified credentials so scrypt (~70 ms of CPU) does not
 * run on every API request. Only successes go in; failures always re-verify.
 */
import { hash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface CredentialCacheOptions {
  /** How long a verified header stays trusted; bounds how late a password change or deactivation bites. */
  ttlMs?: number;
  /** Most headers kept; the least recently used go first. */
  maxEntries?: number;
}

export class CredentialCache<V extends object> {
  // Entries are keyed by a keyed hash, never the header itself, so no password sits in the cache;
  // the random per-process key makes the digests worthless outside this process.
  private readonly key = randomBytes(32).toString('base64');
  private readonly entries: LRUCache<string, V>;
  /** A2B_AUTH_CACHE_SECONDS=0: verify every request. (lru-cache reads a ttl of 0 as "never expires".) */
  private readonly disabled: boolean;

  constructor(options: CredentialCacheOptions = {}) {
    const ttl = options.ttlMs ?? 30_000;
    this.disabled = ttl <= 0;
    this.entries = new LRUCache<string, V>({ max: options.maxEntries ?? 10_000, ttl: Math.max(ttl, 1) });
  }

  /** `authorization` is the raw header value; it is only ever stored as its keyed hash. */
  get(authorization: string): V | undefined {
    return this.disabled ? undefined : this.entries.get(this.digest(authorization));
  }

  set(authorization: string, value: V): void {
    if (!this.disabled) this.entries.set(this.digest(authorization), value);
  }

  /** Forgets every entry whose value matches, e.g. all sessions of a user whose password changed. */
  forget(matches: (value: V) => boolean): void {
    for (const [digest, value] of this.entries.entries()) {
      if (matches(value)) this.entries.delete(digest);
    }
  }

  /**
   * The keyed hash a header is known by: safe to use as a key elsewhere (it
   * reveals nothing). SHA-256 of the secret key and the header, one shot:
   * a third of an HMAC's CPU on every request, and as good a key here, since
   * a digest never leaves the process (HMAC's nesting defends a digest that
   * is shown to an attacker against extension; none is shown).
   */
  digest(authorization: string): string {
    return hash('sha256', this.key + authorization, 'base64');
  }

  clear(): void {
    this.entries.clear();
  }
}
