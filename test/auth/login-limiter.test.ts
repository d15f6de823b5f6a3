/**
 * The parts behind issue 19's fix, without HTTP: reservations in
 * FailureLimiter, the per-address and per-username limits of LoginLimiter
 * (and what keeps the latter from locking a victim out), and the
 * VerificationGate's cap, order and bound.
 */
import t from 'tap';
import { FailureLimiter } from '../../runtime/auth/failure-limiter.js';
import { isRefusal, LoginLimiter, usernameKey, type LoginAttempt } from '../../runtime/auth/login-limiter.js';
import { GateFullError, VerificationGate } from '../../runtime/auth/verification-gate.js';

t.test('FailureLimiter: attempts in flight count against the limit until settled', async (t) => {
  let now = 1_000_000;
  const limiter = new FailureLimiter({ maxFailures: 2, windowMs: 10_000, now: () => now });
  const first = limiter.reserve('a');
  t.equal(limiter.retryAfter('a'), 0, 'one in flight, one more may start');
  const second = limiter.reserve('a');
  t.equal(limiter.retryAfter('a'), 1, 'two in flight: come back in a second, when they have settled');
  t.equal(limiter.isBlocked('a'), 0, 'not blocked by failures yet');
  t.equal(limiter.retryAfter('b'), 0, 'per key');

  first.release();
  t.equal(limiter.retryAfter('a'), 0, 'a success (or no verdict) frees its slot and counts nothing');
  t.equal(limiter.failuresOf('a'), 0);
  second.failed();
  second.failed();
  second.release();
  t.equal(limiter.failuresOf('a'), 1, 'settled once, whatever is called after');

  limiter.reserve('a').failed();
  t.equal(limiter.isBlocked('a'), 10, 'two failures: blocked for the window');
  t.equal(limiter.retryAfter('a'), 10);

  // A window that ends with attempts in flight starts again from no failures, still counting them.
  now += 10_000;
  const late = limiter.reserve('a');
  limiter.reserve('a');
  now += 10_000;
  limiter.recordFailure('c'); // evicts finished windows: 'a' is kept, it has attempts in flight
  t.equal(limiter.retryAfter('a'), 1, 'in-flight attempts outlive the window they started in');
  late.failed();
  t.equal(limiter.failuresOf('a'), 1, 'a failure settles into the running window');
});

t.test('usernameKey folds what the database would match', async (t) => {
  t.equal(usernameKey('Alice'), 'alice');
  t.equal(usernameKey('ALICE  '), 'alice', 'trailing spaces (PAD SPACE collations)');
  t.equal(usernameKey('alicé'), 'alice', 'accents (MySQL general/unicode collations)');
  t.equal(usernameKey(' alice'), ' alice', 'a leading space is a different name');
  t.equal(usernameKey('x'.repeat(100_000)).length, 255, 'an attacker’s long names are cut to what a username can be');
});

t.test('LoginLimiter: per address, then per username at twice the allowance', async (t) => {
  const now = 5_000_000;
  const limiter = new LoginLimiter({ maxFailures: 2, windowMs: 60_000, now: () => now });
  const begin = (ip: string, user: string) => limiter.begin(ip, user);
  const attempt = (ip: string, user: string) => {
    const result = begin(ip, user);
    if (isRefusal(result)) throw new Error(`refused: ${JSON.stringify(result)}`);
    return result;
  };

  const a1 = attempt('10.0.0.1', 'alice');
  t.equal(a1.suspect, false, 'a clean address');
  attempt('10.0.0.1', 'alice').failed();
  t.strictSame(begin('10.0.0.1', 'bob'), { scope: 'address', retryAfter: 1 }, 'the address has two attempts open');
  a1.failed();
  t.strictSame(begin('10.0.0.1', 'bob'), { scope: 'address', retryAfter: 60 }, 'the address: two failures');
  t.equal(limiter.addressBlocked('10.0.0.1'), 60);

  // One address alone cannot use up the username's allowance (4): alice is still free elsewhere.
  const a2 = attempt('10.0.0.2', 'alice');
  t.equal(a2.suspect, false);
  a2.failed();
  t.equal(attempt('10.0.0.2', 'bob').suspect, true, 'an address with a failure is suspect (queued behind others)');
  attempt('10.0.0.3', 'ALICE').failed();
  t.strictSame(begin('10.0.0.4', 'Alice '), { scope: 'user', retryAfter: 60 }, 'four failures on the username');
  t.notOk(isRefusal(begin('10.0.0.4', 'bob')), 'other usernames from that address are free');
  t.notOk(isRefusal(begin('10.0.0.4', '')), 'an empty username has the address limit only');
});

t.test('LoginLimiter: where a user signed in before is not shut out by guesses made elsewhere', async (t) => {
  let now = 5_000_000;
  const limiter = new LoginLimiter({ maxFailures: 2, windowMs: 60_000, knownAddressMs: 3_600_000, now: () => now });
  const attempt = (ip: string, user: string) => limiter.begin(ip, user) as LoginAttempt;
  attempt('10.0.0.9', 'alice').succeeded();
  for (let i = 1; i <= 4; i++) attempt(`10.0.1.${i}`, 'alice').failed();
  t.equal((limiter.begin('10.0.1.5', 'alice') as { scope: string }).scope, 'user', 'the username is limited');
  const home = limiter.begin('10.0.0.9', 'alice');
  t.notOk(isRefusal(home), 'its known address may still try');
  (home as LoginAttempt).failed();
  (limiter.begin('10.0.0.9', 'alice') as LoginAttempt).failed();
  t.strictSame(
    limiter.begin('10.0.0.9', 'alice'),
    { scope: 'address', retryAfter: 60 },
    'within its own address limit',
  );

  // Slowed, never locked: the next window is free again, from anywhere.
  now += 60_000;
  (limiter.begin('10.0.1.6', 'alice') as LoginAttempt).release();
  // Known for a while (here an hour), not forever.
  now += 3_600_000;
  for (let i = 1; i <= 4; i++) attempt(`10.0.2.${i}`, 'alice').failed();
  t.equal((limiter.begin('10.0.0.9', 'alice') as { scope: string }).scope, 'user', 'no longer known');
});

