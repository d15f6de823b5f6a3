/**
 * Every MySQL/MariaDB column type, end to end, as a user meets it: a table
 * with one column of each type in a MariaDB database, `a2gen introspect`ed
 * into a scratch project and built, then served once on that database and
 * once on the embedded SQLite from the same generated code. Each type is
 * created, read, filtered and updated over HTTP; its out-of-range and
 * wrong-shape values are a 400 naming the field, and write nothing.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import t, { type Test } from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { MYSQL_SERVER } from '../helpers/backends.js';
import { createScratchProject } from '../helpers/scratch-project.js';
import { basicAuth } from '../helpers/service.js';

const TABLE = `
CREATE TABLE every_type (
  id int unsigned NOT NULL AUTO_INCREMENT,
  t_tiny tinyint NULL,
  t_utiny tinyint unsigned NULL,
  t_ubig bigint unsigned NULL,
  t_bit bit(10) NULL,
  t_bool bool NULL,
  t_dec decimal(8,3) NULL,
  t_float float(7,2) NULL,
  t_double double NULL,
  t_varchar varchar(20) NULL,
  t_text text NULL,
  t_binary binary(4) NULL,
  t_varbinary varbinary(8) NULL,
  t_blob blob NULL,
  t_enum enum('red','green','blue') NULL,
  t_set set('a','b','c') NULL,
  t_date date NULL,
  t_time time(3) NULL,
  t_datetime datetime(6) NULL,
  t_timestamp timestamp(3) NULL DEFAULT NULL,
  t_year year NULL,
  t_json json NULL,
  t_point point NULL,
  t_geometry geometry NULL,
  t_polygon polygon NULL,
  t_virtual int AS (t_tiny + 1) VIRTUAL COMMENT 'one more than t_tiny',
  t_stored int AS (t_tiny * 2) STORED,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`;

/** A key of bytes (as UUIDs are often kept): base64 in URLs, percent-encoded. */
const BINARY_KEY_TABLE = `
CREATE TABLE binary_key (
  id binary(4) NOT NULL,
  note varchar(10) NOT NULL DEFAULT '',
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`;

/** A row with every column set, as it is sent. */
const FULL = {
  t_tiny: -128,
  t_utiny: 255,
  t_ubig: '9223372036854775807',
  t_bit: 1023,
  t_bool: 1,
  t_dec: 12345.678,
  t_float: 12345.67,
  t_double: 1.5e300,
  t_varchar: 'héllo',
  t_text: 'long text',
  t_binary: Buffer.from([1, 2]).toString('base64'),
  t_varbinary: Buffer.from([0, 1, 2, 255]).toString('base64'),
  t_blob: Buffer.from('hello\u0000bytes').toString('base64'),
  t_enum: 'green',
  t_set: ['c', 'a'],
  t_date: '2024-02-29',
  t_time: '-837:05:06.5',
  t_datetime: '2024-01-02 03:04:05.123456',
  t_timestamp: '2038-01-19 03:14:07.999',
  t_year: 2155,
  t_json: { a: [1, true, null], b: 'x', c: { d: 1.5 } },
  t_point: 'POINT(1 2)',
  t_geometry: 'linestring( 0 0 , 1.5 2 )',
  t_polygon: 'POLYGON((0 0,4 0,4 4,0 0))',
};

/** The same row as the API returns it: normalised, with its key and generated columns. */
const FULL_READ = {
  ...FULL,
  t_binary: Buffer.from([1, 2, 0, 0]).toString('base64'),
  t_set: ['a', 'c'],
  t_time: '-837:05:06.5',
  t_geometry: 'LINESTRING(0 0,1.5 2)',
  t_virtual: -127,
  t_stored: -256,
};

/** Values each column refuses, with a word of the message that must name the problem. */
const BAD: [string, unknown, RegExp][] = [
  ['t_tiny', 128, /between -128 and 127/],
  ['t_utiny', -1, /between 0 and 255/],
  ['t_ubig', '18446744073709551616', /between 0 and 18446744073709551615/],
  ['t_bit', 1024, /between 0 and 1023/],
  ['t_dec', 123456.7, /out of range/],
  ['t_float', 100000, /less than 100000/],
  ['t_double', 'abc', /number/],
  ['t_varchar', 'x'.repeat(21), /at most 20/],
  ['t_binary', Buffer.alloc(5).toString('base64'), /5 bytes long; at most 4/],
  ['t_varbinary', 'not base64!', /base64/],
  ['t_blob', 12, /base64/],
  ['t_enum', 'purple', /one of/],
  ['t_set', ['a', 'a'], /twice/],
  ['t_set', ['d'], /not a word/],
  ['t_set', 'a,b', /array/],
  ['t_date', '2023-02-29', /not a valid date/],
  ['t_time', '839:00:00', /out of range/],
  ['t_time', '10:00:00.1234', /3 digits/],
  ['t_time', '10:61:00', /59/],
  ['t_datetime', '2024-01-02 03:04:05.1234567', /date and time/],
  ['t_timestamp', '2038-01-19 03:14:08', /TIMESTAMP range/],
  ['t_year', 1900, /between 1901 and 2155/],
  ['t_year', 69, /between 1901 and 2155/],
  ['t_point', 'LINESTRING(0 0,1 1)', /must be a POINT/],
  ['t_point', 'POINT(1)', /WKT/],
  ['t_polygon', 'POLYGON((0 0,1 0,1 1))', /at least 4 points/],
  ['t_geometry', 'POINT EMPTY', /WKT/],
  ['t_virtual', 1, /read-only/],
];

