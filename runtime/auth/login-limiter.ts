/**
 * The failed-login limits of one face (the API's Basic auth, the admin
 * sign-in): per client address and per username, each attempt counted
 * before its password is verified (see failure-limiter.ts), so parallel
 * guesses are limited exactly like a sequence of them.
 *
 * Per address: `maxFailures` per window, as before.
 *
 * Per username: twice `maxFailures` per window from all addresses
 * together, so guesses against one account spread over many addresses are
 * limited too. A per-user limit is also a way to lock a victim out: anyone
 * can send wrong passwords for a known username. Three things keep it from
 * doing that:
 *
 * - it slows and never locks: a fixed window, after which the username has
 *   its full allowance again, nothing kept longer, no account disabled;
 * - its allowance is more than one address's, so no single client (one
 *   attacker, or a script still sending an old password) can use it up
 *   alone: that client is stopped by its own address's limit first;
 * - an address the user signed in from successfully (within
 *   KNOWN_ADDRESS_MS) is exempt from the username's limit (not from its own
 *   address limit): an attacker elsewhere cannot shut the user out of the
 *   places they use, while guessing from anywhere else stays limited. Only a
 *   right password makes an address known, so an attacker cannot add or push
 *   out entries without the password.
 *
 * Either refusal is the same 429 whether the username exists or not: the
 * limits key on the name as sent, never on a lookup.
 */
import { LRUCache } from 'lru-cache';
import { FailureLimiter } from './failure-limiter.js';

export interface LoginLimiterOptions {
  /** Failures allowed per window and address (default 10); a username is allowed twice as many. */
  maxFailures?: number;
  windowMs?: number;
  /** How long a successful sign-in exempts its address from the username's limit. */
  knownAddressMs?: number;
  /** Clock, replaceable in tests. */
  now?: () => number;
}

/** A username's allowance, in per-address allowances: see above. */
const USER_ALLOWANCE_FACTOR = 2;
/** A week: a user's usual places stay known across weekends, and nothing grows old in a long-running process. */
const KNOWN_ADDRESS_MS = 7 * 24 * 3600 * 1000;
/** Longer usernames cannot exist (varchar(255)); cut so an attacker's long names cost no memory. */
const MAX_USERNAME_KEY = 255;

/** The attempt may not start: whose limit it hit, and when to come back. */
export interface LoginRefusal {
  scope: 'address' | 'user';
  retryAfter: number;
}

/** One attempt, counted from before its verification: settle it once. */
export interface LoginAttempt {
  /** The address has failed logins in the current window (a verification queue puts it behind others). */
  suspect: boolean;
  /** Wrong credentials: a failure for the address and the username. */
  failed(): void;
  /** The password was right: no failure, and the address becomes known for the username. */
  succeeded(): void;
  /** No verdict (the database failed, the verification was refused for load): counts for nothing. */
  release(): void;
}

/**
 * The username as the limit knows it: case, accents and trailing spaces
 * folded the way MySQL's default collations (and SQLite's NOCASE for case)
 * compare them, so `Alice`, `alice ` and `alicé` share one allowance.
 */
export function usernameKey(username: string): string {
  return username
    .slice(0, MAX_USERNAME_KEY * 2)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/ +$/, '')
    .slice(0, MAX_USERNAME_KEY);
}

export class LoginLimiter {
  private readonly addresses: FailureLimiter;
  private readonly usernames: FailureLimiter;
  private readonly known: LRUCache<string, true>;

  constructor(options: LoginLimiterOptions = {}) {
    const maxFailures = options.maxFailures ?? 10;
    const limits = { windowMs: options.windowMs, now: options.now };
    this.addresses = new FailureLimiter({ ...limits, maxFailures });
    this.usernames = new FailureLimiter({ ...limits, maxFailures: maxFailures * USER_ALLOWANCE_FACTOR });
    this.known = new LRUCache<string, true>({
      max: 10_000,
      ttl: options.knownAddressMs ?? KNOWN_ADDRESS_MS,
      // Read the clock on every check (it is read once per uncached login only), so a test's clock is obeyed.
      ttlResolution: 0,
      ...(options.now && { perf: { now: options.now } }),
    });
  }

  /**
   * Seconds the address must wait, counting settled failures only; 0 when
   * free. For requests that verify nothing (no or malformed credentials).
   */
  addressBlocked(ip: string): number {
    return this.addresses.isBlocked(ip);
  }

  /**
   * Counts an attempt before it is verified, or refuses it: the address's
   * limit first, then the username's (unless the address is known for it).
   * An empty username has only the address's limit (no account has it).
   */
  begin(ip: string, username: string): LoginAttempt | LoginRefusal {
    const addressWait = this.addresses.retryAfter(ip);
    if (addressWait > 0) return { scope: 'address', retryAfter: addressWait };
    const user = usernameKey(username);
    const limitsUser = user !== '' && !this.known.has(knownKey(user, ip));
    if (limitsUser) {
      const userWait = this.usernames.retryAfter(user);
      if (userWait > 0) return { scope: 'user', retryAfter: userWait };
    }
    const suspect = this.addresses.failuresOf(ip) > 0;
    const slots = [this.addresses.reserve(ip), ...(limitsUser ? [this.usernames.reserve(user)] : [])];
    return {
      suspect,
      failed: () => slots.forEach((slot) => slot.failed()),
      release: () => slots.forEach((slot) => slot.release()),
      succeeded: () => {
        slots.forEach((slot) => slot.release());
        if (user !== '') this.known.set(knownKey(user, ip), true);
      },
    };
  }

  /**
   * A failure that was never reserved: malformed credentials (address only),
   * or a request that shared another's verification of the same credentials.
   * An address known for the username adds nothing to the username's count.
   */
  recordFailure(ip: string, username?: string): void {
    this.addresses.recordFailure(ip);
    const user = username === undefined ? '' : usernameKey(username);
    if (user !== '' && !this.known.has(knownKey(user, ip))) this.usernames.recordFailure(user);
  }
}

function knownKey(user: string, ip: string): string {
  return `${ip}\n${user}`;
}

export function isRefusal(result: LoginAttempt | LoginRefusal): result is LoginRefusal {
  return 'retryAfter' in result;
}
