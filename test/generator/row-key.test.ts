/**
 * Which key a table's rows are addressed by when its schema file has no
 * primary key, and what a view or a keyless table may declare: the model's
 * decisions, and the build's refusals with the pointer to the mistake.
 */
import t from 'tap';
import { checkModels } from '../../generator/check-models.js';
import type { SchemaFile, TableSchema } from '../../generator/load-schemas.js';
import { buildTableModel, ModelError } from '../../generator/model.js';

const text = (length: number, nullable = false) => ({
  type: nullable ? ['string', 'null'] : 'string',
  'x-sql': { type: `varchar(${length})`, nullable },
});

function file(options: Partial<TableSchema['x-a2gen']>, extra: Partial<TableSchema> = {}): SchemaFile {
  return {
    source: 'schema/thing.json',
    schema: {
      type: 'object',
      'x-a2gen': { table: 'thing', resource: 'thing', ...options },
      properties: {
        serial: text(10, true),
        code: text(8),
        region: text(4),
        label: text(40),
        price: { type: 'number', 'x-sql': { type: 'decimal(10,2)', nullable: false, default: '0.00' } },
        created: { type: ['string', 'null'], 'x-sql': { type: 'date', nullable: false, default: '0000-00-00' } },
      },
      ...extra,
    } as unknown as TableSchema,
  };
}

const names = (columns: { name: string }[]) => columns.map((column) => column.name);

t.test('a missing primary key: the first unique index whose columns are all NOT NULL', async (t) => {
  const model = buildTableModel(
    file({
      indexes: [
        { name: 'by_label', columns: ['label'] },
        { name: 'by_serial', unique: true, columns: ['serial'] },
        { name: 'by_date', unique: true, columns: ['created'] },
        { name: 'by_code', unique: true, columns: ['code', 'region'] },
        { name: 'by_label_unique', unique: true, columns: ['label'] },
      ],
    }),
  );
  t.strictSame(names(model.key), ['code', 'region'], 'not a plain index, a NULL column, nor a zero date');
  t.equal(model.keyIndex, 'by_code');
  t.strictSame(model.primaryKey, [], 'the table itself still has no PRIMARY KEY');
  t.notOk(model.readOnly, 'served like a primary key: writable');
  t.ok(
    model.key.every((column) => column.primaryKey && column.requiredOnCreate),
    'its columns chosen on create',
  );
});

t.test('no usable key: read-only, list only', async (t) => {
  const model = buildTableModel(file({ indexes: [{ name: 'by_serial', unique: true, columns: ['serial'] }] }));
  t.strictSame(model.key, []);
  t.ok(model.readOnly);
  const problem = (options: Partial<TableSchema['x-a2gen']>, extra: Partial<TableSchema> = {}) => {
    try {
      buildTableModel(file(options, extra));
    } catch (error) {
      if (error instanceof ModelError) return error.message;
      throw error;
    }
    return 'no error';
  };
  t.match(problem({ adjustments: ['price'] }), 'a table without a key is read-only');
  t.match(
    problem({}, { 'x-admin': { protectedRows: [{ key: 1, reason: 'x' }] } }),
    /x-admin\/protectedRows: rows without a key cannot be named/,
  );
  t.match(problem({ definition: 'SELECT 1' }), /x-a2gen\/definition: only a view has a definition/);
  t.match(problem({ view: true, indexes: [] }), /x-a2gen\/indexes: a view has no indexes/);
  t.match(problem({ view: true, seed: [{ code: 'a' }] }), /x-a2gen\/seed: a view has no rows of its own/);
});

t.test('a view: read-only, addressed by a key only when its file declares one', async (t) => {
  const plain = buildTableModel(file({ view: true }));
  t.ok(plain.view && plain.readOnly);
  t.strictSame(plain.key, []);
  const keyed = buildTableModel(file({ view: true, primaryKey: ['code'] }));
  t.strictSame(names(keyed.key), ['code'], 'the declared key addresses its rows');
  t.strictSame(keyed.primaryKey, [], 'but is no PRIMARY KEY of a table');
  t.ok(keyed.readOnly, 'and it stays read-only');
});

t.test('a reference to rows without a key is refused', async (t) => {
  const target = buildTableModel(file({}));
  const source = buildTableModel({
    source: 'schema/other.json',
    schema: {
      type: 'object',
      'x-a2gen': { table: 'other', resource: 'other', primaryKey: ['id'] },
      properties: {
        id: { type: 'string', 'x-sql': { type: 'varchar(8)', nullable: false } },
        thing: {
          type: 'string',
          'x-references': { resource: 'thing' },
          'x-sql': { type: 'varchar(8)', nullable: false },
        },
      },
    } as unknown as TableSchema,
  });
  t.throws(() => checkModels([target, source]), /thing has no key; a column cannot reference its rows/);
});
