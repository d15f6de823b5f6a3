/**
 * The routes of one model (COMPAT.md's table) as OpenAPI path items:
 * list and create, one row (read, partial update, delete), and the legacy
 * delete alias. Paths are written with the trailing slash; the service
 * answers the same without it.
 */
import type { ColumnModel, TableModel } from '../model.js';
import type { JsonObject } from './column-schemas.js';
import { errorResponse } from './errors.js';
import { IF_MATCH, IF_NONE_MATCH, jsonContent, ref } from './components.js';
import { compositeKeySchema, listParameters } from './list-parameters.js';
import { collectionWrites, createdResponse, createOneOrManyBody, PREFER_COUNT } from './bulk-paths.js';

/** Which methods each route serves; the service answers 405 with an Allow header for the others. */
export const ROUTE_METHODS = {
  list: ['get', 'post', 'patch', 'delete'],
  detail: ['get', 'post', 'put', 'patch', 'delete'],
  deleteAlias: ['post', 'delete'],
  adjustment: ['post'],
} as const;

/** A read-only model (the audit trail, a view) serves only these; without a key, only its list. */
export const READ_ONLY_METHODS = { list: ['get'], detail: ['get'] } as const;

export function routePaths(resource: string): { list: string; detail: string; deleteAlias: string } {
  return { list: `/api/${resource}/`, detail: `/api/${resource}/{id}/`, deleteAlias: `/api/${resource}/{id}/delete/` };
}

/** Error responses by status, each a reference to the shared component. */
export function errors(...statuses: number[]): Record<string, JsonObject> {
  return Object.fromEntries(statuses.map((status) => [String(status), ref('responses', errorResponse(status))]));
}

/** Every /api/ request can fail authentication, be refused by the caller's role, be rate limited, or find the database away. */
export const ALWAYS = [401, 403, 429, 503];
/** Requests with a body can also send too much, or something that is neither JSON nor a form. */
export const WITH_BODY = [400, 413, 415];

/** `Idempotency-Key`: a retry answers the first result (runtime/http/idempotency.ts). */
export const IDEMPOTENCY_KEY_PARAMETER = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description:
    'Any unique text (1 to 255 printable ASCII characters): a retry with the same key answers the first result, byte for byte, with `Idempotent-Replayed: true`, and changes nothing; the same key with another body is a 422. Keys belong to the user that sent them.',
  schema: { type: 'string', maxLength: 255 },
};

function allowText(methods: readonly string[]): string {
  const allowed = methods.map((method) => method.toUpperCase());
  if (allowed.includes('GET')) allowed.splice(1, 0, 'HEAD');
  return `Serves ${allowed.join(', ')}; any other method answers 405 (\`method_not_allowed\`) with \`Allow: ${allowed.join(', ')}\`, and OPTIONS answers 204 with that header.`;
}

/** How filters follow this model's references, when it has any. */
function referenceText(model: TableModel, models: TableModel[]): string[] {
  const references = model.columns.filter((column) => column.references && column.operators.length > 0);
  const example = references[0];
  if (example === undefined) return [];
  const target = models.find((candidate) => candidate.resource === example.references!.resource);
  const field = example.references!.label ?? target?.key[0]?.name ?? 'id';
  return [
    `Filters follow references: ${references.map((column) => `\`${column.name}\` → ${column.references!.resource}`).join(', ')}. A path names the reference, then a field of the referenced resource, then the operator, e.g. \`${example.name}__${field}__ilike=def%\`.`,
  ];
}

/** The `{id}` path parameter: the primary key, one part or several separated by commas. */
function keyParameter(model: TableModel): JsonObject {
  const title = model.title.toLowerCase();
  const [only] = model.key;
  if (model.key.length === 1 && only!.kind === 'integer') {
    const description = `The ${only!.name} of the ${title}: a positive whole number; anything else is a 404.`;
    return {
      name: 'id',
      in: 'path',
      required: true,
      description,
      schema: { type: 'integer', minimum: 1, ...(only!.sql.base === 'bigint' && { format: 'int64' }) },
    };
  }
  const parts = model.key.map((column) => `${column.name} (${column.sql.text})`).join(', then ');
  const description =
    model.key.length === 1
      ? `The ${parts} of the ${title}, percent-encoded; a value that cannot be a key is a 404.`
      : `The key of the ${title}: ${parts}, separated by a comma, each part percent-encoded (a comma inside a value is %2C); a value that cannot be a key is a 404.`;
  const schema = model.key.length === 1 ? { type: 'string', minLength: 1 } : compositeKeySchema(model);
  return { name: 'id', in: 'path', required: true, description, schema };
}

