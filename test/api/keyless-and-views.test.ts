/**
 * Tables without a primary key, and views, introspected from MariaDB into a
 * scratch project, built and served on both databases: a table with a NOT
 * NULL unique key is served by it like by a primary key; a table without
 * one (A2Billing's cc_version) and a view are listed only, and every write
 * is refused with a 405 or 404 that says why.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import t, { type Test } from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import mysql from 'mysql2/promise';
import { createMysqlDatabase, MYSQL_SERVER } from '../helpers/backends.js';
import { createScratchProject, type ScratchProject } from '../helpers/scratch-project.js';
import { basicAuth } from '../helpers/service.js';

interface Login {
  baseUrl: string;
  username: string;
  password: string;
}

const TABLES = [
  // Two unique keys: the first whose columns are all NOT NULL addresses the rows.
  `CREATE TABLE gadget (
     serial varchar(10) NULL, code varchar(8) NOT NULL, label varchar(40) NOT NULL,
     UNIQUE KEY by_serial (serial), UNIQUE KEY by_code (code)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8 COLLATE=utf8_bin`,
  // As A2Billing v2.0.8 has it (../shared/a2billing/a2billing-v2.0.8-install.sql): no key at all.
  'CREATE TABLE cc_version (`version` varchar(30) COLLATE utf8_bin NOT NULL) ENGINE=MyISAM DEFAULT CHARSET=utf8 COLLATE=utf8_bin',
  "INSERT INTO cc_version VALUES ('2.0.8')",
  'CREATE VIEW gadget_label AS SELECT code, label FROM gadget',
  "CREATE VIEW gadget_named AS SELECT code, label FROM gadget WHERE label <> ''",
];

interface Answer {
  status: number;
  headers: Headers;
  json: any;
}

type Api = (
  url: string,
  init?: { method?: string; body?: unknown; headers?: Record<string, string> },
) => Promise<Answer>;

function client({ baseUrl, username, password }: Login): Api {
  return async (url, init = {}) => {
    const response = await fetch(new URL(url, baseUrl), {
      method: init.method ?? 'GET',
      headers: {
        authorization: basicAuth(username, password),
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...init.headers,
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
}

/** Signs in to the admin panel as a browser would and answers the HTML of one page. */
async function adminPage(
  { baseUrl, username, password }: Login,
  page: string,
): Promise<{ status: number; text: string }> {
  const login = await fetch(new URL('/admin/login', baseUrl));
  let cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1]!;
  const signedIn = await fetch(new URL('/admin/login', baseUrl), {
    method: 'POST',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, username, password }).toString(),
    redirect: 'manual',
  });
  cookie = signedIn.headers.get('set-cookie')?.split(';')[0] ?? cookie;
  const response = await fetch(new URL(page, baseUrl), { headers: { cookie }, redirect: 'manual' });
  return { status: response.status, text: await response.text() };
}

