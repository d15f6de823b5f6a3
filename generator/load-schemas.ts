/**
 * Reads every schema/*.json file and checks it against the meta-schema.
 * Nothing is generated unless every file is valid.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import { metaSchema } from './meta-schema.js';

export interface SqlColumnSchema {
  type: string;
  nullable: boolean;
  default?: string | null;
  autoIncrement?: boolean;
  column?: string;
  /** A generated column, computed by the database from `expression`. */
  generated?: 'virtual' | 'stored';
  expression?: string;
}

export interface PropertySchema {
  type: string | string[];
  title?: string;
  description?: string;
  maxLength?: number;
  minLength?: number;
  default?: unknown;
  readOnly?: boolean;
  writeOnly?: boolean;
  'x-choices'?: { value: unknown; label: string }[];
  /** The column holds the primary key of another model's row. */
  format?: 'email';
  'x-references'?: { resource: string; label?: string; onDelete?: 'protect' | 'leave' };
  'x-sql': SqlColumnSchema;
}

export type ReferentialAction = 'RESTRICT' | 'CASCADE' | 'SET NULL' | 'NO ACTION' | 'SET DEFAULT';

/** A FOREIGN KEY constraint: `columns` are properties of this file, `references` names SQL columns of another table. */
export interface ForeignKeySchema {
  name: string;
  columns: string[];
  references: { table: string; columns: string[] };
  onDelete?: ReferentialAction;
  onUpdate?: ReferentialAction;
}

export interface TableSchema {
  title?: string;
  description?: string;
  required?: string[];
  'x-a2gen': {
    table: string;
    resource: string;
    primaryKey?: string[];
    view?: boolean;
    definition?: string;
    engine?: string;
    charset?: string;
    collation?: string;
    indexes?: { name: string; unique?: boolean; columns: string[] }[];
    foreignKeys?: ForeignKeySchema[];
    seed?: Record<string, unknown>[];
    adjustments?: string[];
    readOnly?: boolean;
    managed?: boolean;
  };
  properties: Record<string, PropertySchema>;
  'x-admin'?: {
    list?: string[];
    search?: string[];
    searchRelated?: string[];
    filter?: string[];
    protectedRows?: { key: number; reason: string }[];
    groups?: { title: string; description?: string; fields: string[] }[];
    maintained?: string[];
    readOnly?: boolean;
    ordering?: string;
    actions?: AdminActionSchema[];
  };
}

export interface AdminActionSchema {
  name: string;
  label: string;
  description?: string;
  set?: Record<string, unknown>;
  ask?: string[];
}

export interface SchemaFile {
  /** Path relative to the project root, with forward slashes: schema/cc_card.json. */
  source: string;
  schema: TableSchema;
}

/** One problem in one schema file. */
export interface SchemaProblem {
  file: string;
  pointer: string;
  message: string;
}

export class SchemaValidationError extends Error {
  constructor(readonly problems: SchemaProblem[]) {
    super(
      problems
        .map((problem) => `${problem.file}${problem.pointer ? ` at ${problem.pointer}` : ''}: ${problem.message}`)
        .join('\n'),
    );
    this.name = 'SchemaValidationError';
  }
}

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
const validateSchemaFile = ajv.compile(metaSchema);

export async function loadSchemas(projectDir: string, schemaDir = 'schema'): Promise<SchemaFile[]> {
  const directory = path.join(projectDir, schemaDir);
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.json')).sort();
  } catch {
    throw new SchemaValidationError([{ file: schemaDir, pointer: '', message: 'directory not found' }]);
  }
  if (names.length === 0) {
    throw new SchemaValidationError([{ file: schemaDir, pointer: '', message: 'no *.json schema files' }]);
  }
  const files: SchemaFile[] = [];
  const problems: SchemaProblem[] = [];
  for (const name of names) {
    const source = `${schemaDir}/${name}`;
    let data: unknown;
    try {
      data = JSON.parse(await readFile(path.join(directory, name), 'utf8'));
    } catch (error) {
      problems.push({ file: source, pointer: '', message: `not valid JSON: ${(error as Error).message}` });
      continue;
    }
    if (!validateSchemaFile(data)) {
      problems.push(...(validateSchemaFile.errors ?? []).map((error) => describe(source, error)));
      continue;
    }
    files.push({ source, schema: data as unknown as TableSchema });
  }
  if (problems.length > 0) throw new SchemaValidationError(problems);
  return files;
}

function describe(file: string, error: ErrorObject): SchemaProblem {
  const params = error.params as Record<string, unknown>;
  let message = error.message ?? 'is invalid';
  if (error.keyword === 'additionalProperties') message = `unknown keyword "${String(params.additionalProperty)}"`;
  if (error.keyword === 'enum')
    message = `${message}: ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (error.keyword === 'pattern' && error.instancePath.endsWith('/x-sql/type'))
    message = 'is not a supported MySQL column type';
  return { file, pointer: error.instancePath || '/', message };
}
