/**
 * Unit tests of the model that every generated file is printed from, on the
 * project's real schema files. Expected facts come from
 * /work/shared/a2billing/SCHEMA.md and are written out here by hand.
 */
import t from 'tap';
import { loadSchemas, type SchemaFile } from '../../generator/load-schemas.js';
import { buildTableModel, ModelError, type ColumnModel, type TableModel } from '../../generator/model.js';
import { integerRange, parseSqlType } from '../../generator/sql-type.js';
import { repoRoot } from './fixtures/helpers.js';

const files = await loadSchemas(repoRoot);

function fileFor(table: string): SchemaFile {
  const file = files.find((candidate) => candidate.schema['x-a2gen'].table === table);
  if (!file) throw new Error(`no schema file for ${table}`);
  return file;
}

const card = buildTableModel(fileFor('cc_card'));
const cardGroup = buildTableModel(fileFor('cc_card_group'));

function column(model: TableModel, name: string): ColumnModel {
  const found = model.columns.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`${model.table} has no column ${name}`);
  return found;
}

const names = (columns: ColumnModel[]) => columns.map((candidate) => candidate.name).sort();

/** A deep copy of a real schema file, for tests that break one thing. */
function copyOf(table: string): SchemaFile {
  return structuredClone(fileFor(table));
}

t.test('the schema files load and model', async (t) => {
  t.strictSame(
    files.map((file) => file.source),
    [
      'schema/a2gen_audit.json',
      'schema/cc_call.json',
      'schema/cc_callerid.json',
      'schema/cc_card.json',
      'schema/cc_card_group.json',
      'schema/cc_charge.json',
      'schema/cc_country.json',
      'schema/cc_iax_buddies.json',
      'schema/cc_iso639.json',
      'schema/cc_logpayment.json',
      'schema/cc_logrefill.json',
      'schema/cc_sip_buddies.json',
      'schema/cc_tariffgroup.json',
      'schema/cc_tariffgroup_plan.json',
    ],
    'every schema file, sorted',
  );
  t.equal(card.resource, 'card');
  t.equal(cardGroup.resource, 'cardgroup');
  t.equal(card.typeName, 'Card');
  t.equal(cardGroup.typeName, 'CardGroup');
});

t.test('column counts (SCHEMA.md §0)', async (t) => {
  t.equal(card.columns.length, 69, 'cc_card has 69 columns');
  t.equal(cardGroup.columns.length, 6, 'cc_card_group has 6 columns');
  t.equal(card.columns.filter((candidate) => candidate.sqlNullable).length, 28, 'cc_card: 28 nullable columns');
  // The old API's other tables, as an A2Billing v2.3.0 database has them (cc_call gained a2b_custom1/2 in v2.0.15).
  const counts = { cc_callerid: 4, cc_logrefill: 8, cc_logpayment: 10, cc_call: 25, cc_country: 4, cc_charge: 13 };
  for (const [table, count] of Object.entries(counts))
    t.equal(buildTableModel(fileFor(table)).columns.length, count, `${table} has ${count} columns`);
});

t.test('JSON keys that differ from the column: the old API said card and agent for card_id and agent_id', async (t) => {
  for (const table of ['cc_logrefill', 'cc_logpayment']) {
    const model = buildTableModel(fileFor(table));
    t.strictSame(
      model.columns
        .filter((candidate) => candidate.name !== candidate.column)
        .map((candidate) => [candidate.name, candidate.column]),
      [
        ['card', 'card_id'],
        ['agent', 'agent_id'],
      ],
      table,
    );
  }
  t.equal(
    column(buildTableModel(fileFor('cc_call')), 'card_id').column,
    'card_id',
    'cc_call kept card_id, as the old API served it',
  );
});

