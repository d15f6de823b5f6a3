/**
 * Foreign keys from end to end, on a database that is not A2Billing: an
 * InnoDB schema with a single-column and a composite FOREIGN KEY is
 * introspected (`--tables all`, which also skips a table with a column a2gen
 * cannot map, and says so), built, and served on MariaDB and, from the same
 * generated code, on the embedded SQLite. A write pointing nowhere and the
 * delete of a referenced row are 409s naming the column and the tables, in
 * the API and in the admin panel, and nothing is written or deleted.
 */
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import mysql from 'mysql2/promise';
import t from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { adminClient } from '../admin/admin-service.js';
import { BACKENDS, MYSQL_SERVER, PROJECT_ROOT } from '../helpers/backends.js';
import { createScratchProject } from '../helpers/scratch-project.js';
import { basicAuth } from '../helpers/service.js';

const SCHEMA = `
CREATE TABLE region (
  id int NOT NULL AUTO_INCREMENT,
  country char(2) NOT NULL,
  code int NOT NULL,
  name varchar(40) NOT NULL,
  PRIMARY KEY (id),
  UNIQUE KEY region_country_code (country, code)
) ENGINE=InnoDB;
CREATE TABLE shop (
  id int NOT NULL AUTO_INCREMENT,
  region_id int NOT NULL,
  country char(2) NULL,
  region_code int NULL,
  name varchar(40) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT shop_region FOREIGN KEY (region_id) REFERENCES region (id),
  CONSTRAINT shop_region_code FOREIGN KEY (country, region_code) REFERENCES region (country, code)
) ENGINE=InnoDB;
-- MariaDB's own INET6 type: a column a2gen maps to nothing, so the table is skipped.
CREATE TABLE device (
  id int NOT NULL AUTO_INCREMENT,
  address inet6 NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB;`;

const run = promisify(execFile);

const ADMIN = { username: 'fkadmin', password: 'fk admin password' };

interface Served {
  base: string;
  auth: string;
  /** Raw SQL on the same database. */
  count(table: string, where?: string): Promise<number>;
  admin: { username: string; password: string };
}

