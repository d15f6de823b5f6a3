/**
 * The edges of the newer column types, where they are cheap to reach: the
 * SQL types parse into the value rules the runtime checks with, and each
 * rule takes its limits and refuses one past them (the HTTP round trip of
 * every type is test/api/column-types.test.ts).
 */
import t, { type Test } from 'tap';
import { valueRule } from '../../generator/column-facts.js';
import { mysqlCreateTable, sqliteCreateTable } from '../../generator/ddl.js';
import { schemaFromFacts } from '../../generator/introspect/to-schema.js';
import { buildTableModel } from '../../generator/model.js';
import { generatedKind } from '../../introspection/read-table.js';
import { parseSqlType } from '../../generator/sql-type.js';
import { checkValue, type ValueRule } from '../../common/value-rules.js';
import { operatorsFor, sortableBy } from '../../common/operators.js';

const ruleOf = (type: string): ValueRule =>
  valueRule(parseSqlType(type), { maxLength: undefined, utf8mb3: false, zeroDate: false });

function accepts(t: Test, type: string, value: unknown, stored: unknown): void {
  const checked = checkValue(ruleOf(type), value);
  t.same(checked, { ok: true, value: stored }, `${type} takes ${JSON.stringify(value)}`);
}

function refuses(t: Test, type: string, value: unknown, message: RegExp): void {
  const checked = checkValue(ruleOf(type), value);
  t.match(checked, { ok: false, message }, `${type} refuses ${JSON.stringify(value)}`);
}

t.test('SQL types parse into rules', async (t) => {
  t.same(ruleOf('bit(3)'), { kind: 'integer', min: '0', max: '7', bit: true });
  t.same(ruleOf('bit(64)'), { kind: 'integer', min: '0', max: '18446744073709551615', bit: true });
  t.same(ruleOf('bool'), { kind: 'integer', min: '-128', max: '127' });
  t.same(ruleOf('float(7,4)'), { kind: 'float', unsigned: false, precision: 7, scale: 4 });
  t.same(ruleOf('double(10,2) unsigned'), { kind: 'double', unsigned: true, precision: 10, scale: 2 });
  t.same(ruleOf('binary(16)'), { kind: 'binary', maxBytes: 16, fixed: true });
  t.same(ruleOf('varbinary(3)'), { kind: 'binary', maxBytes: 3 });
  t.same(ruleOf('mediumblob'), { kind: 'binary', maxBytes: 16777215 });
  t.same(ruleOf("enum('a','it''s','c,d')"), { kind: 'enum', values: ['a', "it's", 'c,d'] });
  t.same(ruleOf("set('x','y')"), { kind: 'set', values: ['x', 'y'] });
  t.same(ruleOf('time(3)'), { kind: 'time', fraction: 3 });
  t.same(ruleOf('time'), { kind: 'time', fraction: 0 });
  t.same(ruleOf('datetime(6)'), { kind: 'datetime', zeroDate: false, fraction: 6 });
  t.same(ruleOf('year(4)'), { kind: 'year' });
  t.same(ruleOf('json'), { kind: 'json' });
  t.same(ruleOf('multipolygon'), { kind: 'geometry', shape: 'multipolygon' });
  t.throws(() => parseSqlType("set('a,b')"), /a SET word cannot hold a comma/);
  t.throws(() => parseSqlType("enum('a','a')"), /repeated/);
  t.throws(() => parseSqlType('bit(65)'), /1 to 64 bits/);
  t.throws(() => parseSqlType('time(7)'), /at most 6 digits/);
});

t.test('integers, BIT and YEAR at their limits', async (t) => {
  accepts(t, 'bigint unsigned', '18446744073709551615', '18446744073709551615');
  refuses(t, 'bigint unsigned', '18446744073709551616', /between 0 and 18446744073709551615/);
  accepts(t, 'bit(3)', 7, 7);
  refuses(t, 'bit(3)', 8, /between 0 and 7/);
  accepts(t, 'year', 1901, 1901);
  accepts(t, 'year', '2155', 2155);
  accepts(t, 'year', 0, 0);
  refuses(t, 'year', 2156, /1901 and 2155, or 0/);
  refuses(t, 'year', 99, /1901 and 2155/);
  accepts(t, 'float(7,4)', 1.23456, Math.fround(1.2346));
  refuses(t, 'float(7,4)', 1000, /less than 1000/);
});