interface Answer {
  status: number;
  etag: string | null;
  body: any;
}

function client(base: string, auth: string) {
  return async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: {
        authorization: auth,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, etag: response.headers.get('etag'), body: text ? JSON.parse(text) : undefined };
  };
}

t.test('every column type, introspected from MariaDB, served on MariaDB and on SQLite', async (t) => {
  const name = `a2gen_types_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MYSQL_SERVER });
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  await admin.query(`USE ${name}`);
  await admin.query(TABLE);
  await admin.query(BINARY_KEY_TABLE);
  const url = `${MYSQL_SERVER}/${name}`;

  const project = createScratchProject(t);
  for (const table of ['every_type', 'binary_key']) {
    const introspected = await project.a2gen(['introspect', '--table', table, '--url', url]);
    t.equal(introspected.code, 0, introspected.stderr);
  }
  const schema = JSON.parse(readFileSync(path.join(project.dir, 'schema/every_type.json'), 'utf8'));
  const properties = schema.properties;
  t.match(properties.t_virtual, {
    description: 'one more than t_tiny',
    'x-sql': { type: 'int(11)', generated: 'virtual', expression: '`t_tiny` + 1' },
  });
  t.match(properties.t_stored['x-sql'], { generated: 'stored' });
  t.same(properties.t_json.type, ['array', 'boolean', 'number', 'object', 'string', 'null'], 'MariaDB JSON is JSON');
  t.equal(properties.t_json['x-sql'].type, 'json');
  t.equal(properties.t_enum['x-sql'].type, "enum('red','green','blue')");
  t.same(properties.t_set.type, ['array', 'null']);
  await project.build();

  const backends: { name: string; env: Record<string, string> }[] = [
    { name: 'mariadb', env: { A2B_DATABASE_URL: url } },
    { name: 'sqlite', env: { A2B_DATA_DIR: path.join(project.dir, 'data') } },
  ];
  for (const backend of backends) {
    await t.test(backend.name, async (t) => {
      let password = 'types-test-password';
      if (backend.name === 'mariadb') {
        const db = openMysql(url);
        const users = new UserStore(db);
        await users.ensureTable();
        await users.createOrResetAdmin({ username: 'admin', password });
        await db.close();
      }
      const service = await project.start({ env: backend.env, ready: /serving http:\/\/127\.0\.0\.1:\d+/ });
      const output = service.output();
      if (backend.name === 'sqlite') password = /admin password: (\S+)/.exec(output)![1]!;
      const port = /serving http:\/\/127\.0\.0\.1:(\d+)/.exec(output)![1];
      const call = client(`http://127.0.0.1:${port}`, basicAuth('admin', password));
      await exercise(t, call);
      await exerciseAdmin(t, `http://127.0.0.1:${port}`, password, call);
      await exerciseBinaryKey(t, call);
      // BIGINT UNSIGNED's top half: MariaDB holds it; SQLite's integers stop at 2^63 - 1, and it says so.
      const top = await call('POST', '/api/everytype/', { t_ubig: '18446744073709551615' });
      if (backend.name === 'mariadb') t.match(top, { status: 200, body: { t_ubig: '18446744073709551615' } });
      else t.match(top, { status: 400, body: { fields: [{ field: 't_ubig' }] } });
    });
  }
});