/** `maxAffected`: a bulk PATCH or DELETE's `Prefer: max-affected`. */
async function request(served: Served, method: string, url: string, body?: unknown, maxAffected?: number) {
  const response = await fetch(served.base + url, {
    method,
    headers: {
      authorization: served.auth,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(maxAffected === undefined ? {} : { prefer: `max-affected=${maxAffected}` }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as any };
}

t.test('foreign keys: introspected, declared, and refused writes are 409s', async (t) => {
  const name = `a2gen_test_${randomBytes(6).toString('hex')}`;
  const server = await mysql.createConnection({ uri: MYSQL_SERVER, multipleStatements: true });
  await server.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  t.teardown(async () => {
    await server.query(`DROP DATABASE IF EXISTS ${name}`);
    await server.end();
  });
  await server.query(`USE ${name}; ${SCHEMA}`);
  const url = `${MYSQL_SERVER}/${name}`;

  const project = createScratchProject(t);
  const introspected = await project.a2gen(['introspect', '--url', url, '--tables', 'all']);

  await t.test('introspect --tables all writes the others and names the table it skipped', async (t) => {
    t.equal(introspected.code, 3, 'exit status 3: a table was skipped');
    t.match(introspected.stdout, 'wrote schema/region.json');
    t.match(introspected.stdout, 'wrote schema/shop.json');
    t.match(
      introspected.stderr,
      /^skipped device: column address has type inet6, which a2gen cannot map$/m,
      'one line naming table, column and type',
    );
    t.match(introspected.stdout, 'introspected 3 tables: written 2, up to date 0, skipped 1');
    t.notMatch(introspected.stderr, /at .*\.js:\d+/, 'no stack trace');
    const shop = JSON.parse(readFileSync(path.join(project.dir, 'schema/shop.json'), 'utf8'));
    t.same(shop['x-a2gen'].foreignKeys, [
      {
        name: 'shop_region',
        columns: ['region_id'],
        references: { table: 'region', columns: ['id'] },
        onDelete: 'RESTRICT',
        onUpdate: 'RESTRICT',
      },
      {
        name: 'shop_region_code',
        columns: ['country', 'region_code'],
        references: { table: 'region', columns: ['country', 'code'] },
        onDelete: 'RESTRICT',
        onUpdate: 'RESTRICT',
      },
    ]);
    t.same(
      shop.properties.region_id['x-references'],
      { resource: 'region', label: 'country' },
      "a single-column key to region's primary key: its first NOT NULL char column names the rows",
    );
    t.equal(shop.properties.region_code['x-references'], undefined, 'a composite key stays data only');
    const again = await project.a2gen(['introspect', '--url', url, '--tables', 'region,shop']);
    t.equal(again.code, 0, 'nothing skipped: exit 0');
    t.match(again.stdout, 'introspected 2 tables: written 0, up to date 2, skipped 0');
  });

  await t.test('init --tables all: the same tables, the same skip, and .env', async (t) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-init-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const cli = path.join(PROJECT_ROOT, 'dist/bin/a2gen.js');
    const init = await run(process.execPath, [cli, 'init', '--url', url, '--tables', 'all', '--project', dir]).then(
      (done) => ({ code: 0, ...done }),
      (failed: { code: number; stdout: string; stderr: string }) => failed,
    );
    t.equal(init.code, 3);
    t.match(init.stderr, 'skipped device: column address has type inet6');
    t.same(readdirSync(path.join(dir, 'schema')).sort(), ['region.json', 'shop.json']);
    t.match(readFileSync(path.join(dir, '.env'), 'utf8'), `A2B_DATABASE_URL=${url}`);
  });

  await project.build();
  const sqliteDdl = readFileSync(path.join(project.dir, 'generated/ddl/sqlite.sql'), 'utf8');
  t.match(
    sqliteDdl,
    'CONSTRAINT shop_region FOREIGN KEY (region_id) REFERENCES region (id)',
    'the SQLite DDL declares the constraint',
  );

  for (const backend of BACKENDS) {
    await t.test(backend, async (t) => exercise(t, await serve(t, project, backend, url, name)));
  }

  await t.test("--tables all leaves a2gen's own tables out: its users' password hashes are never served", async (t) => {
    const again = await project.a2gen(['introspect', '--url', url, '--tables', 'all']);
    t.match(again.stdout, /^left out user: a2gen's own table$/m, 'the service has created its user table by now');
    t.match(again.stdout, /^left out a2gen_audit: a2gen's own table$/m);
    t.match(again.stdout, /introspected 3 tables: written 0, up to date 2, skipped 1; left out \d+ of a2gen's own/);
    t.equal(again.code, 3, 'only the skipped table counts');
    t.notOk(existsSync(path.join(project.dir, 'schema/user.json')));
    const named = await project.a2gen(['introspect', '--url', url, '--table', 'user']);
    t.equal(named.code, 3);
    t.match(named.stderr, "skipped user: a2gen's own table");
  });
});

/** The subtest object tap passes to a callback. */
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** Starts the scratch project's service on one database: MariaDB (the tables exist) or a fresh SQLite. */
async function serve(
  t: Test,
  project: ReturnType<typeof createScratchProject>,
  backend: string,
  url: string,
  database: string,
): Promise<Served> {
  const ready = /a2gen serving (http:\/\/127\.0\.0\.1:\d+)\/api\//;
  if (backend === 'mysql') {
    const service = await project.start({ ready, env: { A2B_DATABASE_URL: url } });
    const db = openMysql(url);
    t.teardown(() => db.close());
    const users = new UserStore(db);
    await users.ensureTable();
    await users.createOrResetAdmin(ADMIN);
    const raw = await mysql.createConnection({ uri: url });
    t.teardown(() => raw.end());
    return {
      base: ready.exec(service.output())![1]!,
      auth: basicAuth(ADMIN.username, ADMIN.password),
      admin: ADMIN,
      async count(table, where = '1 = 1') {
        const [rows] = await raw.query(`SELECT COUNT(*) AS n FROM ${database}.${table} WHERE ${where}`);
        return Number((rows as { n: number }[])[0]!.n);
      },
    };
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-fk-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  // The first start on SQLite prints the first user's password, before it serves.
  const service = await project.start({ ready, env: { A2B_DATA_DIR: dataDir } });
  const output = service.output();
  const admin = { username: 'admin', password: /admin password: (\S+)/.exec(output)![1]! };
  const file = new Database(path.join(dataDir, 'a2billing.sqlite'), { readonly: true });
  t.teardown(() => file.close());
  return {
    base: ready.exec(output)![1]!,
    auth: basicAuth(admin.username, admin.password),
    admin,
    async count(table, where = '1 = 1') {
      return Number((file.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`).get() as { n: number }).n);
    },
  };
}

async function exercise(t: Test, served: Served): Promise<void> {
  const created = await request(served, 'POST', '/api/region/', { country: 'FR', code: 75, name: 'Paris' });
  t.equal(created.status, 200, 'a region');
  const region = created.json.id as number;
  const spare = (await request(served, 'POST', '/api/region/', { country: 'DE', code: 10, name: 'Berlin' })).json
    .id as number;
  const shop = await request(served, 'POST', '/api/shop/', {
    region_id: region,
    country: 'FR',
    region_code: 75,
    name: 'Rive gauche',
  });
  t.equal(shop.status, 200, 'a shop in it, through both keys');
  const shopId = shop.json.id as number;
  const missingRegion = region + spare + 1000;

  await t.test('the introspected reference gives a join filter', async (t) => {
    const found = await request(served, 'GET', '/api/shop/?region_id__name=Paris');
    t.equal(found.status, 200);
    t.same(
      found.json.objects.map((row: { id: number }) => row.id),
      [shopId],
      'shops by the name of their region',
    );
    const none = await request(served, 'GET', '/api/shop/?region_id__name=Berlin');
    t.same(none.json.objects, []);
  });

  await t.test('a create pointing nowhere: 409 naming the column and the referenced table', async (t) => {
    const answer = await request(served, 'POST', '/api/shop/', { region_id: missingRegion, name: 'Nowhere' });
    t.equal(answer.status, 409);
    t.equal(answer.json.code, 'reference_not_found');
    t.match(answer.json.error, /region_id refers to no row of region/);
    t.same(answer.json.fields, [{ field: 'region_id', message: 'refers to no row of region' }]);
    t.equal(await served.count('shop', "name = 'Nowhere'"), 0, 'nothing was written');
  });

  await t.test('a composite key pointing nowhere names both its columns', async (t) => {
    const answer = await request(served, 'POST', '/api/shop/', {
      region_id: region,
      country: 'FR',
      region_code: 99,
      name: 'Nowhere either',
    });
    t.equal(answer.status, 409);
    t.match(answer.json.error, /country, region_code refer to no row of region/);
    t.same(
      answer.json.fields.map((field: { field: string }) => field.field),
      ['country', 'region_code'],
    );
    t.equal(await served.count('shop', "name = 'Nowhere either'"), 0, 'nothing was written');
  });

  await t.test('an update pointing nowhere: 409, and the row keeps its value', async (t) => {
    const answer = await request(served, 'PATCH', `/api/shop/${shopId}/`, { region_id: missingRegion });
    t.equal(answer.status, 409);
    t.equal(answer.json.code, 'reference_not_found');
    t.match(answer.json.error, /region_id refers to no row of region/);
    t.equal(await served.count('shop', `id = ${shopId} AND region_id = ${region}`), 1, 'unchanged');
    const moved = await request(served, 'PATCH', `/api/shop/${shopId}/`, { region_id: spare });
    t.equal(moved.status, 200, 'pointing at a row that exists is fine');
    await request(served, 'PATCH', `/api/shop/${shopId}/`, { region_id: region });
  });

  await t.test('deleting a referenced row: 409 naming the referencing table, and the row stays', async (t) => {
    const answer = await request(served, 'DELETE', `/api/region/${region}/`);
    t.equal(answer.status, 409);
    t.equal(answer.json.code, 'still_referenced');
    t.match(answer.json.error, new RegExp(`region ${region} is referenced by rows of shop`));
    t.equal(await served.count('region', `id = ${region}`), 1, 'the row stays');
    const unreferenced = await request(served, 'DELETE', `/api/region/${spare}/`);
    t.equal(unreferenced.status, 200, 'a row nothing refers to is deleted');
  });

  await t.test('re-keying a referenced row: 409 naming the referencing table, and the row keeps its key', async (t) => {
    const answer = await request(served, 'PATCH', `/api/region/${region}/`, { code: 76 });
    t.equal(answer.status, 409);
    t.equal(answer.json.code, 'still_referenced');
    t.match(answer.json.error, new RegExp(`region ${region} is referenced by rows of shop: nothing was written`));
    t.equal(await served.count('region', `id = ${region} AND code = 75`), 1, 'unchanged');
    const renamed = await request(served, 'PATCH', `/api/region/${region}/`, { name: 'Paris centre' });
    t.equal(renamed.status, 200, 'a column no key refers to is still written');
  });

  await t.test('bulk writes: the same 409s, naming the row of a bulk create; nothing written', async (t) => {
    const rows = [
      { region_id: region, name: 'Bulk one' },
      { region_id: missingRegion, name: 'Bulk two' },
    ];
    const created = await request(served, 'POST', '/api/shop/', rows);
    t.equal(created.status, 409);
    t.equal(created.json.code, 'reference_not_found');
    t.same(created.json.fields, [{ field: '[1].region_id', message: 'refers to no row of region' }]);
    t.equal(await served.count('shop', "name LIKE 'Bulk%'"), 0, 'neither row was written');
    const moved = await request(served, 'PATCH', `/api/shop/?id=${shopId}`, { region_id: missingRegion }, 10);
    t.equal(moved.status, 409);
    t.match(moved.json.error, /region_id refers to no row of region/);
    const removed = await request(served, 'DELETE', `/api/region/?country=FR`, undefined, 10);
    t.equal(removed.status, 409);
    t.equal(removed.json.code, 'still_referenced');
    t.match(removed.json.error, /region rows are referenced by rows of shop: nothing was deleted/);
    t.equal(await served.count('region', `id = ${region}`), 1, 'the row stays');
  });

  await t.test('the admin panel shows the same refusals on its pages', async (t) => {
    const admin = adminClient(served.base);
    t.equal((await admin.login(served.admin.username, served.admin.password)).status, 303, 'signed in');
    await admin.get('/admin/shop/add/');
    const add = await admin.post('/admin/shop/add/', { region_id: String(missingRegion), name: 'Admin nowhere' });
    t.equal(add.status, 409, 'the add form again, not an error page');
    t.match(add.text, 'Refers to no row of region');
    t.equal(await served.count('shop', "name = 'Admin nowhere'"), 0, 'nothing was written');
    const form = await admin.get(`/admin/shop/${shopId}/`);
    t.match(form.text, /class="reference-label"[^>]*>FR</, "the edit form shows the referenced region's label");
    t.match(form.text, 'data-lookup=', 'and offers the picker');
    const edit = await admin.post(`/admin/shop/${shopId}/`, { region_id: String(missingRegion) });
    t.equal(edit.status, 409, 'the edit form again, not an error page');
    t.match(edit.text, 'Refers to no row of region');
    t.equal(await served.count('shop', `id = ${shopId} AND region_id = ${region}`), 1, 'the shop is unchanged');
    await admin.get(`/admin/region/delete/?id=${region}`);
    const removed = await admin.post('/admin/region/delete/', { id: String(region) });
    t.equal(removed.status, 303, 'back to the list');
    const list = await admin.get(removed.location!);
    t.match(list.text, new RegExp(`Region ${region} is referenced by rows of shop: nothing was deleted`));
    t.equal(await served.count('region', `id = ${region}`), 1, 'the row stays');
  });
}