export function modelPaths(model: TableModel, models: TableModel[]): Record<string, JsonObject> {
  const { resource, typeName, title } = model;
  const paths = routePaths(resource);
  const tags = [resource];
  const row = ref('responses', typeName);
  const deleted = ref('responses', 'Deleted');
  const update = (method: string, operationId: string) => ({
    tags,
    summary: `Update a ${title.toLowerCase()} (partial, ${method})`,
    description:
      method === 'PUT'
        ? 'Partial update: only the fields sent are written, in one UPDATE of those columns, so columns not sent (zero dates included) are never rewritten. `{}` changes nothing and returns the row. PUT, PATCH and POST behave the same.'
        : 'The same as PUT: a partial update.',
    operationId,
    parameters: [IF_MATCH],
    requestBody: ref('requestBodies', `${typeName}Update`),
    responses: { '200': row, ...errors(...WITH_BODY, 404, 409, 412, ...ALWAYS) },
  });
  const remove = (summary: string, operationId: string, method: string) => ({
    tags,
    summary,
    description: `Deletes the row and answers \`{"deleted": 1}\`; again, 404.${method === 'post' ? ' No body is needed.' : ''}`,
    operationId,
    parameters: [IF_MATCH],
    responses: { '200': deleted, ...errors(...(method === 'post' ? WITH_BODY : []), 404, 409, 412, ...ALWAYS) },
  });
  const list = {
    tags,
    summary: `List ${title.toLowerCase()} rows`,
    description: [
      `One page of rows in the \`{"meta", "objects"}\` envelope. \`meta.next\` and \`meta.previous\` are relative URLs carrying every parameter sent (with \`page\` replaced), or empty strings. A total count only when asked for (\`Prefer: count=exact\` or \`count=estimated\`).`,
      'Filters: `field=value` (a parameter per field; repeat it to match any of several values) and `field__op=value` (in `filters`); the operators are described under Filters in the API description.',
      ...referenceText(model, models),
    ].join('\n\n'),
    operationId: `list${typeName}`,
    parameters: [...listParameters(model, models), PREFER_COUNT],
    responses: {
      '200': {
        description: 'One page of rows.',
        headers: {
          'Content-Range': {
            description: 'With `Prefer: count=…`: the rows shown and how many match, `0-19/4096` (`*/0` for none).',
            schema: { type: 'string' },
          },
        },
        content: jsonContent(ref('schemas', `${typeName}List`)),
      },
      ...errors(400, ...ALWAYS),
    },
  };
  const read = {
    tags,
    summary: `Read a ${title.toLowerCase()}`,
    description: 'The row itself, without an envelope, with its `ETag`.',
    operationId: `get${typeName}`,
    parameters: [IF_NONE_MATCH],
    responses: {
      '200': row,
      '304': { description: 'Not modified: the row still has the tag sent in `If-None-Match`.' },
      ...errors(404, ...ALWAYS),
    },
  };

  if (model.key.length === 0) {
    return {
      [paths.list]: {
        summary: `${title} list (read-only, list only)`,
        description: `${allowText(READ_ONLY_METHODS.list)} ${model.view ? 'A view' : 'The table'} has no key, so its rows have no URL of their own: \`${paths.detail}\` answers 404.`,
        get: list,
      },
    };
  }
  const idParameter = keyParameter(model);
  if (model.readOnly) {
    return {
      [paths.list]: { summary: `${title} list (read-only)`, description: allowText(READ_ONLY_METHODS.list), get: list },
      [paths.detail]: {
        summary: `One ${title.toLowerCase()} (read-only)`,
        description: allowText(READ_ONLY_METHODS.detail),
        parameters: [idParameter],
        get: read,
      },
    };
  }

  return {
    [paths.list]: {
      summary: `${title} list and create`,
      description: allowText(ROUTE_METHODS.list),
      get: list,
      post: {
        tags,
        summary: `Create a ${title.toLowerCase()}, or many`,
        description:
          'Inserts the row and answers with it as stored (re-read, so database defaults show). Fields left out get their defaults. An array (or a CSV file) creates every row or none.',
        operationId: `create${typeName}`,
        requestBody: createOneOrManyBody(model),
        responses: { '200': createdResponse(model), ...errors(...WITH_BODY, 409, ...ALWAYS) },
      },
      ...collectionWrites(model, listParameters(model, models)),
    },
    [paths.detail]: {
      summary: `One ${title.toLowerCase()}`,
      description: allowText(ROUTE_METHODS.detail),
      parameters: [idParameter],
      get: read,
      put: update('PUT', `update${typeName}`),
      patch: update('PATCH', `patch${typeName}`),
      post: update('POST', `update${typeName}ByPost`),
      delete: remove(`Delete a ${title.toLowerCase()}`, `delete${typeName}`, 'delete'),
    },
    [paths.deleteAlias]: {
      summary: `Delete a ${title.toLowerCase()} (legacy alias)`,
      description: allowText(ROUTE_METHODS.deleteAlias),
      parameters: [idParameter],
      post: remove(`Delete a ${title.toLowerCase()} (legacy alias, POST)`, `delete${typeName}ByAliasPost`, 'post'),
      delete: remove(
        `Delete a ${title.toLowerCase()} (legacy alias, DELETE)`,
        `delete${typeName}ByAliasDelete`,
        'delete',
      ),
    },
    ...Object.fromEntries(
      model.adjustments.map((column) => [
        adjustmentPath(resource, column.name),
        adjustmentPathItem(model, column, idParameter),
      ]),
    ),
  };
}

