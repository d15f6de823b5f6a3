/**
 * Seed rows: the embedded database starts with cardgroup DEFAULT and the
 * ISO 3166-1 countries; the service never writes them into a MySQL database.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mysql from 'mysql2/promise';
import t from 'tap';
import { models } from '../../generated/index.js';
import { loadConfig } from '../../runtime/config.js';
import { openDatabase } from '../../runtime/database.js';
import { BACKENDS, MYSQL_SERVER, PROJECT_ROOT } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

const COUNTRIES = 249;

t.test('a fresh embedded database has the countries and the DEFAULT group, seeded once', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-seed-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = { ...loadConfig({}), dataDir };

  const first = await openDatabase(config, models);
  t.equal(first.created, true, 'the file is new');
  t.same(await first.db.all('SELECT COUNT(*) AS n, COUNT(DISTINCT countrycode) AS codes FROM cc_country'), [
    { n: COUNTRIES, codes: COUNTRIES },
  ]);
  t.same(
    await first.db.all(
      "SELECT id, countrycode, countryprefix, countryname FROM cc_country WHERE countrycode IN ('FRA', 'USA', 'AFG') ORDER BY id",
    ),
    [
      { id: 1, countrycode: 'AFG', countryprefix: '93', countryname: 'Afghanistan' },
      { id: 77, countrycode: 'FRA', countryprefix: '33', countryname: 'France' },
      { id: 238, countrycode: 'USA', countryprefix: '1', countryname: 'United States' },
    ],
  );
  t.same(
    await first.db.all(
      "SELECT COUNT(*) AS n FROM cc_country WHERE countrycode NOT GLOB '[A-Z][A-Z][A-Z]' OR countryprefix NOT GLOB '[0-9]*'",
    ),
    [{ n: 0 }],
    'every code is three capitals, every prefix digits',
  );
  t.same(await first.db.all('SELECT id, name FROM cc_card_group'), [{ id: 1, name: 'DEFAULT' }]);
  await first.db.run("DELETE FROM cc_country WHERE countrycode = 'AFG'");
  await first.db.close();

  const again = await openDatabase(config, models);
  t.equal(again.created, false);
  t.same(
    await again.db.all('SELECT COUNT(*) AS n FROM cc_country'),
    [{ n: COUNTRIES - 1 }],
    'reopening seeds nothing again (a deleted row stays deleted)',
  );
  await again.db.close();
});

// Test databases on MariaDB are loaded with the generated DDL and the same seed rows.
for (const name of BACKENDS) {
  t.test(`${name}: /api/country/ finds France by its code`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const france = await service.request('/api/country/?countrycode=FRA');
    t.equal(france.status, 200, france.text);
    t.same(france.json.objects, [{ id: 77, countrycode: 'FRA', countryprefix: '33', countryname: 'France' }]);
    const united = await service.request('/api/country/?countryname__startswith=United&ordering=countryname');
    t.same(
      united.json.objects.map((country: { countrycode: string }) => country.countrycode),
      ['ARE', 'GBR', 'USA'],
    );
  });
}

t.test('mysql: the service never seeds a MySQL database', async (t) => {
  const name = `a2gen_test_seed_${process.pid}`;
  const admin = await mysql.createConnection({ uri: MYSQL_SERVER, multipleStatements: true });
  t.teardown(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.end();
  });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8 COLLATE utf8_bin`);
  await admin.query(`USE ${name}`);
  await admin.query(readFileSync(path.join(PROJECT_ROOT, 'generated/ddl/mysql.sql'), 'utf8'));
  const opened = await openDatabase({ ...loadConfig({}), databaseUrl: `${MYSQL_SERVER}/${name}` }, models);
  t.teardown(() => opened.db.close());
  await opened.db.ping();
  const [[countries], [groups]] = await Promise.all([
    admin.query('SELECT COUNT(*) AS n FROM cc_country') as Promise<any>,
    admin.query('SELECT COUNT(*) AS n FROM cc_card_group') as Promise<any>,
  ]);
  t.same([countries[0].n, groups[0].n], [0, 0], 'cc_country and cc_card_group stay as they were (empty)');
});
