/**
 * The generator's own meta-schema: what a file in schema/ may contain.
 * Checked with ajv before anything is generated, so a mistake in a schema
 * file is reported with its JSON pointer instead of surfacing as odd code.
 */

const identifier = { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$', maxLength: 64 } as const;

const jsonType = { enum: ['integer', 'number', 'string', 'boolean', 'array', 'object', 'null'] } as const;

const sqlColumn = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'nullable'],
  properties: {
    type: {
      type: 'string',
      pattern:
        "^((tinyint|smallint|mediumint|int|integer|bigint|bit|bool|boolean|decimal|numeric|float|double|char|varchar|tinytext|text|mediumtext|longtext|binary|varbinary|tinyblob|blob|mediumblob|longblob|timestamp|datetime|date|time|year|json|geometry|point|linestring|polygon|multipoint|multilinestring|multipolygon|geometrycollection|geomcollection)(\\([0-9]+(,[0-9]+)?\\))?( unsigned)?|(enum|set)\\('.*'\\))$",
    },
    /** A generated column: the database computes it from `expression`; the API never writes it. */
    generated: { enum: ['virtual', 'stored'] },
    expression: { type: 'string', minLength: 1 },
    nullable: { type: 'boolean' },
    default: { type: ['string', 'null'] },
    autoIncrement: { type: 'boolean' },
    column: identifier,
  },
} as const;

const choice = {
  type: 'object',
  additionalProperties: false,
  required: ['value', 'label'],
  properties: {
    value: { type: ['integer', 'number', 'string'] },
    label: { type: 'string', minLength: 1 },
  },
} as const;

const property = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'x-sql'],
  properties: {
    type: { anyOf: [jsonType, { type: 'array', items: jsonType, minItems: 1, uniqueItems: true }] },
    title: { type: 'string' },
    description: { type: 'string' },
    maxLength: { type: 'integer', minimum: 0 },
    minLength: { type: 'integer', minimum: 0 },
    default: {},
    readOnly: { type: 'boolean' },
    writeOnly: { type: 'boolean' },
    // A text column's values are email addresses (an empty text still means none).
    format: { enum: ['email'] },
    'x-choices': { type: 'array', items: choice, minItems: 1 },
    'x-references': {
      type: 'object',
      additionalProperties: false,
      required: ['resource'],
      properties: {
        resource: { type: 'string', pattern: '^[a-z][a-z0-9_]*$' },
        label: identifier,
        // Deleting the referenced row in the admin: refused while rows refer to it, or done, leaving them.
        onDelete: { enum: ['protect', 'leave'] },
      },
    },
    'x-sql': sqlColumn,
  },
} as const;

const index = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'columns'],
  properties: {
    name: identifier,
    unique: { type: 'boolean' },
    columns: { type: 'array', items: identifier, minItems: 1 },
  },
} as const;

/** A FOREIGN KEY constraint, as introspection read it: its columns (properties) and what they reference (SQL names). */
const foreignKey = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'columns', 'references'],
  properties: {
    name: identifier,
    columns: { type: 'array', items: identifier, minItems: 1 },
    references: {
      type: 'object',
      additionalProperties: false,
      required: ['table', 'columns'],
      properties: { table: identifier, columns: { type: 'array', items: identifier, minItems: 1 } },
    },
    onDelete: { enum: ['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT'] },
    onUpdate: { enum: ['RESTRICT', 'CASCADE', 'SET NULL', 'NO ACTION', 'SET DEFAULT'] },
  },
} as const;

export const metaSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://a2gen.dev/meta-schema.json',
  type: 'object',
  additionalProperties: false,
  required: ['x-a2gen', 'type', 'properties'],
  properties: {
    $schema: { type: 'string' },
    title: { type: 'string' },
    description: { type: 'string' },
    type: { const: 'object' },
    additionalProperties: { const: false },
    required: { type: 'array', items: identifier, uniqueItems: true },
    'x-a2gen': {
      type: 'object',
      additionalProperties: false,
      required: ['table', 'resource'],
      properties: {
        table: identifier,
        resource: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', maxLength: 64 },
        // Absent: the table has none (rows are then addressed by a NOT NULL unique key, if any: row-key.ts).
        primaryKey: { type: 'array', items: identifier, minItems: 1, uniqueItems: true },
        // A view: read-only; primaryKey, if given, is a key declared by hand (the database checks none).
        view: { type: 'boolean' },
        // A view's SELECT, in SQL both databases read: creates it in the embedded database (and the MySQL DDL).
        definition: { type: 'string', minLength: 1 },
        engine: { type: 'string', pattern: '^[A-Za-z]+$' },
        charset: { type: 'string', pattern: '^[a-z0-9]+$' },
        collation: { type: 'string', pattern: '^[a-z0-9_]+$' },
        indexes: { type: 'array', items: index },
        foreignKeys: { type: 'array', items: foreignKey },
        seed: { type: 'array', items: { type: 'object' } },
        adjustments: { type: 'array', items: identifier, uniqueItems: true },
        readOnly: { type: 'boolean' },
        managed: { type: 'boolean' },
      },
    },
    properties: {
      type: 'object',
      minProperties: 1,
      propertyNames: identifier,
      additionalProperties: property,
    },
    'x-admin': {
      type: 'object',
      additionalProperties: false,
      properties: {
        list: { type: 'array', items: identifier },
        search: { type: 'array', items: identifier },
        // Columns of rows that reference this model, searched too: "callerid.cid" (a caller ID finds its card).
        searchRelated: {
          type: 'array',
          items: { type: 'string', pattern: '^[a-z][a-z0-9_]*\\.[A-Za-z_][A-Za-z0-9_]*$' },
          uniqueItems: true,
        },
        filter: { type: 'array', items: identifier, uniqueItems: true },
        protectedRows: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['key', 'reason'],
            properties: { key: { type: 'integer' }, reason: { type: 'string', minLength: 1 } },
          },
        },
        // The edit form's fieldsets, in order; columns in none come last, under "Other".
        groups: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'fields'],
            properties: {
              title: { type: 'string', minLength: 1, maxLength: 60 },
              description: { type: 'string' },
              fields: { type: 'array', items: identifier, minItems: 1, uniqueItems: true },
            },
          },
        },
        // Columns something else keeps up to date (the telephony engine's counters): shown, never edited in the admin.
        maintained: { type: 'array', items: identifier, uniqueItems: true },
        // Rows the admin shows but never changes (call records); the API is not affected.
        readOnly: { type: 'boolean' },
        // The list's order when the URL names none: a column, `-column` for descending (newest first).
        ordering: { type: 'string', pattern: '^-?[A-Za-z_][A-Za-z0-9_]*$' },
        // Changes an operator makes to one row or to the rows selected in the list, after a confirmation.
        actions: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'label'],
            properties: {
              name: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40 },
              label: { type: 'string', minLength: 1, maxLength: 40 },
              description: { type: 'string' },
              // Fixed values the action writes: { "status": 7 }.
              set: { type: 'object', propertyNames: identifier, minProperties: 1 },
              // Columns the operator chooses a value for on the confirmation page: ["id_group"].
              ask: { type: 'array', items: identifier, minItems: 1, uniqueItems: true },
            },
          },
        },
      },
    },
  },
} as const;