t.test('primary keys', async (t) => {
  const byTable = (table: string) => buildTableModel(fileFor(table));
  t.strictSame(
    byTable('cc_tariffgroup_plan').primaryKey.map((column) => column.name),
    ['idtariffgroup', 'idtariffplan'],
    'a key of two columns, in key order',
  );
  t.notOk(
    byTable('cc_tariffgroup_plan').primaryKey.some((column) => column.readOnly),
    'chosen on create, so writable there',
  );
  t.ok(
    byTable('cc_iso639').primaryKey[0]!.requiredOnCreate,
    'a CHAR key the database does not number is required on create',
  );
  const [cardKey] = card.primaryKey;
  const [groupKey] = cardGroup.primaryKey;
  t.equal(card.primaryKey.length, 1, 'one key column');
  t.equal(cardKey!.name, 'id');
  t.equal(cardKey!.sql.text, 'bigint(20)');
  t.ok(cardKey!.autoIncrement, 'cc_card.id is AUTO_INCREMENT');
  t.ok(cardKey!.readOnly, 'the key is read-only');
  t.equal(groupKey!.name, 'id');
  t.equal(groupKey!.sql.text, 'int(11)');
  t.ok(groupKey!.autoIncrement, 'cc_card_group.id is AUTO_INCREMENT');
  t.strictSame(
    card.columns.filter((candidate) => candidate.autoIncrement).map((candidate) => candidate.name),
    ['id'],
    'only id auto-increments',
  );
});

t.test('write-only columns are exactly uipass, lock_pin, loginkey, and cannot be filtered or sorted', async (t) => {
  const writeOnly = card.columns.filter((candidate) => candidate.writeOnly);
  t.strictSame(names(writeOnly), ['lock_pin', 'loginkey', 'uipass']);
  for (const secret of writeOnly) {
    t.strictSame(secret.operators, [], `${secret.name}: no filter operators`);
    t.equal(secret.sortable, false, `${secret.name}: not sortable`);
    t.equal(secret.decoder, undefined, `${secret.name}: nothing to decode, it is never read`);
  }
  t.strictSame(names(cardGroup.columns.filter((candidate) => candidate.writeOnly)), [], 'cc_card_group has none');
  t.notOk(
    card.admin.list.some((name) => ['uipass', 'lock_pin', 'loginkey'].includes(name)),
    'no secret in the admin list',
  );
  t.notOk(
    card.admin.search.some((name) => ['uipass', 'lock_pin', 'loginkey'].includes(name)),
    'no secret in the admin search',
  );
  t.ok(
    card.admin.filter.length > 0 && card.admin.filter.length < 20,
    'filters for the hinted columns, not all of them',
  );
  t.notOk(card.admin.filter.includes('address'));
  const group = buildTableModel(copyOf('cc_card_group'));
  t.strictSame(group.admin.filter, group.admin.list, 'without a filter hint, the listed columns');
  t.strictSame(
    group.admin.protectedRows.map((row) => row.key),
    ['1'],
    'card group 1 is protected',
  );
  // Every other column can be filtered and sorted.
  for (const other of card.columns.filter((candidate) => !candidate.writeOnly)) {
    t.ok(other.operators.includes('eq') && other.sortable, `${other.name}: filterable and sortable`);
  }
});

t.test('filter operators follow the column kind and nullability', async (t) => {
  t.ok(column(card, 'username').operators.includes('like'), 'strings have like');
  t.notOk(column(card, 'credit').operators.includes('like'), 'decimals have no like');
  t.ok(column(card, 'id_seria').operators.includes('is_null'), 'nullable columns have is_null');
  t.notOk(column(card, 'status').operators.includes('is_null'), 'NOT NULL columns have no is_null');
  t.ok(column(card, 'lastuse').operators.includes('is_null'), 'a zero-date column reads as null, so is_null applies');
});