t.test('LoginLimiter: failures that reserved nothing (a shared verification, a malformed header)', async (t) => {
  const limiter = new LoginLimiter({ maxFailures: 2 });
  limiter.recordFailure('10.0.0.1');
  limiter.recordFailure('10.0.0.1', 'alice');
  t.equal((limiter.begin('10.0.0.1', 'bob') as { scope: string }).scope, 'address');
  limiter.recordFailure('10.0.0.2', 'alice');
  limiter.recordFailure('10.0.0.3', 'alice');
  limiter.recordFailure('10.0.0.4', 'alice');
  t.equal((limiter.begin('10.0.0.5', 'alice') as { scope: string }).scope, 'user');
});

t.test('VerificationGate: runs at most `concurrency` at once', async (t) => {
  const gate = new VerificationGate({ concurrency: 2 });
  let running = 0;
  let most = 0;
  const task = async () => {
    running += 1;
    most = Math.max(most, running);
    await new Promise((resolve) => setTimeout(resolve, 5));
    running -= 1;
  };
  await Promise.all(Array.from({ length: 8 }, (_, i) => gate.run({ key: `k${i % 3}` }, task)));
  t.equal(most, 2);
  t.equal(gate.queued, 0);
  await t.rejects(
    gate.run({ key: 'x' }, () => {
      throw new Error('synchronous');
    }),
    /synchronous/,
    'a task that throws at once fails alone…',
  );
  t.equal(await gate.run({ key: 'x' }, async () => 'ok'), 'ok', '…and frees its place');
});

/** A gate with one place, taken by a task that waits until `free()`; then the order the rest start in. */
function heldGate(options: { minQueued?: number } = {}) {
  const gate = new VerificationGate({ concurrency: 1, maxWaitMs: 0, ...options });
  let free!: () => void;
  const freed = new Promise<void>((resolve) => (free = resolve));
  const held = gate.run({ key: 'holder' }, () => freed);
  const order: string[] = [];
  const refused: string[] = [];
  const enqueue = (name: string, key: string, suspect = false) =>
    gate
      .run({ key, suspect }, async () => {
        order.push(name);
      })
      .catch((error: unknown) => {
        if (!(error instanceof GateFullError)) throw error;
        refused.push(name);
      });
  return { gate, held, order, refused, enqueue, free: () => free() };
}

t.test('VerificationGate: clients take turns; suspects wait behind everyone else', async (t) => {
  const { held, order, enqueue, free } = heldGate();
  const done = [
    enqueue('a1', 'A'),
    enqueue('a2', 'A'),
    enqueue('a3', 'A'),
    enqueue('s1', 'S', true),
    enqueue('b1', 'B'),
    enqueue('c1', 'C'),
    enqueue('b2', 'B'),
  ];
  free();
  await held;
  await Promise.all(done);
  t.strictSame(order, ['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 's1'], 'one each in turn, the suspect last');
});

t.test('VerificationGate: a full queue refuses the worst placed attempt at once', async (t) => {
  const { gate, held, order, refused, enqueue, free } = heldGate({ minQueued: 3 });
  const done = [enqueue('a1', 'A'), enqueue('a2', 'A'), enqueue('a3', 'A')];
  t.equal(gate.queued, 3, 'full');
  done.push(enqueue('b1', 'B'));
  await new Promise((resolve) => setImmediate(resolve));
  t.strictSame(refused, ['a3'], 'a client with fewer waiting takes the place of the last of the one with most');
  done.push(enqueue('c1', 'C'));
  await new Promise((resolve) => setImmediate(resolve));
  t.strictSame(refused, ['a3', 'a2'], 'again: A still had two waiting, C none');
  done.push(enqueue('d1', 'D'));
  await new Promise((resolve) => setImmediate(resolve));
  t.strictSame(refused, ['a3', 'a2', 'd1'], 'no one has two more waiting than the newcomer: the newcomer is refused');
  done.push(enqueue('s1', 'S', true));
  await new Promise((resolve) => setImmediate(resolve));
  t.strictSame(refused, ['a3', 'a2', 'd1', 's1'], 'a suspect newcomer does not push out others');
  free();
  await held;
  await Promise.all(done);
  t.strictSame(order, ['a1', 'b1', 'c1']);
});

t.test('VerificationGate: suspects give way to a newcomer when the queue is full', async (t) => {
  const { held, order, refused, enqueue, free } = heldGate({ minQueued: 2 });
  const done = [enqueue('s1', 'S', true), enqueue('t1', 'T'), enqueue('u1', 'U')];
  await new Promise((resolve) => setImmediate(resolve));
  t.strictSame(refused, ['s1']);
  free();
  await held;
  await Promise.all(done);
  t.strictSame(order, ['t1', 'u1']);
});

t.test('FailureLimiter: attempts without a verdict leave no window behind to push out others', async (t) => {
  const limiter = new FailureLimiter({ maxFailures: 2, maxAddresses: 2 });
  limiter.recordFailure('victim');
  limiter.recordFailure('victim');
  for (let i = 0; i < 100; i++) limiter.reserve(`name ${i}`).release();
  t.equal(limiter.failuresOf('victim'), 2, 'released attempts kept no window');
  limiter.reserve('other').failed();
  limiter.reserve('third').failed();
  t.equal(limiter.failuresOf('victim'), 0, 'windows with failures still make room, oldest first');
});