async function exercise(t: Test, call: ReturnType<typeof client>): Promise<void> {
  const created = await call('POST', '/api/everytype/', FULL);
  t.equal(created.status, 200, JSON.stringify(created.body));
  const id = created.body.id as number;
  t.same(created.body, { id, ...FULL_READ }, 'a create answers the row as stored');
  const read = await call('GET', `/api/everytype/${id}/`);
  t.same(read.body, { id, ...FULL_READ }, 'read back, every type as it was sent');

  const empty = await call('POST', '/api/everytype/', { t_tiny: 5, t_set: [], t_json: 'just a string' });
  t.equal(empty.status, 200, JSON.stringify(empty.body));
  t.match(empty.body, { t_set: [], t_json: 'just a string', t_point: null, t_virtual: 6, t_stored: 10 });
  const emptyId = empty.body.id as number;

  const ids = async (query: string) => {
    const answer = await call('GET', `/api/everytype/?${query}`);
    t.equal(answer.status, 200, `${query}: ${JSON.stringify(answer.body)}`);
    return (answer.body?.objects ?? []).map((row: { id: number }) => row.id);
  };
  const filters: [string, number[]][] = [
    ['t_tiny=-128', [id]],
    ['t_tiny__gt=0', [emptyId]],
    ['t_ubig=9223372036854775807', [id]],
    ['t_ubig__gt=9007199254740993', [id]],
    ['t_bit=1023', [id]],
    ['t_bit__lt=1000', []],
    ['t_bool=1', [id]],
    ['t_dec__between=12345,12346', [id]],
    ['t_float=12345.67', [id]],
    ['t_varchar__icontains=HÉL', [id]],
    [`t_binary=${encodeURIComponent(FULL_READ.t_binary)}`, [id]],
    [`t_blob=${encodeURIComponent(FULL.t_blob)}`, [id]],
    ['t_enum=green', [id]],
    ['t_enum__in=red,blue', []],
    ['t_set__has=c', [id]],
    ['t_set__has=b', []],
    ['t_set=c,a', [id]],
    ['t_set=', [emptyId]],
    ['t_date__gte=2024-01-01', [id]],
    ['t_time__lt=-100:00:00', [id]],
    ['t_time__gt=-100:00:00', []],
    ['t_time=-837:05:06.500', [id]],
    ['t_datetime__gt=2024-01-02 03:04:05.123455', [id]],
    ['t_datetime__lt=2024-01-02 03:04:05.123456', []],
    ['t_timestamp=2038-01-19 03:14:07.999', [id]],
    ['t_year=2155', [id]],
    ['t_year__lt=2000', []],
    ['t_json__is_null=true', []],
    ['t_point__is_null=true', [emptyId]],
    ['t_virtual=-127', [id]],
    ['t_stored__lt=0', [id]],
  ];
  for (const [query, expected] of filters) t.same(await ids(query), expected, query);
  const unfilterable = await call('GET', '/api/everytype/?t_json=1');
  t.equal(unfilterable.status, 400, 'JSON has no equality filter');
  t.match(unfilterable.body, { fields: [{ field: 't_json' }] });
  const unsortable = await call('GET', '/api/everytype/?ordering=t_blob');
  t.equal(unsortable.status, 400, 'bytes have no order');
  const byTime = await call('GET', '/api/everytype/?ordering=-t_time&fields=id');
  t.same(
    byTime.body.objects.map((row: { id: number }) => row.id),
    [id, emptyId],
    'TIME sorts by duration: -837 h before NULL descending on both databases',
  );

  const changes = {
    t_ubig: '9007199254740993',
    t_bit: 0,
    t_binary: Buffer.from([9, 9, 9, 9]).toString('base64'),
    t_blob: '',
    t_enum: null,
    t_set: ['b'],
    t_time: '838:59:59',
    t_datetime: '2024-01-02 03:04:05',
    t_year: 0,
    t_json: [1, 'two', { three: 3 }],
    t_point: 'POINT(-1.25 3)',
    t_geometry: 'GEOMETRYCOLLECTION(POINT(1 2),LINESTRING(0 0,1 1))',
    t_tiny: 10,
  };
  const updated = await call('PATCH', `/api/everytype/${id}/`, changes);
  t.equal(updated.status, 200, JSON.stringify(updated.body));
  const after = (await call('GET', `/api/everytype/${id}/`)).body;
  t.same(
    after,
    {
      ...FULL_READ,
      ...changes,
      id,
      t_ubig: '9007199254740993',
      t_virtual: 11,
      t_stored: 20,
    },
    'an update of every kind reads back as sent',
  );

  // If-Match compares every column with the value read, each type in its own way (bytes, WKT, JSON text, a SET).
  const current = await call('GET', `/api/everytype/${id}/`);
  const conditional = await call(
    'PATCH',
    `/api/everytype/${id}/`,
    { t_varchar: 'if-match' },
    { 'if-match': current.etag! },
  );
  t.equal(conditional.status, 200, `If-Match with the current ETag applies: ${JSON.stringify(conditional.body)}`);
  const stale = await call('PATCH', `/api/everytype/${id}/`, { t_varchar: 'stale' }, { 'if-match': current.etag! });
  t.equal(stale.status, 412, 'a stale ETag does not');
  const trail = await call('GET', `/api/audit/?resource=everytype&action=update&ordering=-id&limit=1`);
  t.match(trail.body.objects[0], { row_key: String(id) }, 'the update is in the audit trail');
  const audited = JSON.parse(trail.body.objects[0].old_values);
  t.same(audited, { t_varchar: FULL.t_varchar }, 'with the value it replaced');
  const restored = await call('PATCH', `/api/everytype/${id}/`, { t_varchar: FULL.t_varchar });
  t.equal(restored.status, 200);

  const count = async () => (await call('GET', '/api/everytype/?fields=id&limit=100')).body.objects.length;
  const before = await count();
  for (const [field, value, message] of BAD) {
    const answer = await call('POST', '/api/everytype/', { [field]: value });
    t.equal(answer.status, 400, `${field} = ${JSON.stringify(value)}: ${JSON.stringify(answer.body)}`);
    t.match(answer.body, { fields: [{ field, message }] }, `${field} = ${JSON.stringify(value)}`);
    const patch = await call('PATCH', `/api/everytype/${id}/`, { [field]: value });
    t.equal(patch.status, 400, `update ${field}`);
  }
  t.equal(await count(), before, 'no bad value wrote a row');
  t.same((await call('GET', `/api/everytype/${id}/`)).body, after, 'nor changed one');
}