t.test('zero-date columns are exactly firstusedate, expirationdate, lastuse, servicelastrun', async (t) => {
  const zeroDate = card.columns.filter((candidate) => candidate.zeroDate);
  t.strictSame(names(zeroDate), ['expirationdate', 'firstusedate', 'lastuse', 'servicelastrun']);
  for (const date of zeroDate) {
    t.equal(date.sql.text, 'timestamp', `${date.name}: timestamp`);
    t.equal(date.sqlNullable, false, `${date.name}: NOT NULL in SQL`);
    t.strictSame(date.sqlDefault, { kind: 'literal', value: '0000-00-00 00:00:00' }, `${date.name}: zero-date default`);
    t.equal(date.jsonNullable, true, `${date.name}: null in JSON`);
    t.equal(date.decoder, 'zeroDateToNull', `${date.name}: read through zeroDateToNull`);
    t.strictSame(date.rule, { kind: 'timestamp', zeroDate: true }, `${date.name}: rule`);
    t.equal(date.tsType, 'string | null', `${date.name}: TS type`);
  }
  // The other timestamps: creationdate (CURRENT_TIMESTAMP) and the really-NULL ones.
  const creation = column(card, 'creationdate');
  t.equal(creation.zeroDate, false, 'creationdate is no zero-date column');
  t.strictSame(creation.sqlDefault, { kind: 'current_timestamp' }, 'creationdate defaults to CURRENT_TIMESTAMP');
  t.equal(creation.jsonNullable, false, 'creationdate is never null');
  for (const name of ['last_notification', 'lock_date']) {
    const date = column(card, name);
    t.equal(date.zeroDate, false, `${name}: NULL, not a zero date`);
    t.equal(date.sqlNullable, true, `${name}: nullable`);
    t.strictSame(date.sqlDefault, { kind: 'null' }, `${name}: DEFAULT NULL`);
    t.strictSame(date.rule, { kind: 'timestamp', zeroDate: false }, `${name}: rule`);
  }
});

t.test('decimal columns', async (t) => {
  const parsed = parseSqlType('decimal(15,5)');
  t.equal(parsed.kind, 'decimal');
  t.equal(parsed.precision, 15, 'precision 15');
  t.equal(parsed.scale, 5, 'scale 5');
  t.equal(parsed.unsigned, false);
  for (const name of ['credit', 'initialbalance']) {
    const decimal = column(card, name);
    t.strictSame(
      decimal.rule,
      { kind: 'decimal', precision: 15, scale: 5, unsigned: false },
      `${name}: decimal(15,5) rule`,
    );
    t.equal(decimal.jsonType, 'number', `${name}: p ≤ 15 travels as a JSON number`);
    t.equal(decimal.decoder, 'decimalToNumber', `${name}: decoded from mysql2's string`);
  }
  t.strictSame(
    column(card, 'discount').rule,
    { kind: 'decimal', precision: 5, scale: 2, unsigned: false },
    'discount: decimal(5,2)',
  );
  t.strictSame(column(card, 'creditlimit').rule.kind, 'integer', 'creditlimit is int(11), not DECIMAL');
  t.strictSame(
    parseSqlType('decimal(12,5) unsigned'),
    {
      text: 'decimal(12,5) unsigned',
      base: 'decimal',
      kind: 'decimal',
      unsigned: true,
      precision: 12,
      scale: 5,
    },
    'cc_currencies.value',
  );
  t.equal(parseSqlType('decimal').precision, 10, 'bare decimal is decimal(10,0)');
  t.equal(parseSqlType('decimal').scale, 0);
  t.equal(parseSqlType('decimal(20,2)').precision, 20);
  t.throws(() => parseSqlType('decimal(5,10)'), /scale is larger than precision/);
});