/** `versions`: how many rows cc_version holds, read past the service where the test can. */
async function servedChecks(t: Test, login: Login, versions: () => Promise<number>): Promise<void> {
  const api = client(login);
  const admin = (page: string) => adminPage(login, page);
  const ready = await api('/health/ready');
  t.match(ready.json, { status: 'ok' }, 'the readiness check accepts the views and the keyless tables');
  await t.test('a NOT NULL unique key serves the rows like a primary key', async (t) => {
    const created: Answer = await api('/api/gadget/', { method: 'POST', body: { code: 'g1', label: 'First' } });
    t.equal(created.status, 200, 'created');
    t.strictSame(created.json, { serial: null, code: 'g1', label: 'First' });
    const read = await api('/api/gadget/g1/');
    t.equal(read.status, 200, 'read by its code');
    const etag = read.headers.get('etag')!;
    t.ok(etag, 'with an ETag');
    const updated = await api('/api/gadget/g1/', {
      method: 'PATCH',
      body: { label: 'Second' },
      headers: { 'if-match': etag },
    });
    t.equal(updated.status, 200, 'updated under If-Match');
    t.equal(updated.json.label, 'Second');
    const stale = await api('/api/gadget/g1/', {
      method: 'PATCH',
      body: { label: 'Third' },
      headers: { 'if-match': etag },
    });
    t.equal(stale.status, 412, 'a stale ETag is refused');
    const keyChange = await api('/api/gadget/g1/', { method: 'PATCH', body: { code: 'g9' } });
    t.equal(keyChange.status, 400, 'the key is never updated');
    t.match(keyChange.json.error, 'code');
    const missingKey = await api('/api/gadget/', { method: 'POST', body: { label: 'No code' } });
    t.equal(missingKey.status, 400, 'a create must choose the key');
    t.match(missingKey.json.error, 'code');
    const audit = await api('/api/audit/?resource=gadget&ordering=id');
    t.strictSame(
      audit.json.objects.map((row: { action: string; row_key: string }) => [row.action, row.row_key]),
      [
        ['create', 'g1'],
        ['update', 'g1'],
      ],
      'the audit trail names the row by its unique key',
    );
    t.strictSame((await api('/api/gadget/g1/', { method: 'DELETE' })).json, { deleted: 1 }, 'deleted');
    t.equal((await api('/api/gadget/g1/')).status, 404, 'gone');
    t.equal((await api('/api/gadget/', { method: 'POST', body: { code: 'g2', label: 'Two' } })).status, 200);
    const page = await admin('/admin/gadget/');
    t.equal(page.status, 200);
    t.match(page.text, 'href="/admin/gadget/g2/"', 'the admin links each row by its key');
    t.equal((await admin('/admin/gadget/g2/')).status, 200, 'and edits it there');
  });

  await t.test('a table without any key is listed only', async (t) => {
    const list = await api('/api/version/');
    t.equal(list.status, 200);
    t.strictSame(list.json.objects, [{ version: '2.0.8' }]);
    t.equal((await api('/api/version/?ordering=-version&fields=version')).status, 200, 'ordered, some fields');
    const after = await api('/api/version/?after=1');
    t.equal(after.status, 400, 'no keyset paging without a key');
    t.match(after.json.fields, [{ field: 'after', message: /no key/ }]);
    const create = await api('/api/version/', { method: 'POST', body: { version: '3.0' } });
    t.equal(create.status, 405, 'a create is not allowed');
    t.equal(create.headers.get('allow'), 'GET, HEAD');
    t.match(create.json, { code: 'method_not_allowed', error: /version has no key .*read-only/ });
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE', 'POST']) {
      const row = await api('/api/version/2.0.8/', {
        method,
        body: method === 'GET' || method === 'DELETE' ? undefined : {},
      });
      t.equal(row.status, 404, `${method} of a row URL: 404`);
      t.match(row.json, { code: 'not_found', error: /no URL of their own; list them at \/api\/version\// });
    }
    t.equal((await api('/api/version/2.0.8/delete/', { method: 'POST' })).status, 404, 'no delete alias');
    t.equal(await versions(), 1, 'nothing was written');
    const page = await admin('/admin/version/');
    t.equal(page.status, 200, 'the admin lists it');
    t.match(page.text, '2.0.8');
    t.notMatch(page.text, 'href="/admin/version/2.0.8/"', 'with no row links');
    t.notMatch(page.text, '/admin/version/add/', 'and no add button');
    t.notMatch(page.text, 'name="id"', 'nor checkboxes for a bulk delete');
    t.equal((await admin('/admin/version/2.0.8/')).status, 404, 'rows have no admin page');
  });

  await t.test('a view is read-only', async (t) => {
    const list = await api('/api/gadgetlabel/');
    t.equal(list.status, 200);
    t.strictSame(list.json.objects, [{ code: 'g2', label: 'Two' }], 'its rows come from the table');
    const create = await api('/api/gadgetlabel/', { method: 'POST', body: { code: 'x', label: 'y' } });
    t.equal(create.status, 405);
    t.match(create.json.error, 'gadgetlabel is a view');
    t.equal((await api('/api/gadgetlabel/g2/')).status, 404, 'no key declared: no row URL');
  });

  await t.test('a view with a key declared by hand is read by it too', async (t) => {
    const row = await api('/api/gadgetnamed/g2/');
    t.equal(row.status, 200);
    t.strictSame(row.json, { code: 'g2', label: 'Two' });
    t.ok(row.headers.get('etag'), 'with an ETag');
    t.equal((await api('/api/gadgetnamed/g9/')).status, 404, 'a key it does not have');
    const update = await api('/api/gadgetnamed/g2/', { method: 'PATCH', body: { label: 'x' } });
    t.equal(update.status, 405, 'never written');
    t.match(update.json.error, 'gadgetnamed is a view');
    t.match((await admin('/admin/gadgetnamed/')).text, 'href="/admin/gadgetnamed/g2/"', 'the admin links its rows');
    const page = await admin('/admin/gadgetnamed/g2/');
    t.equal(page.status, 200, 'to a read-only page');
    t.match(page.text, 'Read-only');
  });
}

/** Introspects the three tables from MariaDB and gives the view a definition for the embedded database. */
async function introspect(t: Test, project: ScratchProject, url: string): Promise<void> {
  const said: string[] = [];
  for (const table of ['gadget', 'cc_version', 'gadget_label', 'gadget_named']) {
    const result = await project.a2gen(['introspect', '--url', url, '--table', table]);
    t.equal(result.code, 0, `${table} introspected`, { stderr: result.stderr });
    said.push(result.stdout);
  }
  t.match(said[0], 'rows are addressed by the unique key by_code (code)');
  t.match(said[1], 'no primary key and no NOT NULL unique key: read-only, list only');
  t.match(said[2], 'a view: read-only');
  const schema = (table: string) => path.join(project.dir, 'schema', `${table}.json`);
  const version = JSON.parse(readFileSync(schema('cc_version'), 'utf8'));
  t.notOk('primaryKey' in version['x-a2gen'], 'no primary key written');
  // The embedded database starts with A2Billing's version row, as MySQL has it.
  version['x-a2gen'].seed = [{ version: '2.0.8' }];
  writeFileSync(schema('cc_version'), `${JSON.stringify(version, null, 2)}\n`);
  const view = JSON.parse(readFileSync(schema('gadget_label'), 'utf8'));
  t.match(view['x-a2gen'], { table: 'gadget_label', view: true }, 'marked as a view');
  t.notOk(view['x-a2gen'].engine ?? view['x-a2gen'].indexes ?? view['x-a2gen'].primaryKey, 'no engine, indexes, key');
  view['x-a2gen'].definition = 'SELECT code, label FROM gadget';
  writeFileSync(schema('gadget_label'), `${JSON.stringify(view, null, 2)}\n`);
  const named = JSON.parse(readFileSync(schema('gadget_named'), 'utf8'));
  named['x-a2gen'].primaryKey = ['code'];
  named['x-a2gen'].definition = "SELECT code, label FROM gadget WHERE label <> ''";
  writeFileSync(schema('gadget_named'), `${JSON.stringify(named, null, 2)}\n`);
  const again = await project.a2gen(['introspect', '--url', url, '--table', 'gadget_named']);
  t.equal(again.code, 0, 'introspected again');
  t.match(
    JSON.parse(readFileSync(schema('gadget_named'), 'utf8'))['x-a2gen'],
    { primaryKey: ['code'], view: true, definition: named['x-a2gen'].definition },
    "the view's declared key and definition survive introspection",
  );
}

t.test('keyless tables and views', async (t) => {
  const database = await createMysqlDatabase();
  t.teardown(() => database.drop());
  for (const statement of TABLES) await database.admin.query(statement);
  const project = createScratchProject(t);
  await introspect(t, project, database.url);
  await project.build();

  const diff = await project.a2gen(['diff', '--url', database.url]);
  t.equal(diff.code, 0, 'a2gen diff: the introspected files agree with the database', { output: diff.stdout });
  const ddl = readFileSync(path.join(project.dir, 'generated/ddl/mysql.sql'), 'utf8');
  t.notMatch(ddl, /CREATE TABLE IF NOT EXISTS `?gadget_label/, 'the MySQL DDL creates no table for the view');
  await t.test('the generated MySQL DDL creates the tables, then the views it has definitions of', async (t) => {
    const connection = await mysql.createConnection({ uri: MYSQL_SERVER, multipleStatements: true });
    const name = `${database.url.split('/').pop()}_ddl`;
    t.teardown(async () => {
      await connection.query(`DROP DATABASE IF EXISTS ${name}`);
      await connection.end();
    });
    await connection.query(`CREATE DATABASE ${name}; USE ${name}`);
    await connection.query(ddl);
    const [rows] = await connection.query(
      'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1',
      [name],
    );
    t.strictSame(
      (rows as { name: string; type: string }[]).map((row) => [row.name, row.type]),
      [
        ['a2gen_audit', 'BASE TABLE'],
        ['cc_version', 'BASE TABLE'],
        ['gadget', 'BASE TABLE'],
        ['gadget_label', 'VIEW'],
        ['gadget_named', 'VIEW'],
      ],
    );
    const [keys] = await connection.query(`SHOW INDEX FROM ${name}.cc_version`);
    t.strictSame(keys, [], 'cc_version is created without a key');
  });
  const openapi = JSON.parse(readFileSync(path.join(project.dir, 'generated/openapi.json'), 'utf8'));
  t.ok(openapi.paths['/api/version/'].get, 'OpenAPI: the list of a keyless table');
  t.notOk(openapi.paths['/api/version/'].post, 'and no create');
  t.notOk(openapi.paths['/api/version/{id}/'], 'and no row path');
  t.ok(openapi.paths['/api/gadget/{id}/'].patch, 'a table with a unique key has its row path');
  const validator = new Validator();
  const validated = await validator.validate(structuredClone(openapi));
  t.ok(validated.valid, 'the OpenAPI document is valid', { errors: validated.errors });

  await t.test('on MariaDB', async (t) => {
    const username = 'keyless-admin';
    const password = 'keyless-password-1';
    const db = openMysql(database.url);
    try {
      const users = new UserStore(db);
      await users.ensureTable();
      await users.createOrResetAdmin({ username, password });
    } finally {
      await db.close();
    }
    const service = await project.start({
      ready: /a2gen serving (http:\S+)/,
      env: { A2B_DATABASE_URL: database.url },
    });
    const login = { baseUrl: /a2gen serving (http:\/\/[^/]+)/.exec(service.output())![1]!, username, password };
    await servedChecks(t, login, async () => {
      const [rows] = await database.admin.query('SELECT COUNT(*) AS n FROM cc_version');
      return Number((rows as { n: number }[])[0]!.n);
    });
  });

  await t.test('on the embedded SQLite', async (t) => {
    const dataDir = path.join(project.dir, 'data');
    const service = await project.start({
      ready: /admin password: (\S+)[\s\S]*a2gen serving http:|a2gen serving http:[\s\S]*admin password: (\S+)/,
      env: { A2B_DATA_DIR: dataDir },
    });
    const output = service.output();
    const login = {
      baseUrl: /a2gen serving (http:\/\/[^/]+)/.exec(output)![1]!,
      username: 'admin',
      password: /admin password: (\S+)/.exec(output)![1]!,
    };
    // The embedded database is only reachable through the service: count what its list shows.
    await servedChecks(t, login, async () => (await client(login)('/api/version/')).json.objects.length);
  });
});
