/**
 * The OpenAPI 3.1 document of the whole service, derived from the same
 * models as the routes: `generated/openapi.json`. Objects are built in a
 * fixed order and nothing depends on time or place, so two builds of the
 * same schemas print the same bytes.
 */
import type { ColumnModel, TableModel } from '../model.js';
import { HEADER_TEXT } from '../views.js';
import { compactJson } from './compact-json.js';
import { bodyNotes, inputSchema, rowSchema, type JsonObject } from './column-schemas.js';
import {
  errorHeaders,
  errorResponse,
  errorResponses,
  errorSchemas,
  securitySchemes,
  SECURITY_SCHEME,
  BEARER_SCHEME,
} from './errors.js';
import { filtersSchema, operatorTable } from './list-parameters.js';
import { modelComponents, sharedParameters, sharedResponses } from './components.js';
import { balancePaths } from './balance-paths.js';
import { modelPaths } from './paths.js';
import { preferParameters, TOTAL_PROPERTIES } from './bulk-paths.js';

export const OPENAPI_VERSION = '3.1.0';
/** Where the runtime serves the document and the browsable reference. */
export const DOCUMENT_PATH = '/api/openapi.json';
export const DOCS_PATH = '/docs';

/** The notice every generated file carries; JSON has no comments, so it goes in `x-generated-by` and `info.description`. */
export function generatedNotice(models: TableModel[]): string {
  return `${HEADER_TEXT}. Source: ${models.map((model) => model.source).join(', ')}. Rebuild with \`npx a2gen build\`.`;
}

/**
 * A field of a create body: the update body's schema by reference, plus what
 * differs on create (the default; a required field refusing null). In
 * OpenAPI 3.1 keywords beside $ref apply too, so a narrower type is an AND.
 */
function createProperty(column: ColumnModel, updateSchema: string): JsonObject {
  const create = inputSchema(column, 'create');
  const update = inputSchema(column, 'update');
  return {
    $ref: `#/components/schemas/${updateSchema}/properties/${column.name}`,
    ...(JSON.stringify(create.type) !== JSON.stringify(update.type) && { type: create.type }),
    ...(create.description !== update.description && { description: create.description }),
    ...('default' in create && { default: create.default }),
  };
}

function modelSchemas(model: TableModel, models: TableModel[]): Record<string, JsonObject> {
  const readable = model.columns.filter((column) => !column.writeOnly);
  const writable = model.columns.filter((column) => !column.readOnly);
  const required = writable.filter((column) => column.requiredOnCreate).map((column) => column.name);
  const name = model.typeName;
  const what = model.title.toLowerCase();
  return {
    [name]: {
      type: 'object',
      title: model.title,
      description: `${model.description ? `${model.description} ` : ''}A ${what} as the service returns it (table ${model.table}). Write-only fields are never returned; with \`fields=\`, a list returns only the fields asked for.`,
      properties: Object.fromEntries(readable.map((column) => [column.name, rowSchema(column)])),
    },
    [`${name}Create`]: {
      type: 'object',
      title: `New ${what}`,
      description: `The body of \`POST /api/${model.resource}/\`. Required: ${required.length > 0 ? required.join(', ') : 'nothing'}; fields left out get their defaults. Read-only fields and unknown fields are a 400. ${bodyNotes(writable)}`,
      additionalProperties: false,
      ...(required.length > 0 && { required }),
      properties: Object.fromEntries(writable.map((column) => [column.name, createProperty(column, `${name}Update`)])),
    },
    [`${name}Update`]: {
      type: 'object',
      title: `${model.title} changes`,
      description: `The body of an update of one ${what}: any subset of the fields; only those sent are written. Read-only fields and unknown fields are a 400. ${bodyNotes(writable)}`,
      additionalProperties: false,
      properties: Object.fromEntries(writable.map((column) => [column.name, inputSchema(column, 'update')])),
    },
    [`${name}List`]: {
      type: 'object',
      title: `${model.title} list page`,
      required: ['meta', 'objects'],
      properties: {
        meta: {
          type: 'object',
          required: ['model', 'next', 'page', 'previous'],
          properties: {
            model: { type: 'string', const: model.resource },
            next: {
              type: 'string',
              description: 'Relative URL of the next page with every parameter sent, or "" on the last page.',
            },
            page: { type: 'integer', minimum: 1 },
            ...TOTAL_PROPERTIES,
            previous: {
              type: 'string',
              description: 'Relative URL of the previous page, or "" on the first page (and when paging with after).',
            },
          },
        },
        objects: { type: 'array', items: { $ref: `#/components/schemas/${name}` } },
      },
    },
    [`${name}Filters`]: filtersSchema(model, models),
  };
}

