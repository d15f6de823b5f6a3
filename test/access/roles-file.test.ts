/**
 * The roles file: the shipped one compiles against the models; mistakes
 * stop the start with a message naming the role, model and column; the CLI
 * refuses a role the file does not have, or one without its attributes.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { models } from '../../generated/index.js';
import { Policy } from '../../runtime/access/policy.js';
import { parseRoles, readRolesFile, roleChecker, RolesFileError } from '../../runtime/access/roles-file.js';
import { Registry } from '../../runtime/store/resource.js';
import { PROJECT_ROOT } from '../helpers/backends.js';

const registry = new Registry(models);
const compile = (roles: object) => {
  const warnings: string[] = [];
  const policy = new Policy(parseRoles(JSON.stringify({ roles }), 'roles.json'), registry, (m) => warnings.push(m));
  return { policy, warnings };
};

t.test('the shipped roles compile against every model, without a warning', async (t) => {
  const file = readRolesFile(path.join(PROJECT_ROOT, 'roles.json'), true);
  const warnings: string[] = [];
  const policy = new Policy(file, registry, (message) => warnings.push(message));
  t.same(warnings, []);
  t.same(policy.roleNames(), ['admin', 'read-only', 'provisioning', 'agent']);
  const agent = policy.role('agent')!;
  const card = agent.grant(registry.get('card')!)!;
  t.equal(
    card.scope?.sql,
    '(SELECT 1 FROM cc_card_group WHERE cc_card_group.id = cc_card.id_group AND (id_agent = ?)) = 1',
  );
  t.same(card.scope?.attributes, ['agent']);
  const refill = agent.grant(registry.get('logrefill')!)!;
  t.equal(
    refill.scope?.sql,
    '(SELECT 1 FROM cc_card WHERE cc_card.id = cc_logrefill.card_id AND ((SELECT 1 FROM cc_card_group WHERE cc_card_group.id = cc_card.id_group AND (id_agent = ?)) = 1)) = 1',
    'a `*` grant scoped through the card reference',
  );
  t.equal(agent.grant(registry.get('country')!), undefined, 'a model that references no card: no grant');
  t.ok(policy.role('admin')!.grant(registry.get('country')!)!.plain, 'admin: nothing to check but the operation');
});

t.test('mistakes name the role, the model and the column', async (t) => {
  const refused = (roles: object, pattern: RegExp, what: string) =>
    t.throws(() => compile(roles), { name: 'RolesFileError', message: pattern }, what);
  refused(
    { a: { grants: { card: { operations: ['list'], hidden: ['usrname'] } } } },
    /role a, grant card: hidden names usrname, which card does not have \(did you mean username\?\)/,
    'an unknown column',
  );
  refused(
    { a: { grants: { card: { operations: ['list'], scope: { id_group: { attribute: 'agent' } } } } } },
    /attribute agent, which the role does not declare/,
    'an undeclared attribute',
  );
  refused(
    { a: { grants: { card: { operations: ['list'], scope: { id_group: { in: 'cardgroup' } } } } } },
    /rows of cardgroup, on which the role has no grant/,
    'a scope through a model without a grant',
  );
  refused(
    { a: { grants: { card: { operations: ['list'], hidden: ['id'] } } } },
    /cannot hide id, part of the key/,
    'hiding the key',
  );
  refused(
    {
      a: {
        grants: {
          card: { operations: ['list'], scope: { id_group: { in: 'cardgroup' } } },
          cardgroup: { operations: ['list'], scope: { id: { in: 'card' } } },
        },
      },
    },
    /refers back to itself/,
    'a cycle of scopes',
  );
  t.throws(() => parseRoles('{"roles":{"a":{"grants":{"card":["lisst"]}}}}', 'roles.json'), {
    message: /\/roles\/a\/grants\/card\/0 must be one of list, get, create, update, delete, adjust, export/,
  });
  t.throws(() => parseRoles('{"roles":', 'roles.json'), { message: /roles.json: not JSON/ });
  const { warnings } = compile({ a: { grants: { cards: ['list'] } } });
  t.match(
    warnings,
    [/role a grants cards, which is not served; skipped \(did you mean card\?\)/],
    'an unknown model warns',
  );
});

t.test('a role given to a user or key is checked against the file', async (t) => {
  const check = roleChecker(readRolesFile(path.join(PROJECT_ROOT, 'roles.json'), true));
  t.equal(check('read-only', {}), undefined);
  t.match(check('reader', {}), /reader is not a role of the roles file \(admin, read-only, provisioning, agent\)/);
  t.match(check('agent', {}), /role agent needs the attribute agent/);
  t.equal(check('agent', { agent: '7' }), undefined);
  t.equal(
    readRolesFile(path.join(os.tmpdir(), 'no-such-roles.json'), false).roles.admin !== undefined,
    true,
    'no file: admin only',
  );
  t.throws(
    () => readRolesFile(path.join(os.tmpdir(), 'no-such-roles.json'), true),
    RolesFileError,
    'unless it was named',
  );
});

t.test('the CLI refuses a role the file lacks, or one without its attributes', async (t) => {
  const data = mkdtempSync(path.join(os.tmpdir(), 'a2gen-roles-'));
  t.teardown(() => rmSync(data, { recursive: true, force: true }));
  const run = promisify(execFile);
  const a2gen = (...args: string[]) =>
    run(process.execPath, [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), ...args], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, A2B_DATA_DIR: data, A2B_DATABASE_URL: '' },
    }).then(
      (result) => ({ code: 0, ...result }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  const unknown = await a2gen('key', 'create', '--name', 'k1', '--role', 'reader');
  t.not(unknown.code, 0);
  t.match(unknown.stderr, /reader is not a role of the roles file/);
  const lacking = await a2gen('key', 'create', '--name', 'k2', '--role', 'agent');
  t.not(lacking.code, 0);
  t.match(lacking.stderr, /role agent needs the attribute agent/);
  const made = await a2gen('key', 'create', '--name', 'k3', '--role', 'agent', '--attr', 'agent=7');
  t.equal(made.code, 0, made.stderr);
  t.match(made.stdout.trim().split('\n').at(-1), /^a2k_/, 'the token alone on the last line');
});
