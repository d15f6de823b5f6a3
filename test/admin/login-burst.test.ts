/**
 * Issue 19, finding 1, on the admin sign-in, on SQLite and on MariaDB: 60
 * parallel sign-ins with the right password last used to give 59 × 401 and
 * then a session. Now each sign-in is counted before its password is
 * verified, per address and per username, and the verifications wait their
 * turn in the process's queue, shared with the API.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { waitFor } from '../helpers/wait-for.js';
import {
  countVerifications,
  fillGate,
  floodFromWorker,
  retryAfter,
  send,
  tally,
  type Answer,
  type SendOptions,
} from '../auth/login-clients.js';
import { PASSWORD, startAdminService, USERNAME } from './admin-service.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const MAX_FAILURES = 10;
const WINDOW_SECONDS = 60;
/** A username's allowance from all addresses together: twice an address's (runtime/auth/login-limiter.ts). */
const USER_MAX_FAILURES = 2 * MAX_FAILURES;

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name, {
      authMaxFailures: MAX_FAILURES,
      authWindowSeconds: WINDOW_SECONDS,
    });
    t.teardown(() => service.close());
    for (const user of ['carol', 'dave', 'frank'])
      await service.users.create({
        username: user,
        email: `${user}@example.com`,
        password: `${user} pw`,
        active: true,
        admin: true,
      });
    const verifications = countVerifications(t);

    /** A sign-in form of its own (session cookie and CSRF token), ready to post from an address. */
    async function signInForm(
      username: string,
      password: string,
      from: string,
    ): Promise<SendOptions & { path: string }> {
      const page = await send(service.baseUrl, '/admin/login');
      const cookie = String(page.headers['set-cookie']).split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      return {
        path: '/admin/login',
        method: 'POST',
        from,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
      };
    }
    const post = ({ path, ...options }: SendOptions & { path: string }) => send(service.baseUrl, path, options);
    const signIn = async (username: string, password: string, from: string) =>
      post(await signInForm(username, password, from));
    /** Is the session of this form signed in? */
    const signedIn = async (form: SendOptions) =>
      (await send(service.baseUrl, '/admin/', { headers: { cookie: form.headers!.cookie! } })).status === 200;

    const assertRefused = (t: Test, answer: Answer, message: string, whose = /from your address/) => {
      t.equal(answer.status, 429, `${message}: 429`);
      const seconds = retryAfter(answer);
      t.ok(
        Number.isInteger(seconds) && seconds >= 1 && seconds <= WINDOW_SECONDS,
        `${message}: Retry-After ${seconds}`,
      );
      t.match(answer.text, /Too many failed sign-ins/);
      t.match(answer.text, whose);
    };

    await t.test('60 parallel sign-ins, the right password in the same burst: 10 verified, the rest 429', async (t) => {
      const from = '127.0.1.1';
      const forms = await Promise.all(Array.from({ length: 59 }, (_, i) => signInForm(USERNAME, `guess ${i}`, from)));
      const rightForm = await signInForm(USERNAME, PASSWORD, from);
      const asked = verifications.asked();
      const ran = verifications.ran();
      const guesses = Promise.all(forms.map(post));
      // The right password arrives while the guesses are being verified, once the limit's worth is let through.
      await waitFor(() => verifications.asked() - asked >= MAX_FAILURES, {
        what: 'the first guesses to be let through',
      });
      const right = await post(rightForm);
      const answers = await guesses;

      assertRefused(t, right, 'the right password inside the burst');
      t.notOk(await signedIn(rightForm), 'and it did not sign in');
      t.strictSame(tally(answers), { 401: MAX_FAILURES, 429: 59 - MAX_FAILURES }, 'a burst is limited like a sequence');
      for (const answer of answers.filter((answer) => answer.status === 429)) assertRefused(t, answer, 'a guess');
      t.equal(verifications.ran() - ran, MAX_FAILURES, `at most ${MAX_FAILURES} verifications ran`);
      assertRefused(t, await signIn(USERNAME, PASSWORD, from), 'the right password after the burst');
      t.equal((await signIn(USERNAME, PASSWORD, '127.0.1.2')).status, 303, 'from another address the user signs in');
    });

    await t.test(
      'sign-ins for one username from many addresses are limited too; its usual address is not shut out',
      async (t) => {
        const home = '127.0.2.200';
        t.equal((await signIn('carol', 'carol pw', home)).status, 303, 'carol signs in from her usual address');
        const forms = await Promise.all(
          Array.from({ length: 40 }, (_, i) => signInForm('carol', `guess ${i}`, `127.0.2.${i + 1}`)),
        );
        const ran = verifications.ran();
        const answers = await Promise.all(forms.map(post));
        t.strictSame(tally(answers), { 401: USER_MAX_FAILURES, 429: 40 - USER_MAX_FAILURES });
        t.equal(verifications.ran() - ran, USER_MAX_FAILURES);
        for (const answer of answers.filter((answer) => answer.status === 429))
          assertRefused(t, answer, 'a guess from yet another address', /for this username/);

        assertRefused(
          t,
          await signIn('Carol', 'carol pw', '127.0.2.50'),
          'carol from a new address',
          /for this username/,
        );
        const atHome = await signIn('carol', 'carol pw', home);
        t.equal(atHome.status, 303, 'carol from her usual address still signs in');
        t.equal((await signIn('dave', 'dave pw', '127.0.2.1')).status, 303, 'another user from a guessing address');
      },
    );

    await t.test('under 300 parallel wrong sign-ins, a real sign-in from elsewhere stays fast', async (t) => {
      const forms = await Promise.all(
        Array.from({ length: 300 }, (_, i) => signInForm(`nobody${i}`, `guess ${i}`, '127.0.3.1')),
      );
      const realForm = await signInForm('frank', 'frank pw', '127.0.3.2');
      const ran = verifications.ran();
      const flood = floodFromWorker(service.baseUrl, forms);
      await waitFor(() => verifications.ran() > ran, { what: 'the flood to reach the verifications' });
      const real = await post(realForm);
      const answers = await flood;
      t.equal(real.status, 303, 'the real user signs in');
      t.comment(`real sign-in: ${real.ms.toFixed(0)} ms; flood ${JSON.stringify(tally(answers))}`);
      t.ok(verifications.overtakenBy('127.0.3.2')! <= 1, `overtaken by ${verifications.overtakenBy('127.0.3.2')}`);
      // The fairness is the check above (overtaken by at most one verification); this bound only catches
      // starvation, which would take ~290 verifications (20 s and more). A tighter wall-clock bound failed
      // on a busy 2-core CI machine (2.5 s) while the order was right: speed belongs to the benchmarks.
      t.ok(real.ms < 10_000, `${real.ms.toFixed(0)} ms`);
      t.strictSame(tally(answers), { 401: MAX_FAILURES, 429: 300 - MAX_FAILURES });
    });

    await t.test('a full verification queue: 503 + Retry-After at once, no failure counted', async (t) => {
      const from = '127.0.4.1';
      const forms = await Promise.all(
        Array.from({ length: MAX_FAILURES + 1 }, (_, i) => signInForm('dave', `guess ${i}`, from)),
      );
      const empty = await fillGate();
      for (const form of forms) {
        const busy = await post(form);
        t.equal(busy.status, 503);
        t.equal(retryAfter(busy), 1);
        t.match(busy.text, /Too many sign-ins are being checked right now/);
      }
      await empty();
      t.equal((await signIn('dave', 'dave pw', from)).status, 303, 'no failure was counted: the address is free');
    });
  });
}
