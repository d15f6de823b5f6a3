/**
 * `a2gen introspect` and `a2gen diff` against real MariaDB databases built
 * with A2Billing's DDL: introspection reproduces the committed schema files,
 * keeps annotations, and diff names every kind of drift.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { createMysqlDatabase, PROJECT_ROOT } from '../helpers/backends.js';

const run = promisify(execFile);
const CLI = path.join(PROJECT_ROOT, 'dist/bin/a2gen.js');

async function a2gen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
      env: { ...process.env, A2B_DATABASE_URL: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

async function tempProject(t: { teardown(fn: () => unknown): void }, withSchemas: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-introspect-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await cp(path.join(PROJECT_ROOT, 'templates'), path.join(dir, 'templates'), { recursive: true });
  if (withSchemas) await cp(path.join(PROJECT_ROOT, 'schema'), path.join(dir, 'schema'), { recursive: true });
  return dir;
}

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));
const committed = (table: string) => readJson(path.join(PROJECT_ROOT, 'schema', `${table}.json`));

t.test('introspect and diff', async (t) => {
  const database = await createMysqlDatabase();
  t.teardown(() => database.drop());
  const url = database.url;

  await t.test('a fresh introspection has exactly the database facts of the committed files', async (t) => {
    const dir = await tempProject(t, false);
    for (const table of ['cc_card', 'cc_card_group']) {
      const result = await a2gen('introspect', '--url', url, '--table', table, '--project', dir);
      t.equal(result.code, 0, `${table}: exit 0`);
      t.match(result.stdout, `wrote schema/${table}.json`);
      const fresh = await readJson(path.join(dir, 'schema', `${table}.json`));
      const expected = await committed(table);
      t.same(Object.keys(fresh.properties), Object.keys(expected.properties), `${table}: every column, in order`);
      for (const [name, property] of Object.entries(
        expected.properties as Record<string, { 'x-sql': unknown; type: unknown; maxLength?: number }>,
      )) {
        t.same(
          fresh.properties[name]['x-sql'],
          property['x-sql'],
          `${table}.${name}: type, nullability, default, auto_increment`,
        );
        t.same(fresh.properties[name].type, property.type, `${table}.${name}: JSON type`);
        t.equal(fresh.properties[name].maxLength, property.maxLength, `${table}.${name}: maxLength`);
      }
      // The seed and the adjustments are annotations, not database facts.
      const { seed: _seed, adjustments: _adjustments, ...options } = expected['x-a2gen'];
      t.same(fresh['x-a2gen'], options, `${table}: resource, key, engine, charset, collation, indexes`);
    }
    const build = await a2gen('build', '--project', dir);
    t.equal(build.code, 0, 'the introspected files build');
  });

  await t.test('re-introspecting an unchanged table rewrites nothing and keeps every annotation', async (t) => {
    const dir = await tempProject(t, true);
    // cc_logrefill and cc_logpayment also rename card_id and agent_id to the old API's card and agent.
    const tables = [
      'cc_card',
      'cc_card_group',
      'cc_callerid',
      'cc_logrefill',
      'cc_logpayment',
      'cc_call',
      'cc_country',
      'cc_charge',
    ];
    for (const table of [
      ...tables,
      'cc_iso639',
      'cc_tariffgroup',
      'cc_tariffgroup_plan',
      'cc_sip_buddies',
      'cc_iax_buddies',
    ]) {
      const result = await a2gen('introspect', '--url', url, '--table', table, '--project', dir);
      t.match(result.stdout, 'is up to date', table);
      t.equal(
        await readFile(path.join(dir, 'schema', `${table}.json`), 'utf8'),
        await readFile(path.join(PROJECT_ROOT, 'schema', `${table}.json`), 'utf8'),
        `${table}: byte-identical`,
      );
    }
  });

  await t.test('diff: 0 when schema and database agree', async (t) => {
    const result = await a2gen('diff', '--url', url, '--project', PROJECT_ROOT);
    t.equal(result.code, 0);
    t.match(result.stdout, 'schema/ and the database agree (14 tables)');
  });

  await t.test("diff: a2gen's own audit table not created yet is not drift", async (t) => {
    await database.admin.query('DROP TABLE a2gen_audit');
    const result = await a2gen('diff', '--url', url, '--project', PROJECT_ROOT);
    t.equal(result.code, 0, 'exit 0');
    t.match(result.stdout, "a2gen_audit: not created yet (a2gen's own table; the service creates it at startup)");
    await database.admin.query(await readFile(path.join(PROJECT_ROOT, 'generated/ddl/mysql.sql'), 'utf8'));
  });

  await t.test('diff: 1 when the database cannot be reached', async (t) => {
    const result = await a2gen('diff', '--url', 'mysql://root@127.0.0.1:1/none', '--project', PROJECT_ROOT);
    t.equal(result.code, 1);
    t.match(result.stderr, /^a2gen: cannot connect/);
  });

  await t.test('drift: diff names each change (exit 2), introspect takes it in and keeps annotations', async (t) => {
    await database.admin.query(`
      ALTER TABLE cc_card
        MODIFY credit decimal(12,2) NOT NULL DEFAULT '0.00',
        MODIFY tag varchar(50) NULL,
        ALTER COLUMN status SET DEFAULT 2,
        CHANGE COLUMN voipcall voip_call int(11) DEFAULT '0',
        ADD COLUMN note varchar(10) NOT NULL DEFAULT 'x',
        ADD INDEX idx_tag (tag);
      ALTER TABLE cc_card_group ENGINE=InnoDB;`);
    const result = await a2gen('diff', '--url', url, '--project', PROJECT_ROOT);
    t.equal(result.code, 2, 'exit 2');
    const lines = result.stdout.trim().split('\n');
    t.same(lines, [
      'cc_card.credit: schema decimal(15,5), database decimal(12,2)',
      "cc_card.credit: schema default '0.00000', database default '0.00'",
      "cc_card.status: schema default '1', database default '2'",
      'cc_card.voipcall: in the schema, not in the database',
      'cc_card.tag: schema NOT NULL, database NULL',
      'cc_card.voip_call: in the database (int(11)), not in the schema',
      'cc_card.note: in the database (varchar(10)), not in the schema',
      'cc_card: index idx_tag (tag) in the database, not in the schema',
      'cc_card_group: schema ENGINE=MyISAM, database ENGINE=InnoDB',
      '9 differences between schema/ and the database',
    ]);

    const dir = await tempProject(t, true);
    const updated = await a2gen('introspect', '--url', url, '--table', 'cc_card', '--project', dir);
    t.match(updated.stdout, 'updated schema/cc_card.json');
    const card = await readJson(path.join(dir, 'schema', 'cc_card.json'));
    const before = await committed('cc_card');
    t.same(
      card.properties.credit['x-sql'],
      { type: 'decimal(12,2)', nullable: false, default: '0.00' },
      'the changed type and default',
    );
    t.equal(card.properties.credit.title, before.properties.credit.title, 'the label is kept');
    t.same(card.properties.tag.type, ['string', 'null'], 'now nullable');
    t.equal(card.properties.tag.default, '', 'the form default is kept');
    t.equal(card.properties.uipass.writeOnly, true, 'write-only flags are kept');
    t.same(card.required, before.required, 'the required list is kept');
    const groupsWithout = (groups: { fields: string[] }[], gone: string) =>
      groups.map((group) => ({ ...group, fields: group.fields.filter((field) => field !== gone) }));
    t.same(
      card['x-admin'],
      { ...before['x-admin'], groups: groupsWithout(before['x-admin'].groups, 'voipcall') },
      'admin hints are kept, less the dropped column in its form group',
    );
    t.notOk('voipcall' in card.properties, 'the dropped column is gone');
    t.same(
      Object.keys(card.properties).slice(-2),
      ['max_concurrent', 'note'],
      'the new column is added in table order',
    );
    t.ok(
      card['x-a2gen'].indexes.some((index: { name: string }) => index.name === 'idx_tag'),
      'the new index is recorded',
    );
    t.equal((await a2gen('build', '--project', dir)).code, 0, 'the updated files build');
  });

  await t.test('any A2Billing table becomes a schema file', async (t) => {
    // The test database holds the generated cc_callerid; replace it with A2Billing's own DDL.
    await database.admin.query('DROP TABLE cc_callerid');
    await database.admin.query(`
      CREATE TABLE cc_callerid (
        id bigint(20) NOT NULL AUTO_INCREMENT,
        cid varchar(100) COLLATE utf8_bin NOT NULL,
        id_cc_card bigint(20) NOT NULL,
        activated char(1) COLLATE utf8_bin NOT NULL DEFAULT 't',
        PRIMARY KEY (id),
        UNIQUE KEY cons_cc_callerid_cid (cid)
      ) ENGINE=MyISAM DEFAULT CHARSET=utf8 COLLATE=utf8_bin`);
    const dir = await tempProject(t, true);
    await rm(path.join(dir, 'schema', 'cc_callerid.json'));
    const result = await a2gen('introspect', '--url', url, '--table', 'cc_callerid', '--project', dir);
    t.equal(result.code, 0);
    t.match(result.stdout, 'wrote schema/cc_callerid.json');
    const callerid = await readJson(path.join(dir, 'schema', 'cc_callerid.json'));
    const served = await committed('cc_callerid');
    for (const [name, property] of Object.entries(served.properties as Record<string, { 'x-sql': unknown }>)) {
      t.same(
        callerid.properties[name]['x-sql'],
        property['x-sql'],
        `cc_callerid.${name}: the committed file has the database facts`,
      );
    }
    t.equal(callerid['x-a2gen'].resource, 'callerid', 'the old API resource name');
    t.same(callerid['x-a2gen'].indexes, [{ name: 'cons_cc_callerid_cid', unique: true, columns: ['cid'] }]);
    t.match(callerid.properties.id, {
      type: 'integer',
      readOnly: true,
      'x-sql': { type: 'bigint(20)', autoIncrement: true },
    });
    t.match(callerid.properties.activated, {
      type: 'string',
      maxLength: 1,
      'x-sql': { type: 'char(1)', default: 't' },
    });
    // A2Billing's DDL has no foreign key: as a person would, say again that the column refers to a card
    // (cc_card's search through caller IDs needs it).
    callerid.properties.id_cc_card['x-references'] = { resource: 'card', label: 'username' };
    await writeFile(path.join(dir, 'schema', 'cc_callerid.json'), `${JSON.stringify(callerid, null, 2)}\n`);
    const build = await a2gen('build', '--project', dir);
    t.equal(build.code, 0, `builds: ${build.stderr}`);
    t.match(build.stdout, 'wrote generated/callerid/model.ts');
  });

  await t.test('init writes .env and the schema files for the chosen tables', async (t) => {
    const dir = await tempProject(t, false);
    const result = await a2gen('init', '--url', url, '--tables', 'cc_card_group, cc_callerid', '--project', dir);
    t.equal(result.code, 0);
    t.match(result.stdout, 'wrote schema/cc_card_group.json');
    t.match(result.stdout, 'wrote schema/cc_callerid.json');
    t.match(result.stdout, 'next: npx a2gen build');
    const env = await readFile(path.join(dir, '.env'), 'utf8');
    t.match(env, `A2B_DATABASE_URL=${url}\n`);
    t.match(env, /^A2B_SECRET=[0-9a-f]{64}$/m, 'a fresh 32-byte secret');
    const { stat } = await import('node:fs/promises');
    t.equal((await stat(path.join(dir, '.env'))).mode & 0o777, 0o600, 'readable by its owner only');
    const again = await a2gen('init', '--url', url, '--tables', 'cc_card_group', '--project', dir);
    t.match(again.stdout, '.env exists and was left as it is');
    t.equal(await readFile(path.join(dir, '.env'), 'utf8'), env, 'the existing .env is not replaced');
    t.equal((await a2gen('build', '--project', dir)).code, 0, 'the project builds');
  });

  await t.test('clear errors', async (t) => {
    const dir = await tempProject(t, false);
    const missing = await a2gen('introspect', '--url', url, '--table', 'cc_nothing', '--project', dir);
    t.equal(missing.code, 1);
    t.match(missing.stderr, 'a2gen: no table cc_nothing in that database');
    const noUrl = await a2gen('introspect', '--table', 'cc_card', '--project', dir);
    t.equal(noUrl.code, 1);
    t.match(noUrl.stderr, '--url');
    await database.admin.query('CREATE TABLE pairs (a int NOT NULL, b int NOT NULL, PRIMARY KEY (a, b))');
    const composite = await a2gen('introspect', '--url', url, '--table', 'pairs', '--project', dir);
    t.equal(composite.code, 0, 'a composite key is no error', { stderr: composite.stderr });
    const pairs = JSON.parse(await readFile(path.join(dir, 'schema/pairs.json'), 'utf8'));
    t.strictSame(pairs['x-a2gen'].primaryKey, ['a', 'b'], 'both key columns, in key order');
  });

  await t.test('a table without a primary key, and a view', async (t) => {
    const dir = await tempProject(t, false);
    await database.admin.query('CREATE TABLE keyless (a int NOT NULL, b int NULL, UNIQUE KEY by_b (b))');
    await database.admin.query('CREATE TABLE unique_code (code char(3) NOT NULL, UNIQUE KEY by_code (code))');
    await database.admin.query('CREATE VIEW card_names AS SELECT id, username FROM cc_card');
    const keyless = await a2gen('introspect', '--url', url, '--table', 'keyless', '--project', dir);
    t.equal(keyless.code, 0, 'a table without a key is no error', { stderr: keyless.stderr });
    t.match(keyless.stdout, 'no primary key and no NOT NULL unique key: read-only, list only');
    const unique = await a2gen('introspect', '--url', url, '--table', 'unique_code', '--project', dir);
    t.match(unique.stdout, 'rows are addressed by the unique key by_code (code)');
    const view = await a2gen('introspect', '--url', url, '--table', 'card_names', '--project', dir);
    t.equal(view.code, 0, 'nor is a view', { stderr: view.stderr });
    const written = JSON.parse(await readFile(path.join(dir, 'schema/card_names.json'), 'utf8'));
    t.strictSame(written['x-a2gen'], { table: 'card_names', resource: 'card_names'.replace(/_/g, ''), view: true });
    t.strictSame(Object.keys(written.properties), ['id', 'username']);
    const keylessFile = JSON.parse(await readFile(path.join(dir, 'schema/keyless.json'), 'utf8'));
    t.notOk('primaryKey' in keylessFile['x-a2gen'], 'no primaryKey is written for a table without one');
    t.equal((await a2gen('build', '--project', dir)).code, 0, 'the files build');
    // diff against this database, with the three files only.
    const same = await a2gen('diff', '--url', url, '--project', dir);
    t.equal(same.code, 0, 'diff: they agree', { stdout: same.stdout });
    await database.admin.query('ALTER TABLE keyless ADD PRIMARY KEY (a)');
    await database.admin.query('DROP VIEW card_names');
    await database.admin.query('CREATE TABLE card_names (id int NOT NULL, username char(50) NOT NULL)');
    const drift = await a2gen('diff', '--url', url, '--project', dir);
    t.equal(drift.code, 2);
    t.match(drift.stdout, 'keyless: schema primary key (none), database (a)');
    t.match(drift.stdout, 'card_names: the schema describes a view, the database has a table');
  });
});
