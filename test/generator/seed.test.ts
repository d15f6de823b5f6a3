/**
 * Seed rows from schema file to SQL: grouped by column list, loaded as
 * multi-row INSERTs of at most 100 rows, and kept one row per line in the
 * schema file when introspection rewrites it.
 */
import t from 'tap';
import { seedInserts } from '../../generator/ddl.js';
import { formatSchema } from '../../generator/introspect/to-schema.js';
import { loadSchemas, type SchemaFile } from '../../generator/load-schemas.js';
import { buildTableModel } from '../../generator/model.js';
import { seedStatements } from '../../runtime/db/seed.js';
import { repoRoot } from './fixtures/helpers.js';

const files = await loadSchemas(repoRoot);
const countryFile = files.find((file) => file.schema['x-a2gen'].table === 'cc_country')!;

t.test('rows naming the same columns share one INSERT head, in schema order', async (t) => {
  const file: SchemaFile = structuredClone(countryFile);
  file.schema['x-a2gen'].seed = [
    { id: 1, countrycode: 'AAA', countryprefix: '1', countryname: 'A' },
    { id: 2, countrycode: 'BBB', countryprefix: '2', countryname: 'B' },
    { countrycode: 'CCC', countryprefix: '3', countryname: 'C' },
    { id: 4, countrycode: 'DDD', countryprefix: '4', countryname: 'D' },
  ];
  t.strictSame(seedInserts(buildTableModel(file)), [
    {
      insert: 'INSERT INTO cc_country (id, countrycode, countryprefix, countryname)',
      rows: [
        [1, 'AAA', '1', 'A'],
        [2, 'BBB', '2', 'B'],
      ],
    },
    { insert: 'INSERT INTO cc_country (countrycode, countryprefix, countryname)', rows: [['CCC', '3', 'C']] },
    { insert: 'INSERT INTO cc_country (id, countrycode, countryprefix, countryname)', rows: [[4, 'DDD', '4', 'D']] },
  ]);
});

t.test('the 249 countries load in three statements, every value a placeholder', async (t) => {
  const [countries] = seedInserts(buildTableModel(countryFile));
  const statements = seedStatements(countries as never);
  t.strictSame(
    statements.map((statement) => statement.params.length / 4),
    [100, 100, 49],
  );
  t.equal(
    statements[0]!.sql,
    `INSERT INTO cc_country (id, countrycode, countryprefix, countryname) VALUES ${Array(100).fill('(?, ?, ?, ?)').join(', ')}`,
  );
  t.notMatch(statements.map((statement) => statement.sql).join('\n'), /France|'/, 'no value is spliced into SQL');
  t.strictSame(statements.flatMap((statement) => statement.params).slice(304, 308), [77, 'FRA', '33', 'France']);
});

t.test('introspection keeps a seed as one row per line, and reads back the same', async (t) => {
  const text = formatSchema(countryFile.schema);
  t.match(text, '\n      { "id": 77, "countrycode": "FRA", "countryprefix": "33", "countryname": "France" },\n');
  t.strictSame(JSON.parse(text), countryFile.schema);
  t.notMatch(
    formatSchema({ ...countryFile.schema, 'x-a2gen': { ...countryFile.schema['x-a2gen'], seed: undefined } }),
    /"seed"/,
    'no seed, no key',
  );
});
