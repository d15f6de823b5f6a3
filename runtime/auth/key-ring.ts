/**
 * The API keys this process accepts, in memory: a Map from token hash to
 * the key's principal, replaced whole by the key watch (key-watch.ts) every
 * interval, so verifying a Bearer token costs one SHA-256 and one lookup,
 * never a query. Expiry is checked per request, to the millisecond.
 *
 * A Map lookup needs no constant-time comparison: what it compares is the
 * SHA-256 of what the client sent, never the token itself, and timing that
 * reveals at best how a hash of the attacker's own choosing falls in the
 * table, which brings a guess no closer to a token (that would need a
 * preimage of SHA-256).
 */
import { keyActor, type Principal } from '../access/principal.js';
import type { LiveKey } from './api-key-store.js';
import { tokenHash, wellFormedToken } from './api-key-token.js';

/**
 * How old the last reading of the table may be before no key is trusted: a process that cannot read it
 * (the primary unreachable from here, while a replica still serves reads) cannot see a revocation either.
 */
export const KEY_RING_MAX_AGE_MS = 10_000;

interface RingEntry {
  principal: Principal;
  expiresAt: number | null;
}

export class KeyRing {
  private entries = new Map<string, RingEntry>();
  /** When the table was last read (ms); undefined before the first reading. */
  private readAt: number | undefined;
  /** Latest use of each key since the last takeUses(): written by the watch, not per request. */
  private uses = new Map<number, number>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly maxAgeMs = KEY_RING_MAX_AGE_MS,
  ) {}

  /** False before the first reading of the table, and while the last one is older than the limit. */
  get fresh(): boolean {
    return this.readAt !== undefined && this.now() - this.readAt <= this.maxAgeMs;
  }

  /** The keys as just read; a key whose attributes are unreadable is left out (refused), and its name returned. */
  replace(keys: readonly LiveKey[]): string[] {
    const entries = new Map<string, RingEntry>();
    const unreadable: string[] = [];
    for (const key of keys) {
      if (key.attributes === undefined) {
        unreadable.push(key.name);
        continue;
      }
      const principal: Principal = Object.freeze({
        kind: 'key',
        id: key.id,
        username: keyActor(key.name),
        role: key.role,
        attributes: key.attributes,
      });
      entries.set(key.tokenHash, { principal, expiresAt: key.expiresAt });
    }
    this.entries = entries;
    this.readAt = this.now();
    return unreadable;
  }

  /** The key's principal, or undefined: unknown, revoked, deleted or expired. Remembers the use. */
  verify(token: string): Principal | undefined {
    if (wellFormedToken(token) === undefined) return undefined;
    const entry = this.entries.get(tokenHash(token));
    const now = this.now();
    if (entry === undefined || (entry.expiresAt !== null && entry.expiresAt <= now)) return undefined;
    this.uses.set(entry.principal.id, now);
    return entry.principal;
  }

  /** A use not written after all (the database failed): kept unless a later one is. */
  rememberUse(id: number, at: number): void {
    if ((this.uses.get(id) ?? 0) < at) this.uses.set(id, at);
  }

  /** The uses remembered since the last call, for the watch to write. */
  takeUses(): Map<number, number> {
    const uses = this.uses;
    this.uses = new Map();
    return uses;
  }
}