export function adjustmentPath(resource: string, name: string): string {
  return `/api/${resource}/{id}/${name}`;
}

/** `POST /api/<resource>/<id>/<column>`: add to a decimal column in one statement. */
function adjustmentPathItem(model: TableModel, column: ColumnModel, idParameter: JsonObject): JsonObject {
  const { typeName, title } = model;
  const scale = column.sql.scale ?? 0;
  const decimal = (description: string) => ({
    type: ['string', 'number'],
    description: `${description} At most ${scale} decimal places; a string keeps it exact.`,
    examples: [scale > 0 ? `5.${'0'.repeat(scale)}` : '5'],
  });
  return {
    summary: `Adjust a ${title.toLowerCase()}'s ${column.name}`,
    description: allowText(ROUTE_METHODS.adjustment),
    parameters: [idParameter, IDEMPOTENCY_KEY_PARAMETER],
    post: {
      tags: [model.resource],
      summary: `Add to ${column.name}, atomically`,
      description: `Runs \`${column.column} = ${column.column} + delta\` as one statement, in exact decimal arithmetic, and answers the value that statement stored (exact, as text). With \`min_balance\`, the statement changes nothing unless the result stays at or above it (409). Never read, add and write back: concurrent adjustments would lose one another.`,
      operationId: `adjust${typeName}${column.name.charAt(0).toUpperCase()}${column.name.slice(1)}`,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              required: ['delta'],
              properties: {
                delta: decimal(`What to add to ${column.name}; negative subtracts.`),
                min_balance: decimal(`The lowest ${column.name} the adjustment may leave.`),
                note: { type: 'string', maxLength: 1000, description: 'Kept with the adjustment in the audit trail.' },
              },
            },
          },
        },
      },
      responses: {
        '200': {
          description: `The new ${column.name}.`,
          content: jsonContent({
            type: 'object',
            required: ['id', column.name, 'delta'],
            properties: {
              id: { type: ['integer', 'string'] },
              [column.name]: { type: 'string', description: `Exactly as stored, with ${scale} decimal places.` },
              delta: { type: 'string', description: 'The delta applied, with the same decimal places.' },
            },
          }),
        },
        ...errors(...WITH_BODY, 404, 409, 422, ...ALWAYS),
      },
    },
  };
}
