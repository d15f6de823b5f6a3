/**
 * The README's curl examples, run as printed (with the test's address and
 * credentials) against the service over a real socket, on both databases.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { BACKENDS, PROJECT_ROOT } from '../helpers/backends.js';
import { PASSWORD, startService, USERNAME } from '../helpers/service.js';

const run = promisify(execFile);

/** `name=$(curl …)`: a line that keeps a curl's output for the lines after it, as a shell session would. */
const ASSIGNMENT = /^([a-z_]+)=\$\((curl .*)\)$/;

/** Every `curl` line of the README's shell blocks, and each `name=$(curl …)`, in order. */
function readmeCurlCommands(): string[] {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]!);
  return blocks
    .flatMap((block) => block.split('\n'))
    .filter((line) => line.startsWith('curl ') || ASSIGNMENT.test(line));
}

const commands = readmeCurlCommands();

t.ok(commands.length >= 10, `the README shows the curl sequence (${commands.length} commands)`);

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const outputs: string[] = [];
    const variables: Record<string, string> = {};
    for (const command of commands) {
      const assignment = ASSIGNMENT.exec(command);
      const line = (assignment ? assignment[2]! : command)
        .replace('curl ', 'curl -sS --fail-with-body ')
        .replaceAll('admin:PASSWORD', `'${USERNAME}:${PASSWORD}'`)
        .replaceAll('http://localhost:8008', service.baseUrl);
      const { stdout } = await run('sh', ['-c', line], { env: { ...process.env, ...variables } });
      if (assignment) variables[assignment[1]!] = stdout.trim();
      t.pass(command);
      outputs.push(stdout);
    }
    const json = (index: number) => JSON.parse(outputs[index]!.slice(outputs[index]!.indexOf('{')));
    t.equal(json(0).objects[0].name, 'DEFAULT', 'the list shows the DEFAULT group');
    t.equal(json(1).objects.length, 1, 'the filter finds it');
    t.match(outputs[2], /^HTTP\/1\.1 200/, 'create answers 200');
    t.match(json(2), { id: 2, name: 'mygroup' });
    t.equal(json(3).name, 'mygroup');
    t.equal(json(4).name, 'mygroup-updated');
    t.same(json(5), { deleted: 1 });
    t.match(json(6), { id: 1, username: '1234567890', credit: 5, tariff: 1 });
    t.equal(json(7).objects[0].username, '1234567890');
    t.same(json(8).objects, [{ id: 1, username: '1234567890', credit: 5 }]);
    t.equal(json(9).useralias, '0987654321');
    t.match(json(10), { lastname: 'Smith', credit: 12.5 });
    t.same(json(11), { deleted: 1 });
    // Money-safe writes: a new card, an exact refill, a bounded debit, a conditional update, the trail.
    t.match(json(12), { id: 2, credit: 12.5 });
    t.same(json(13), { id: 2, credit: '17.50000', delta: '5.00000' }, 'the refill answers the exact new balance');
    t.same(json(14), { id: 2, credit: '15.50000', delta: '-2.00000' });
    // The old API's refill and extra charge on card 2, exact.
    t.match(outputs[15], /"current_balance":20\.50000,/, 'the refill answers the balance as an exact JSON number');
    t.same(json(15), {
      card_id: 2,
      current_balance: 20.5,
      credit_without_vat: 5,
      credited: 5,
      vat: 0,
      logrefill_id: 1,
      logpayment_id: 1,
    });
    t.same(json(16), { card_id: 2, current_balance: 15.5, amount: 5, charge_id: 1 });
    t.match(outputs[17], /^"[A-Za-z0-9_-]+"$/, 'the ETag was kept');
    t.match(json(18), { id: 2, lastname: 'Smith' }, 'the If-Match update applied');
    t.same(
      json(19).objects.map((row: { action: string }) => row.action),
      ['create', 'adjust', 'adjust', 'adjust', 'adjust', 'update'],
      'the trail of card 2',
    );
    // Counts and bulk writes.
    t.match(outputs[20], /Content-Range: 0-0\/1\r?\n/i, 'the count in a header');
    t.match(json(20), { meta: { total: 1, total_estimated: false }, objects: [{ id: 2 }] });
    t.match(json(21), {
      objects: [
        { id: 3, name: 'north' },
        { id: 4, name: 'south' },
      ],
    });
    t.same(json(22), { updated: 1 });
  });
}