t.test('integer ranges are exact decimal strings', async (t) => {
  t.strictSame(
    integerRange(parseSqlType('bigint(20)')),
    { min: '-9223372036854775808', max: '9223372036854775807' },
    'bigint',
  );
  t.strictSame(
    integerRange(parseSqlType('bigint(20) unsigned')),
    { min: '0', max: '18446744073709551615' },
    'bigint unsigned',
  );
  t.strictSame(integerRange(parseSqlType('int(11)')), { min: '-2147483648', max: '2147483647' }, 'int');
  t.strictSame(integerRange(parseSqlType('int(10) unsigned')), { min: '0', max: '4294967295' }, 'int unsigned');
  t.strictSame(integerRange(parseSqlType('mediumint(9)')), { min: '-8388608', max: '8388607' }, 'mediumint');
  t.strictSame(integerRange(parseSqlType('smallint(6)')), { min: '-32768', max: '32767' }, 'smallint');
  t.strictSame(integerRange(parseSqlType('smallint(5) unsigned')), { min: '0', max: '65535' }, 'smallint unsigned');
  t.strictSame(integerRange(parseSqlType('tinyint(4)')), { min: '-128', max: '127' }, 'tinyint');
  t.strictSame(integerRange(parseSqlType('tinyint(3) unsigned')), { min: '0', max: '255' }, 'tinyint unsigned');
  // As the columns carry them.
  t.strictSame(
    column(card, 'id').rule,
    { kind: 'integer', min: '-9223372036854775808', max: '9223372036854775807' },
    'cc_card.id',
  );
  t.strictSame(
    column(card, 'serial').rule,
    { kind: 'integer', min: '-9223372036854775808', max: '9223372036854775807' },
    'serial',
  );
  t.strictSame(column(card, 'block').rule, { kind: 'integer', min: '-128', max: '127' }, 'block tinyint(4)');
  t.strictSame(
    column(card, 'notify_email').rule,
    { kind: 'integer', min: '-32768', max: '32767' },
    'notify_email smallint(6)',
  );
  t.strictSame(
    column(cardGroup, 'id').rule,
    { kind: 'integer', min: '-2147483648', max: '2147483647' },
    'cc_card_group.id',
  );
});

t.test('parseSqlType', async (t) => {
  t.strictSame(parseSqlType('varchar(50)'), {
    text: 'varchar(50)',
    base: 'varchar',
    kind: 'string',
    unsigned: false,
    length: 50,
  });
  t.strictSame(parseSqlType('char(1)'), { text: 'char(1)', base: 'char', kind: 'string', unsigned: false, length: 1 });
  t.strictSame(parseSqlType('int(11)'), { text: 'int(11)', base: 'int', kind: 'integer', unsigned: false, length: 11 });
  t.strictSame(parseSqlType('timestamp'), { text: 'timestamp', base: 'timestamp', kind: 'timestamp', unsigned: false });
  t.equal(parseSqlType('float').kind, 'float');
  t.equal(parseSqlType('double').kind, 'double');
  t.equal(parseSqlType('date').kind, 'date');
  t.equal(parseSqlType('datetime').kind, 'datetime');
  t.throws(() => parseSqlType('varchar(abc)'), /unsupported SQL type "varchar\(abc\)"/);
  t.throws(() => parseSqlType('set(1)'), /unsupported SQL type "set\(1\)": its words must be quoted/);
  t.throws(() => parseSqlType('inet6'), /unsupported SQL type "inet6"/);
});

t.test('JSON types and string limits of the real columns', async (t) => {
  t.equal(column(card, 'vat').jsonType, 'number', 'float vat is a number');
  t.equal(column(card, 'vat').decoder, 'floatToNumber', 'float vat is decoded to what MySQL shows');
  t.equal(column(card, 'activated').jsonType, 'string', 'char(1) flag is a string');
  t.equal(column(card, 'username').maxLength, 50);
  t.strictSame(
    column(card, 'username').rule,
    { kind: 'string', maxLength: 50, utf8mb3: true },
    'utf8 (3-byte) string rule',
  );
  t.equal(column(card, 'traffic_target').maxLength, 300);
  t.equal(column(cardGroup, 'description').maxLength, 400);
  t.equal(column(card, 'serial').readOnly, true, 'serial is read-only (trigger-maintained)');

  // TEXT holds 65535 bytes: 21845 characters of 3-byte utf8. The runtime counts
  // characters, so a utf8 text column must not accept more than 21845.
  const withText = copyOf('cc_card_group');
  withText.schema.properties.description = {
    type: ['string', 'null'],
    'x-sql': { type: 'text', nullable: true, default: null },
  };
  const text = column(buildTableModel(withText), 'description');
  t.equal(text.maxLength, 21845, 'a utf8 text column holds 21845 characters');
  t.strictSame(text.rule, { kind: 'string', maxLength: 21845, utf8mb3: true }, 'and its rule says so');
  t.equal(column(card, 'serial').requiredOnCreate, false);
});