t.test('TIME: negative, past 24 hours, fractions', async (t) => {
  accepts(t, 'time', '-838:59:59', '-838:59:59');
  accepts(t, 'time', '838:59:59', '838:59:59');
  accepts(t, 'time', '1:02', '01:02:00');
  accepts(t, 'time', '-00:00:00', '00:00:00');
  refuses(t, 'time(1)', '838:59:59.5', /out of range/);
  refuses(t, 'time', '839:00:00', /out of range/);
  accepts(t, 'time(2)', '10:00:00.50', '10:00:00.5');
  accepts(t, 'time(2)', '10:00:00.000000', '10:00:00');
  refuses(t, 'time(2)', '10:00:00.123', /more than 2 digits/);
  refuses(t, 'time', '10:00:00.5', /more than 0 digits/);
  refuses(t, 'time', 36000, /must be a time/);
  accepts(t, 'datetime(3)', '2024-01-02T03:04:05.120', '2024-01-02 03:04:05.12');
  refuses(t, 'datetime(3)', '2024-01-02 03:04:05.1234', /more than 3 digits/);
  accepts(t, 'timestamp(6)', '2038-01-19 03:14:07.999999', '2038-01-19 03:14:07.999999');
});

t.test('bytes as base64', async (t) => {
  const bytes = (text: string) => Buffer.from(text, 'base64');
  accepts(t, 'varbinary(3)', 'AQID', bytes('AQID'));
  accepts(t, 'binary(3)', 'AQ==', Buffer.from([1, 0, 0]));
  accepts(t, 'blob', '', Buffer.alloc(0));
  refuses(t, 'varbinary(3)', 'AQIDBA==', /4 bytes long; at most 3/);
  refuses(t, 'blob', 'AQ=', /not valid base64/);
  refuses(t, 'blob', 'AQID\n', /not valid base64/);
  refuses(t, 'blob', [1, 2], /base64 string/);
});

t.test('ENUM and SET words', async (t) => {
  accepts(t, "enum('a','b')", 'b', 'b');
  refuses(t, "enum('a','b')", 'B', /one of "a", "b"/);
  accepts(t, "set('a','b','c')", ['c', 'a'], 'a,c');
  accepts(t, "set('a','b','c')", [], '');
  refuses(t, "set('a','b','c')", ['a', 'a'], /"a" twice/);
  refuses(t, "set('a','b','c')", ['d'], /not a word of the set/);
  refuses(t, "set('a','b','c')", 'a', /array of words/);
});

t.test('JSON: any value but null, stored as its text', async (t) => {
  accepts(t, 'json', { a: [1, 'x'] }, '{"a":[1,"x"]}');
  accepts(t, 'json', 'text', '"text"');
  accepts(t, 'json', false, 'false');
  refuses(t, 'json', Symbol('no JSON'), /JSON value/);
});

t.test('geometry as WKT, in the form MySQL prints', async (t) => {
  accepts(t, 'geometry', ' point ( 1  -2.50 ) ', 'POINT(1 -2.5)');
  accepts(t, 'multipoint', 'MULTIPOINT((1 2),(3 4))', 'MULTIPOINT(1 2,3 4)');
  accepts(
    t,
    'polygon',
    'POLYGON((0 0, 1 0, 1 1, 0 0), (0.1 0.1, 0.2 0.1, 0.2 0.2, 0.1 0.1))',
    'POLYGON((0 0,1 0,1 1,0 0),(0.1 0.1,0.2 0.1,0.2 0.2,0.1 0.1))',
  );
  accepts(
    t,
    'geometrycollection',
    'GEOMETRYCOLLECTION(POINT(1 2),GEOMETRYCOLLECTION(LINESTRING(0 0,1 1)))',
    'GEOMETRYCOLLECTION(POINT(1 2),GEOMETRYCOLLECTION(LINESTRING(0 0,1 1)))',
  );
  refuses(t, 'point', 'LINESTRING(0 0,1 1)', /must be a POINT, not a LINESTRING/);
  refuses(t, 'linestring', 'LINESTRING(0 0)', /at least 2 points/);
  refuses(t, 'polygon', 'POLYGON((0 0,1 0,1 1,0 1))', /end where it starts/);
  refuses(t, 'geometry', 'POINT(1 2 3)', /expected "\)"/);
  refuses(t, 'geometry', 'POINT(1 2) extra', /unexpected text/);
  refuses(t, 'geometry', 'CIRCLE(1 2)', /not a geometry type/);
  refuses(t, 'geometry', 'POINT(1e999 2)', /not a finite number/);
});