function sharedSchemas(): Record<string, JsonObject> {
  return {
    ApiIndex: {
      type: 'object',
      required: ['resources'],
      properties: {
        resources: { type: 'array', items: { type: 'string' }, description: 'The list URL of each resource.' },
      },
    },
    Deleted: {
      type: 'object',
      required: ['deleted'],
      properties: { deleted: { type: 'integer', const: 1 } },
    },
    ...errorSchemas(),
  };
}

function servicePaths(): Record<string, JsonObject> {
  const unauthorized = { '401': { $ref: `#/components/responses/${errorResponse(401)}` } };
  return {
    '/api/': {
      get: {
        tags: ['api'],
        summary: 'List the resources',
        operationId: 'listResources',
        responses: {
          '200': {
            description: 'The list URL of every resource.',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/ApiIndex' } } },
          },
          ...unauthorized,
          '429': { $ref: `#/components/responses/${errorResponse(429)}` },
        },
      },
    },
    [DOCUMENT_PATH]: {
      get: {
        tags: ['api'],
        summary: 'This document',
        description: `The OpenAPI document, exactly as committed in generated/openapi.json. Public: it holds no data. A browsable reference is at ${DOCS_PATH}.`,
        operationId: 'getOpenApiDocument',
        security: [],
        responses: {
          '200': {
            description: 'The OpenAPI document.',
            content: { 'application/json': { schema: { type: 'object' } } },
          },
        },
      },
    },
  };
}

function sortedByKey<T>(entries: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(entries).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function openApiDocument(models: TableModel[]): JsonObject {
  const notice = generatedNotice(models);
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: 'A2Billing REST API',
      version: '1.0.0',
      summary: `The ${models.map((model) => model.resource).join(', ')} resources of an A2Billing database, served by a2gen.`,
      description: [
        notice,
        `Every route under /api/ needs HTTP Basic authentication (any active user) or an API key (\`Authorization: Bearer a2k_…\`), except this document (${DOCUMENT_PATH}); the browsable reference at ${DOCS_PATH} is public too.`,
        'Every route answers the same with or without the trailing slash. Lists are always ordered (by the primary key last), so pages are stable. Errors are JSON `{"error", "code", "fields"}` with a stable `code`; never an HTML page.',
        '## Filters',
        "A list takes `field=value` and `field__op=value`, and through a reference `reference__field=value` and `reference__field__op=value`. Different parameters must all match (AND); repeating one matches any of its values (OR), except `ne` and `not_in`, whose values must all differ. Values are checked against the field's type. Unknown parameters and operators, and write-only fields, are a 400 naming them. Each list documents `field=value` as a parameter per field, and the rest in its `filters` parameter.",
        operatorTable(),
      ].join('\n\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    'x-generated-by': notice,
    tags: [
      ...models.map((model) => ({ name: model.resource, description: model.description ?? model.title })),
      { name: 'api', description: 'The API itself.' },
    ],
    // Either: a user's Basic credentials or an API key.
    security: [{ [SECURITY_SCHEME]: [] }, { [BEARER_SCHEME]: [] }],
    paths: Object.assign({}, ...models.map((model) => modelPaths(model, models)), balancePaths(models), servicePaths()),
    components: {
      schemas: sortedByKey(Object.assign({}, ...models.map((model) => modelSchemas(model, models)), sharedSchemas())),
      responses: sortedByKey(
        Object.assign(
          {},
          ...models.map((model) => modelComponents(model).responses),
          sharedResponses(),
          errorResponses(),
        ),
      ),
      requestBodies: sortedByKey(Object.assign({}, ...models.map((model) => modelComponents(model).requestBodies))),
      parameters: { ...sharedParameters(), ...preferParameters() },
      headers: errorHeaders(),
      securitySchemes: securitySchemes(),
    },
  };
}

/** Lines of generated/openapi.json hold at most this many characters, unless one string is longer. */
export const OPENAPI_LINE_WIDTH = 120;

/** The document as generated/openapi.json holds it: compact, but still one thing to a line where that reads better. */
export function openApiJson(models: TableModel[]): string {
  return compactJson(openApiDocument(models), OPENAPI_LINE_WIDTH);
}
