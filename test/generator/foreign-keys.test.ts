/**
 * Foreign keys in the generator: checked against the file's properties,
 * declared in the DDL of both databases only where both can enforce them,
 * and tables created after the tables they reference.
 */
import t from 'tap';
import { mysqlCreateTable, sqliteCreateTable } from '../../generator/ddl.js';
import { creationOrder, declaredForeignKeys } from '../../generator/foreign-keys.js';
import type { ForeignKeySchema, TableSchema } from '../../generator/load-schemas.js';
import { buildTableModel, ModelError, type TableModel } from '../../generator/model.js';

const integer = (nullable = false) => ({
  type: nullable ? ['integer', 'null'] : 'integer',
  'x-sql': { type: 'int(11)', nullable },
});

function table(
  name: string,
  properties: Record<string, unknown>,
  extra: Partial<TableSchema['x-a2gen']> = {},
): { source: string; schema: TableSchema } {
  return {
    source: `schema/${name}.json`,
    schema: {
      'x-a2gen': { table: name, resource: name, primaryKey: ['id'], engine: 'InnoDB', ...extra },
      properties: { id: integer(), ...properties },
    } as unknown as TableSchema,
  };
}

const region = buildTableModel(
  table(
    'region',
    { country: integer(), code: integer(), other: integer() },
    { indexes: [{ name: 'region_code', unique: true, columns: ['country', 'code'] }] },
  ),
);

function shop(foreignKeys: ForeignKeySchema[]): TableModel {
  return buildTableModel(
    table('shop', { region_id: integer(), country: integer(true), code: integer(true) }, { foreignKeys }),
  );
}

const toRegion = (columns: string[], referenced: string[], rules: Partial<ForeignKeySchema> = {}) => ({
  name: `shop_${columns.join('_')}`,
  columns,
  references: { table: 'region', columns: referenced },
  ...rules,
});

t.test('a foreign key names properties of its file, as many as it references', async (t) => {
  t.throws(() => shop([toRegion(['nothing'], ['id'])]), {
    constructor: ModelError,
    message: 'schema/shop.json at /x-a2gen/foreignKeys/0/columns/0: "nothing" is not a property',
  });
  t.throws(() => shop([toRegion(['country', 'code'], ['id'])]), {
    message: /foreignKeys\/0\/references\/columns: 2 column\(s\) cannot reference 1 column\(s\)/,
  });
  const model = shop([toRegion(['region_id'], ['id'])]);
  t.match(model.foreignKeys, [{ properties: ['region_id'], columns: ['region_id'], onDelete: 'RESTRICT' }]);
});

t.test('the DDL declares a key to a built table’s primary or unique key, on both databases', async (t) => {
  const model = shop([
    toRegion(['region_id'], ['id'], { onDelete: 'CASCADE' }),
    toRegion(['country', 'code'], ['code', 'country']),
    toRegion(['code'], ['other']),
    { name: 'shop_elsewhere', columns: ['region_id'], references: { table: 'elsewhere', columns: ['id'] } },
  ]);
  const declared = declaredForeignKeys(model, [region, model]);
  t.same(
    declared.map((key) => key.name),
    ['shop_region_id', 'shop_country_code'],
    'not to a column without a unique key, nor to a table the build does not know',
  );
  const mysql = mysqlCreateTable(model, declared);
  t.match(mysql, '  CONSTRAINT shop_region_id FOREIGN KEY (region_id) REFERENCES region (id) ON DELETE CASCADE,\n');
  t.match(mysql, '  CONSTRAINT shop_country_code FOREIGN KEY (country, code) REFERENCES region (code, country)\n)');
  t.notMatch(mysql, 'RESTRICT', 'the default rule is not spelled out');
  const [create] = sqliteCreateTable(model, declared);
  t.match(create, 'CONSTRAINT shop_region_id FOREIGN KEY (region_id) REFERENCES region (id) ON DELETE CASCADE');
  t.notMatch(create, 'shop_elsewhere');
});

t.test('a referenced table is created first; on a cycle, each table once', async (t) => {
  const child = shop([toRegion(['region_id'], ['id'])]);
  t.same(
    creationOrder([child, region]).map((model) => model.table),
    ['region', 'shop'],
  );
  t.same(
    creationOrder([region, child]).map((model) => model.table),
    ['region', 'shop'],
    'already in order: unchanged',
  );
  const a = buildTableModel(
    table(
      'a',
      { b_id: integer() },
      { foreignKeys: [{ name: 'a_b', columns: ['b_id'], references: { table: 'b', columns: ['id'] } }] },
    ),
  );
  const b = buildTableModel(
    table(
      'b',
      { a_id: integer() },
      { foreignKeys: [{ name: 'b_a', columns: ['a_id'], references: { table: 'a', columns: ['id'] } }] },
    ),
  );
  t.same(
    creationOrder([a, b]).map((model) => model.table),
    ['b', 'a'],
    'each table at most once, even on a cycle',
  );
});