// SCHEMA.md §0.1: the 20 NOT NULL columns without a default, in table order.
const NOT_NULL_WITHOUT_DEFAULT = [
  'username',
  'useralias',
  'uipass',
  'lastname',
  'firstname',
  'address',
  'city',
  'state',
  'country',
  'zipcode',
  'phone',
  'email',
  'fax',
  'redial',
  'loginkey',
  'tag',
  'email_notification',
  'company_name',
  'company_website',
  'traffic_target',
];

t.test('the 20 NOT NULL columns without a default are required or get a JSON default', async (t) => {
  t.equal(NOT_NULL_WITHOUT_DEFAULT.length, 20, 'SCHEMA.md lists 20');
  const modelled = card.columns.filter(
    (candidate) => !candidate.sqlNullable && candidate.sqlDefault.kind === 'none' && !candidate.autoIncrement,
  );
  t.strictSame(
    modelled.map((candidate) => candidate.name),
    NOT_NULL_WITHOUT_DEFAULT,
    'the schema has exactly these, in this order',
  );
  const requiredOnes = ['username', 'useralias', 'uipass'];
  for (const name of NOT_NULL_WITHOUT_DEFAULT) {
    const target = column(card, name);
    t.equal(target.sqlNullable, false, `${name}: NOT NULL`);
    t.strictSame(target.sqlDefault, { kind: 'none' }, `${name}: no SQL default`);
    if (requiredOnes.includes(name)) {
      t.equal(target.requiredOnCreate, true, `${name}: required on create`);
      t.equal(target.jsonDefault, undefined, `${name}: no JSON default (a create must send it)`);
    } else {
      t.equal(target.requiredOnCreate, false, `${name}: optional on create`);
      t.type(target.jsonDefault?.value, 'string', `${name}: has a string JSON default`);
      const value = String(target.jsonDefault?.value);
      t.ok(value.length <= (target.maxLength ?? 0), `${name}: the default fits the column`, { value });
    }
  }
  t.strictSame(column(card, 'country').jsonDefault, { value: 'USA' }, 'country defaults to the form default USA');
  t.strictSame(column(card, 'lastname').jsonDefault, { value: '' }, 'lastname defaults to ""');
});

