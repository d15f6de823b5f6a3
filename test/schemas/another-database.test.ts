/**
 * The README's "Serve another MySQL database", followed line by line as a new
 * user would in a clone of this repository, on a database that is not
 * A2Billing: InnoDB, foreign keys, ENUM, SET, YEAR, BLOB, a composite key and
 * a view. The clone's tests still import the A2Billing models, so `npm start`
 * must compile the runtime and generated/ alone.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mysql from 'mysql2/promise';
import t from 'tap';
import { MYSQL_SERVER, PROJECT_ROOT } from '../helpers/backends.js';
import { basicAuth } from '../helpers/service.js';
import { createScratchProject } from '../helpers/scratch-project.js';

const SHOP = `
CREATE TABLE customer (
  id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(80) NOT NULL COMMENT 'As printed on invoices',
  tier ENUM('basic','gold') NOT NULL DEFAULT 'basic',
  tags SET('vip','wholesale') NOT NULL DEFAULT '',
  since YEAR NULL,
  avatar BLOB NULL
) ENGINE=InnoDB;
CREATE TABLE product (
  sku CHAR(8) NOT NULL PRIMARY KEY,
  title VARCHAR(100) NOT NULL,
  price DECIMAL(10,2) NOT NULL
) ENGINE=InnoDB;
CREATE TABLE order_line (
  customer_id INT UNSIGNED NOT NULL,
  sku CHAR(8) NOT NULL,
  quantity SMALLINT NOT NULL DEFAULT 1,
  PRIMARY KEY (customer_id, sku),
  CONSTRAINT order_line_customer FOREIGN KEY (customer_id) REFERENCES customer (id),
  CONSTRAINT order_line_product FOREIGN KEY (sku) REFERENCES product (sku)
) ENGINE=InnoDB;
CREATE VIEW customer_orders AS
  SELECT c.name AS name, COUNT(*) AS order_lines FROM customer c JOIN order_line o ON o.customer_id = c.id GROUP BY c.name;
INSERT INTO customer (name, tier, tags, since) VALUES ('Ada', 'gold', 'vip,wholesale', 2019), ('Grace', 'basic', '', NULL);
INSERT INTO product VALUES ('LAMP0001', 'Desk lamp', 24.90), ('CHAIR002', 'Chair', 89.00);
INSERT INTO order_line VALUES (1, 'LAMP0001', 2), (1, 'CHAIR002', 1), (2, 'LAMP0001', 1);
`;

/** The shell lines of the README section, in order. */
function readmeSection(): string[] {
  const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Serve another MySQL database'));
  const block = /```bash\n([\s\S]*?)```/.exec(section);
  if (block === null) throw new Error('README: no bash block under "Serve another MySQL database"');
  return block[1]!.split('\n').filter(Boolean);
}

t.test("the README's way to serve a database that is not A2Billing", async (t) => {
  const name = `a2gen_test_shop_${randomBytes(5).toString('hex')}`;
  const admin = await mysql.createConnection({ uri: MYSQL_SERVER, multipleStatements: true });
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  await admin.query(`CREATE DATABASE ${name}; USE ${name}; ${SHOP}`);
  const url = `${MYSQL_SERVER}/${name}`;

  const project = createScratchProject(t, { clone: true });
  // What `npm install` did in the clone: the prepare script's compile.
  const installed = await project.shell('npm run -s build');
  t.equal(installed.code, 0, `the clone compiles as cloned:\n${installed.stderr}`);
  const lines = readmeSection();
  t.equal(lines.at(-1), 'npm start', 'the section ends by starting the service');
  const password = 'shop keeper password 2026';
  for (const line of lines.slice(0, -1)) {
    const result = await project.shell(line.replace('mysql://user:pass@host:3306/shop', url), {
      input: `${password}\n`,
    });
    t.equal(result.code, 0, `${line}\n${result.stdout}${result.stderr}`);
  }
  t.ok(existsSync(path.join(project.dir, '.env')), 'init wrote .env');
  t.notOk(existsSync(path.join(project.dir, 'generated/card')), "the A2Billing models' generated files are gone");

  const service = await project.start({
    shell: 'npm start',
    ready: /a2gen serving (http:\S+)\/api\//,
    // The database and the secret come from the .env that init wrote, as for the user.
    env: { A2B_DATABASE_URL: undefined, A2B_SECRET: undefined },
    timeoutMs: 60_000,
  });
  const base = /a2gen serving (http:\S+)\/api\//.exec(service.output())![1]!;
  const authorization = basicAuth('alice', password);
  const request = async (url: string, init: RequestInit = {}) => {
    const response = await fetch(base + url, { ...init, headers: { authorization, ...init.headers } });
    return { status: response.status, json: (await response.json().catch(() => undefined)) as any };
  };
  const post = (url: string, body: unknown) =>
    request(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  const customers = await request('/api/customer/');
  t.equal(customers.status, 200, 'customers listed');
  t.match(customers.json.objects[0], { id: 1, name: 'Ada', tier: 'gold', tags: ['vip', 'wholesale'], since: 2019 });
  t.match((await request('/api/product/LAMP0001/')).json, { sku: 'LAMP0001', title: 'Desk lamp' });
  t.match((await request('/api/orderline/1,CHAIR002/')).json, { customer_id: 1, sku: 'CHAIR002', quantity: 1 });
  const view = await request('/api/customerorders/');
  t.equal(view.status, 200, 'the view is listed');
  t.same(view.json.objects.map((row: { name: string; order_lines: number }) => [row.name, row.order_lines]).sort(), [
    ['Ada', 2],
    ['Grace', 1],
  ]);
  t.equal((await post('/api/customerorders/', { name: 'x' })).status >= 400, true, 'the view is read-only');

  const created = await post('/api/customer/', { name: 'Linus', tier: 'basic', tags: ['vip'], since: 1991 });
  t.equal(created.status, 200, JSON.stringify(created.json));
  t.match((await request(`/api/customer/${created.json.id}/`)).json, { name: 'Linus', tags: ['vip'], since: 1991 });
  const imported = await request('/api/customer/', {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: 'name,tier,tags,since\nMargaret,gold,"vip,wholesale",1969\nDennis,,,\n',
  });
  t.equal(imported.status, 200, `a CSV file: ${JSON.stringify(imported.json)}`);
  t.match(imported.json.objects, [
    { name: 'Margaret', tier: 'gold', tags: ['vip', 'wholesale'], since: 1969 },
    { name: 'Dennis', tier: 'basic', tags: [], since: null },
  ]);
  const badTier = await post('/api/customer/', { name: 'Ken', tier: 'platinum' });
  t.equal(badTier.status, 400);
  t.match(JSON.stringify(badTier.json), /tier/, 'the 400 names the field');
  const dangling = await post('/api/orderline/', { customer_id: 999, sku: 'LAMP0001', quantity: 1 });
  t.equal(dangling.status, 409, 'a reference to no customer is a conflict');
  t.match(JSON.stringify(dangling.json), /customer/);
  const [[count]] = (await admin.query(`SELECT COUNT(*) AS n FROM ${name}.order_line`)) as unknown as [{ n: number }[]];
  t.equal(Number(count!.n), 3, 'nothing was written');
});