/** A browser's session: the cookie and the form token of the last page. */
function adminBrowser(base: string) {
  let cookie: string | undefined;
  let csrf: string | undefined;
  const send = async (method: string, url: string, form?: Record<string, string>) => {
    const body = form && new URLSearchParams({ ...(csrf ? { _csrf: csrf } : {}), ...form });
    const response = await fetch(`${base}${url}`, {
      method,
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: body?.toString(),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie) cookie = setCookie.split(';')[0];
    const text = await response.text();
    csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? csrf;
    return { status: response.status, text };
  };
  return {
    get: (url: string) => send('GET', url),
    post: (url: string, form: Record<string, string>) => send('POST', url, form),
  };
}

/** The admin panel lists, shows and edits the same row through its derived form. */
async function exerciseAdmin(t: Test, base: string, password: string, call: ReturnType<typeof client>): Promise<void> {
  const browser = adminBrowser(base);
  await browser.get('/admin/login');
  t.equal((await browser.post('/admin/login', { username: 'admin', password })).status, 303, 'signed in');
  const list = await browser.get('/admin/everytype/');
  t.equal(list.status, 200, 'the list page');
  const { id } = (await call('GET', '/api/everytype/?t_tiny=10')).body.objects[0];
  const form = await browser.get(`/admin/everytype/${id}/`);
  t.equal(form.status, 200, 'the edit form');
  t.match(form.text, /<option value="blue"/, 'ENUM words are a select');
  t.match(form.text, /<textarea[^>]*name="t_json"/, 'JSON is a textarea');
  const saved = await browser.post(`/admin/everytype/${id}/`, {
    t_enum: 'blue',
    t_set: 'a, c',
    t_json: '{"from":"admin"}',
    t_varbinary: Buffer.from('hi').toString('base64'),
    t_point: 'POINT(5 6)',
  });
  t.equal(saved.status, 303, `saved: ${saved.text.slice(0, 200)}`);
  t.match((await call('GET', `/api/everytype/${id}/`)).body, {
    t_enum: 'blue',
    t_set: ['a', 'c'],
    t_json: { from: 'admin' },
    t_varbinary: Buffer.from('hi').toString('base64'),
    t_point: 'POINT(5 6)',
  });
  const refused = await browser.post(`/admin/everytype/${id}/`, { t_json: '{not json' });
  t.equal(refused.status, 400, 'text that is not JSON is refused');
  t.match(refused.text, /t_json/);
}

/** A row named by bytes: created, read, updated and deleted through its base64 key. */
async function exerciseBinaryKey(t: Test, call: ReturnType<typeof client>): Promise<void> {
  const id = Buffer.from([0xfb, 0xff, 0x00, 0x3e]).toString('base64'); // "+/8APg==": every character URLs mind
  const url = `/api/binarykey/${encodeURIComponent(id)}/`;
  const created = await call('POST', '/api/binarykey/', { id, note: 'first' });
  t.match(created, { status: 200, body: { id, note: 'first' } }, 'created with a key of bytes');
  t.match(await call('GET', url), { status: 200, body: { id, note: 'first' } }, 'read by it');
  t.match(await call('PATCH', url, { note: 'second' }), { status: 200, body: { id, note: 'second' } });
  t.same(
    (await call('GET', `/api/binarykey/?id=${encodeURIComponent(id)}`)).body.objects,
    [{ id, note: 'second' }],
    'filtered by it',
  );
  const trail = await call('GET', '/api/audit/?resource=binarykey&action=update');
  t.equal(trail.body.objects[0].row_key, encodeURIComponent(id), 'the audit trail names it as the URL does');
  t.equal((await call('DELETE', url)).status, 200, 'deleted by it');
  t.equal((await call('GET', url)).status, 404);
  t.equal((await call('GET', '/api/binarykey/not%20base64/')).status, 404, 'a key that is no base64 names no row');
}