t.test('buildTableModel refuses inconsistent schemas with a pointer', async (t) => {
  const wrongType = copyOf('cc_card');
  wrongType.schema.properties.credit!.type = 'string';
  t.throws(() => buildTableModel(wrongType), {
    name: 'ModelError',
    file: 'schema/cc_card.json',
    pointer: '/properties/credit/type',
  });

  const missingNull = copyOf('cc_card_group');
  missingNull.schema.properties.name!.type = 'string';
  t.throws(() => buildTableModel(missingNull), { name: 'ModelError', pointer: '/properties/name/type' });

  const tooLong = copyOf('cc_card_group');
  tooLong.schema.properties.name!.maxLength = 51;
  t.throws(() => buildTableModel(tooLong), {
    pointer: '/properties/name/maxLength',
    message: /51 exceeds the column's length 50/,
  });

  const unknownRequired = copyOf('cc_card');
  unknownRequired.schema.required = [...(unknownRequired.schema.required ?? []), 'usrname'];
  t.throws(() => buildTableModel(unknownRequired), { pointer: /^\/required/, message: /"usrname" is not a property/ });

  const readOnlyRequired = copyOf('cc_card');
  readOnlyRequired.schema.required = [...(readOnlyRequired.schema.required ?? []), 'serial'];
  t.throws(() => buildTableModel(readOnlyRequired), { message: /"serial" is read-only and cannot be required/ });

  const unknownIndexColumn = copyOf('cc_card');
  unknownIndexColumn.schema['x-a2gen'].indexes![0]!.columns = ['user_name'];
  t.throws(() => buildTableModel(unknownIndexColumn), {
    name: 'ModelError',
    pointer: /^\/x-a2gen\/indexes\/0\/columns/,
  });

  const bothReadAndWrite = copyOf('cc_card');
  bothReadAndWrite.schema.properties.uipass!.readOnly = true;
  t.throws(() => buildTableModel(bothReadAndWrite), {
    pointer: '/properties/uipass',
    message: /both readOnly and writeOnly/,
  });

  const secretInAdmin = copyOf('cc_card');
  secretInAdmin.schema['x-admin'] = { list: ['id', 'uipass'] };
  t.throws(() => buildTableModel(secretInAdmin), { pointer: '/x-admin/list/1', message: /write-only/ });

  const secretFilter = copyOf('cc_card');
  secretFilter.schema['x-admin'] = { filter: ['status', 'lock_pin'] };
  t.throws(() => buildTableModel(secretFilter), { pointer: '/x-admin/filter/1', message: /write-only/ });

  const unknownFilter = copyOf('cc_card');
  unknownFilter.schema['x-admin'] = { filter: ['stauts'] };
  t.throws(() => buildTableModel(unknownFilter), {
    pointer: '/x-admin/filter/0',
    message: /"stauts" is not a property/,
  });

  const hugeKey = copyOf('cc_card_group');
  hugeKey.schema['x-admin'] = { protectedRows: [{ key: 2 ** 40, reason: 'too big for int(11)' }] };
  t.throws(() => buildTableModel(hugeKey), {
    pointer: '/x-admin/protectedRows/0/key',
    message: /out of the range of id \(int\(11\)\)/,
  });

  const strayGroup = copyOf('cc_card');
  strayGroup.schema['x-admin'] = {
    groups: [
      { title: 'A', fields: ['id'] },
      { title: 'B', fields: ['stauts'] },
    ],
  };
  t.throws(() => buildTableModel(strayGroup), { pointer: '/x-admin/groups/1/fields/0', message: /not a property/ });
  const twiceGrouped = copyOf('cc_card');
  twiceGrouped.schema['x-admin'] = {
    groups: [
      { title: 'A', fields: ['id'] },
      { title: 'B', fields: ['id'] },
    ],
  };
  t.throws(() => buildTableModel(twiceGrouped), { pointer: '/x-admin/groups/1/fields/0', message: /earlier group/ });
  const unknownOrdering = copyOf('cc_logrefill');
  unknownOrdering.schema['x-admin'] = { ordering: '-when' };
  t.throws(() => buildTableModel(unknownOrdering), {
    pointer: '/x-admin/ordering',
    message: /"when" is not a property/,
  });
  const secretMaintained = copyOf('cc_card');
  secretMaintained.schema['x-admin'] = { maintained: ['inuse', 'nosuch'] };
  t.throws(() => buildTableModel(secretMaintained), { pointer: '/x-admin/maintained/1', message: /not a property/ });

  t.ok(new ModelError('schema/x.json', '/a', 'b') instanceof Error, 'ModelError is an Error');
});

t.test("x-admin's groups, maintained columns, read-only models and orderings reach the model", async (t) => {
  t.equal(card.admin.groups?.[0]?.title, 'Account');
  t.same(
    card.admin.groups?.map((group) => group.title),
    ['Account', 'Balance and billing', 'Contact', 'Calling options', 'VoIP', 'Limits and usage'],
  );
  t.equal(new Set(card.admin.groups?.flatMap((group) => group.fields)).size, card.columns.length, 'every column once');
  t.ok(card.admin.maintained?.includes('inuse'));
  t.equal(buildTableModel(fileFor('cc_call')).admin.readOnly, true, 'call records are read-only in the admin');
  t.equal(buildTableModel(fileFor('cc_logrefill')).admin.ordering, '-id', 'refills newest first');
  t.equal(cardGroup.admin.groups, undefined);
});
