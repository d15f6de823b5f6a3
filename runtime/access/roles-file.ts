/**
 * The roles file (`roles.json` in the project, or A2B_ROLES_FILE): who may
 * do what, declared as data. Read and checked for shape here; checked
 * against the models, and compiled, by policy.ts.
 *
 * {
 *   "roles": {
 *     "read-only": { "grants": { "*": ["list", "get", "export"] } },
 *     "agent": {
 *       "attributes": ["agent"],
 *       "grants": {
 *         "cardgroup": { "operations": ["list", "get"], "scope": { "id_agent": { "attribute": "agent" } } },
 *         "card": { "operations": ["list", "get", "update"], "scope": { "id_group": { "in": "cardgroup" } },
 *                   "readOnly": ["credit"], "hidden": ["loginkey"] },
 *         "*": { "operations": ["list", "get"], "scope": { "referencing": "card" } }
 *       }
 *     }
 *   }
 * }
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

/** What a role may do to a model's rows; each route needs one. */
export const OPERATIONS = ['list', 'get', 'create', 'update', 'delete', 'adjust', 'export'] as const;
export type Operation = (typeof OPERATIONS)[number];

/** A row scope's test of one column: equal to an attribute of the caller, or the key of a row in the caller's scope of another model. */
export type ColumnPredicate = { readonly attribute: string } | { readonly in: string };

/**
 * A predicate over the row: every named column's test holds (AND). `referencing` (in a `*` grant) means:
 * the model's columns that reference that model each hold a key of a row in scope.
 */
export type ScopeSpec = { readonly referencing: string } | Readonly<Record<string, ColumnPredicate>>;

export interface GrantSpec {
  readonly operations: readonly (Operation | '*')[];
  /** Columns this role never sees: not returned, filtered, sorted or exported. */
  readonly hidden?: readonly string[];
  /** Columns this role sees but may not write. */
  readonly readOnly?: readonly string[];
  readonly scope?: ScopeSpec;
}

export interface RoleSpec {
  readonly description?: string;
  /** The attributes every user or key of this role must have (the row scopes' parameters). */
  readonly attributes?: readonly string[];
  /** By model (resource name), or `*` for every model not named; a list of operations is a grant without limits. */
  readonly grants: Readonly<Record<string, GrantSpec | readonly (Operation | '*')[] | '*'>>;
}

export interface RolesFile {
  readonly roles: Readonly<Record<string, RoleSpec>>;
}

const NAME = '^[a-z0-9][a-z0-9_-]{0,63}$';
const operations = {
  type: 'array',
  items: { enum: [...OPERATIONS, '*'] },
  uniqueItems: true,
};
const columns = { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true };
const predicate = {
  oneOf: [
    {
      type: 'object',
      required: ['attribute'],
      additionalProperties: false,
      properties: { attribute: { type: 'string', pattern: NAME } },
    },
    {
      type: 'object',
      required: ['in'],
      additionalProperties: false,
      properties: { in: { type: 'string', minLength: 1 } },
    },
  ],
};
const SCHEMA = {
  type: 'object',
  required: ['roles'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    roles: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: {
        type: 'object',
        required: ['grants'],
        additionalProperties: false,
        properties: {
          description: { type: 'string' },
          attributes: { type: 'array', items: { type: 'string', pattern: NAME }, uniqueItems: true },
          grants: {
            type: 'object',
            additionalProperties: {
              oneOf: [
                { const: '*' },
                operations,
                {
                  type: 'object',
                  required: ['operations'],
                  additionalProperties: false,
                  properties: {
                    operations,
                    hidden: columns,
                    readOnly: columns,
                    scope: {
                      oneOf: [
                        {
                          type: 'object',
                          required: ['referencing'],
                          additionalProperties: false,
                          properties: { referencing: { type: 'string', minLength: 1 } },
                        },
                        {
                          type: 'object',
                          minProperties: 1,
                          not: { required: ['referencing'] },
                          additionalProperties: predicate,
                        },
                      ],
                    },
                  },
                },
              ],
            },
          },
        },
      },
    },
  },
} as const;

// Compiled when a file is first read. The schema is ours and fixed: checking it against JSON Schema's own
// meta-schema (ajv's default) would cost ~30 ms of every start, and tells nothing new after the first.
let compiled: ValidateFunction<RolesFile> | undefined;
const rolesValidator = () =>
  (compiled ??= new Ajv({ allErrors: true, strict: false, validateSchema: false }).compile<RolesFile>(SCHEMA));

/** A roles file that cannot be used: says which file, where and why. */
export class RolesFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RolesFileError';
  }
}

/** The roles of a file's JSON text; `source` names it in errors. */
export function parseRoles(text: string, source: string): RolesFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RolesFileError(`${source}: not JSON: ${(error as Error).message}`);
  }
  const validate = rolesValidator();
  if (!validate(json)) {
    // Of the alternatives a grant may take, the error deepest in the document is the one that says what is wrong.
    const errors = validate.errors ?? [];
    const depth = Math.max(...errors.map((error) => error.instancePath.split('/').length));
    const problems = errors
      .filter((error) => error.instancePath.split('/').length === depth && error.keyword !== 'oneOf')
      .map((error) => {
        const { allowedValues, additionalProperty } = error.params as {
          allowedValues?: unknown[];
          additionalProperty?: string;
        };
        const detail =
          additionalProperty !== undefined
            ? `has an unknown key "${additionalProperty}"`
            : allowedValues !== undefined
              ? `must be one of ${allowedValues.join(', ')}`
              : (error.message ?? 'is invalid');
        return `${error.instancePath || '/'} ${detail}`;
      });
    throw new RolesFileError(`${source}: ${[...new Set(problems)].slice(0, 5).join('; ')}`);
  }
  return json;
}

/** With no roles file there is one role, `admin`, that may do everything: how the service behaved before roles. */
export const ONLY_ADMIN: RolesFile = { roles: { admin: { grants: { '*': '*' } } } };

/** Reads the roles file at `path`; a missing file is ONLY_ADMIN unless `required` (the path was configured). */
export function readRolesFile(path: string, required: boolean): RolesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return ONLY_ADMIN;
    throw new RolesFileError(`${path}: cannot be read: ${(error as Error).message}`);
  }
  return parseRoles(text, path);
}

/**
 * The roles file's check of a role given to a user or a key: one of its roles, with every attribute the
 * role declares (its row scopes' parameters).
 */
export function roleChecker(file: RolesFile) {
  return (role: string, attributes?: Readonly<Record<string, string>>): string | undefined => {
    const spec = file.roles[role];
    if (spec === undefined) return `${role} is not a role of the roles file (${Object.keys(file.roles).join(', ')})`;
    const missing = (spec.attributes ?? []).filter(
      (name) => attributes !== undefined && attributes[name] === undefined,
    );
    return missing.length === 0
      ? undefined
      : `role ${role} needs the attribute${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (${missing.map((name) => `${name}=…`).join(' ')})`;
  };
}
