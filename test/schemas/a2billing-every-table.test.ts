/**
 * a2gen on the whole of a real A2Billing v2.0.8 install (the shared mysqldump:
 * 95 cc_ tables, MyISAM, utf8_bin, composite keys, a keyless table, TIME and
 * BLOB columns, real rows): `a2gen init --tables all` introspects every table,
 * `a2gen build` and `npm run build` compile them, the service starts, and
 * every resource answers its list and one of its rows with 200 and a create
 * with a wrong body with a 4xx, never a 5xx.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { UserStore } from '../../runtime/auth/user-store.js';
import { openMysql } from '../../runtime/db/mysql/driver.js';
import { loadA2BillingDump } from '../helpers/a2billing-dump.js';
import { basicAuth } from '../helpers/service.js';
import { createScratchProject } from '../helpers/scratch-project.js';

const USERNAME = 'operator';
const PASSWORD = 'a password of some length';

interface SchemaFile {
  'x-a2gen': {
    table: string;
    resource: string;
    primaryKey?: string[];
    indexes?: { unique?: boolean; columns: string[] }[];
  };
  properties: Record<string, { readOnly?: boolean; 'x-sql': { nullable: boolean } }>;
}

/** What a row is addressed by: the primary key, else the first unique key of NOT NULL columns (as the generator chooses). */
function rowKeyOf(schema: SchemaFile): string[] {
  const { primaryKey, indexes = [] } = schema['x-a2gen'];
  if (primaryKey !== undefined && primaryKey.length > 0) return primaryKey;
  const unique = indexes.find(
    (index) => index.unique && index.columns.every((name) => schema.properties[name]?.['x-sql'].nullable === false),
  );
  return unique?.columns ?? [];
}

t.test('every table of a real A2Billing install: introspected, built, served', async (t) => {
  const dump = await loadA2BillingDump(t);
  const tables = (
    await dump.query(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE 'cc\\_%' ORDER BY TABLE_NAME",
    )
  )
    .map((row) => String(row.name))
    .sort();
  t.ok(tables.length >= 95, `the dump holds ${tables.length} cc_ tables and views`);

  const project = createScratchProject(t);
  const init = await project.a2gen(['init', '--url', dump.url, '--tables', 'all']);
  t.equal(init.code, 0, `a2gen init --tables all exits 0:\n${init.stdout}${init.stderr}`);
  const schemaDir = path.join(project.dir, 'schema');
  const schemas = readdirSync(schemaDir)
    .filter((file) => file.startsWith('cc_'))
    .map((file) => JSON.parse(readFileSync(path.join(schemaDir, file), 'utf8')) as SchemaFile);
  t.strictSame(
    schemas.map((schema) => schema['x-a2gen'].table).sort(),
    tables,
    'a schema file for every table and view',
  );

  await project.build();
  const db = openMysql(dump.url);
  const users = new UserStore(db);
  await users.ensureTable();
  await users.createOrResetAdmin({ username: USERNAME, password: PASSWORD });
  await db.close();
  const service = await project.start({
    ready: /a2gen serving (http:\S+)\/api\//,
    env: { A2B_DATABASE_URL: dump.url, A2B_SECRET: 'ab'.repeat(32) },
    timeoutMs: 30_000,
  });
  const base = /a2gen serving (http:\S+)\/api\//.exec(service.output())![1]!;
  const authorization = basicAuth(USERNAME, PASSWORD);
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(base + url, { ...init, headers: { authorization, ...init.headers } });
    return { status: response.status, json: (await response.json().catch(() => undefined)) as any };
  };

  const serverErrors: string[] = [];
  let rowsRead = 0;
  let keyedWithRows = 0;
  for (const schema of schemas) {
    const { resource } = schema['x-a2gen'];
    const rowKey = rowKeyOf(schema);
    const list = await request(`/api/${resource}/?limit=1`);
    if (list.status !== 200) serverErrors.push(`GET /api/${resource}/: ${list.status} ${JSON.stringify(list.json)}`);
    const row = list.json?.objects?.[0] as Record<string, unknown> | undefined;
    if (row !== undefined && rowKey.length > 0) {
      keyedWithRows++;
      const key = rowKey.map((name) => encodeURIComponent(String(row[name]))).join(',');
      const one = await request(`/api/${resource}/${key}/`);
      if (one.status === 200) rowsRead++;
      else serverErrors.push(`GET /api/${resource}/${key}/: ${one.status} ${JSON.stringify(one.json)}`);
    }
    // A body of the wrong shape: a field no table has, and an object where a column's value belongs.
    const firstColumn = Object.keys(schema.properties)[0]!;
    for (const body of [{ no_such_field: 1 }, { [firstColumn]: { nested: true } }]) {
      const created = await request(`/api/${resource}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (created.status < 400 || created.status >= 500)
        serverErrors.push(`POST /api/${resource}/ ${JSON.stringify(body)}: ${created.status}`);
    }
  }
  t.strictSame(serverErrors, [], `${schemas.length} resources: lists 200, rows 200, wrong creates 4xx`);
  t.ok(keyedWithRows >= 20, `${keyedWithRows} resources with a key hold rows in the dump`);
  t.equal(rowsRead, keyedWithRows, `each of them answered one of its real rows by its key`);
});
