/**
 * Remembers recently verified credentials so scrypt (~70 ms of CPU) does not
 * run on every API request. Only successes go in; failures always re-verify.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';

export interface CredentialCacheOptions {
  /** How long a verified header stays trusted; bounds how late a password change or deactivation bites. */
  ttlMs?: number;
  /** Most headers kept; the least recently used go first. */
  maxEntries?: number;
}

export class CredentialCache<V extends object> {
  // Entries are keyed by an HMAC, never the header itself, so no password sits in the cache;
  // the random per-process key makes the digests worthless outside this process.
  private readonly key = randomBytes(32);
  private readonly entries: LRUCache<string, V>;

  constructor(options: CredentialCacheOptions = {}) {
    this.entries = new LRUCache<string, V>({ max: options.maxEntries ?? 10_000, ttl: options.ttlMs ?? 30_000 });
  }

  /** `authorization` is the raw header value; it is only ever stored as an HMAC. */
  get(authorization: string): V | undefined {
    return this.entries.get(this.digest(authorization));
  }

  set(authorization: string, value: V): void {
    this.entries.set(this.digest(authorization), value);
  }

  /** Forgets every entry whose value matches, e.g. all sessions of a user whose password changed. */
  forget(matches: (value: V) => boolean): void {
    for (const [digest, value] of this.entries.entries()) {
      if (matches(value)) this.entries.delete(digest);
    }
  }

  /** The HMAC a header is known by: safe to use as a key elsewhere (it reveals nothing). */
  digest(authorization: string): string {
    return createHmac('sha256', this.key).update(authorization).digest('base64');
  }

  clear(): void {
    this.entries.clear();
  }
}