t.test('operators and ordering per kind', async (t) => {
  t.same(operatorsFor(ruleOf("set('a')"), true, false), ['eq', 'ne', 'has', 'is_null']);
  t.same(operatorsFor(ruleOf("enum('a')"), false, false), ['eq', 'ne', 'in', 'not_in']);
  t.same(operatorsFor(ruleOf('json'), true, false), ['is_null']);
  t.same(operatorsFor(ruleOf('point'), false, false), []);
  t.same(operatorsFor(ruleOf('time'), false, false), ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'not_in', 'between']);
  t.equal(sortableBy(ruleOf('blob'), false), false);
  t.equal(sortableBy(ruleOf('year'), false), true);
});

t.test('DDL of the newer types on both databases', async (t) => {
  const model = buildTableModel({
    source: 'schema/kinds.json',
    schema: {
      'x-a2gen': { table: 'kinds', resource: 'kinds', primaryKey: ['id'], engine: 'InnoDB' },
      properties: {
        id: { type: 'integer', 'x-sql': { type: 'int(11)', nullable: false, autoIncrement: true } },
        flags: { type: 'integer', 'x-sql': { type: 'bit(3)', nullable: false, default: "b'101'" } },
        at: { type: 'string', 'x-sql': { type: 'datetime(3)', nullable: false, default: 'CURRENT_TIMESTAMP' } },
        doubled: {
          type: ['integer', 'null'],
          'x-sql': { type: 'int(11)', nullable: true, generated: 'stored', expression: '`id` * 2' },
        },
        data: { type: 'string', 'x-sql': { type: 'blob', nullable: false } },
      },
    },
  });
  t.equal(model.columns.find((column) => column.name === 'doubled')!.readOnly, true, 'a generated column is read-only');
  const mysql = mysqlCreateTable(model);
  t.match(mysql, "flags bit(3) NOT NULL DEFAULT b'101'");
  t.match(mysql, 'at datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)');
  t.match(mysql, 'doubled int(11) AS (`id` * 2) STORED');
  const [sqlite] = sqliteCreateTable(model);
  t.match(sqlite, 'flags INTEGER NOT NULL DEFAULT 5');
  t.match(sqlite, 'doubled INTEGER GENERATED ALWAYS AS (`id` * 2) STORED');
  t.match(sqlite, 'data BLOB NOT NULL');
});

t.test('introspection: generated columns, comments, a person’s description wins', async (t) => {
  t.equal(generatedKind('VIRTUAL GENERATED'), 'virtual');
  t.equal(generatedKind('STORED GENERATED'), 'stored');
  t.equal(generatedKind('PERSISTENT'), 'stored', 'MariaDB before 10.2');
  t.equal(generatedKind('VIRTUAL'), 'virtual');
  t.equal(generatedKind('auto_increment'), undefined);
  const facts = {
    table: 'notes',
    view: false,
    engine: 'InnoDB',
    charset: 'utf8mb4',
    collation: 'utf8mb4_bin',
    primaryKey: ['id'],
    indexes: [],
    columns: [
      { name: 'id', type: 'int(11)', nullable: false, default: undefined, autoIncrement: true },
      { name: 'body', type: 'json', nullable: true, default: null, autoIncrement: false, comment: 'what was said' },
      { name: 'tags', type: "set('a','b')", nullable: false, default: '', autoIncrement: false, comment: 'labels' },
    ],
  };
  const fresh = schemaFromFacts(facts);
  t.equal(fresh.properties.body!.description, 'what was said', 'the COMMENT describes the property');
  t.same(fresh.properties.body!.type, ['array', 'boolean', 'number', 'object', 'string', 'null']);
  t.equal(fresh.properties.tags!.type, 'array');
  const edited = structuredClone(fresh);
  edited.properties.tags!.description = 'Words a person chose';
  t.equal(schemaFromFacts(facts, edited).properties.tags!.description, 'Words a person chose', 'kept over the comment');
});

t.test('a create default must fit the newer kinds too', async (t) => {
  const withDefault = (type: string, value: unknown) => () =>
    buildTableModel({
      source: 'schema/kinds.json',
      schema: {
        'x-a2gen': { table: 'kinds', resource: 'kinds', primaryKey: ['id'] },
        properties: {
          id: { type: 'integer', 'x-sql': { type: 'int(11)', nullable: false, autoIncrement: true } },
          value: { type: 'string', default: value, 'x-sql': { type, nullable: false } },
        },
      },
    });
  t.throws(withDefault("enum('a','b')", 'c'), /\/properties\/value\/default: must be one of "a", "b"/);
  t.throws(withDefault('time', '25:61:00'), /properties\/value\/default/);
  t.doesNotThrow(withDefault("enum('a','b')", 'b'));
});
