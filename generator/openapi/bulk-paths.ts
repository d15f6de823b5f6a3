/**
 * The OpenAPI side of counts and bulk writes (runtime/api/bulk-routes.ts):
 * the `Prefer` header in its two uses, a create of one row or many (a JSON
 * array, a CSV file), and the guarded update and delete of every row a
 * list's filters match.
 */
import type { TableModel } from '../model.js';
import type { JsonObject } from './column-schemas.js';
import { jsonContent, ref } from './components.js';
import { errorResponse } from './errors.js';

const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((status) => [String(status), ref('responses', errorResponse(status))]));

export const PREFER_COUNT = ref('parameters', 'PreferCount');
export const PREFER_MAX_AFFECTED = ref('parameters', 'PreferMaxAffected');

export function preferParameters(): Record<string, JsonObject> {
  return {
    PreferCount: {
      name: 'Prefer',
      in: 'header',
      required: false,
      description:
        "`count=exact` adds `meta.total`, a COUNT(*) with the filters, and a `Content-Range: 0-19/N` header; `count=estimated` takes the server's own figure instead (a MyISAM table's exact row count without filters, InnoDB's statistics, the optimizer's estimate with filters) and says so in `meta.total_estimated`. Without it a list costs no count. Other preferences are ignored.",
      schema: { type: 'string', enum: ['count=exact', 'count=estimated'] },
    },
    PreferMaxAffected: {
      name: 'Prefer',
      in: 'header',
      required: true,
      description:
        '`max-affected=N`: the most rows this write may change. When more rows match, 409 `too_many_rows` and nothing changes.',
      schema: { type: 'string', pattern: '^max-affected=[0-9]{1,9}$', example: 'max-affected=100' },
    },
  };
}

/** `meta.total` and `meta.total_estimated` of a list page. */
export const TOTAL_PROPERTIES = {
  total: { type: 'integer', minimum: 0, description: 'With `Prefer: count=…` only: how many rows match.' },
  total_estimated: {
    type: 'boolean',
    description: "With `Prefer: count=…` only: true when `total` is the server's estimate rather than a count.",
  },
};

/** The create body: one row, or up to A2B_MAX_BULK of them as a JSON array or a CSV file. */
export function createOneOrManyBody(model: TableModel): JsonObject {
  const one = ref('schemas', `${model.typeName}Create`);
  return {
    required: true,
    description:
      'One row as a JSON object (under any content type that parses as JSON) or form-encoded (plain fields, or one field `data` holding the JSON); or many rows, all or none: a JSON array (at most A2B_MAX_BULK rows, default 1000; more is a 413), a bad row named by its index (`[3].credit`), a unique value repeated or already taken a 409 naming the row; or `text/csv` with a header row of field names, an empty cell a field not sent.',
    content: {
      'application/json': { schema: { oneOf: [one, { type: 'array', minItems: 1, items: one }] } },
      'application/x-www-form-urlencoded': { schema: one },
      'text/csv': { schema: { type: 'string', description: 'A header row of field names, then a row a record.' } },
    },
  };
}

/** The answer of a create: the row, or `{"objects": [...]}` for many, in the order sent. */
export function createdResponse(model: TableModel): JsonObject {
  return {
    description: `The ${model.title.toLowerCase()} as stored, with its \`ETag\`; for many rows, \`{"objects": [...]}\` in the order sent.`,
    content: jsonContent({
      oneOf: [
        ref('schemas', model.typeName),
        {
          type: 'object',
          required: ['objects'],
          properties: { objects: { type: 'array', items: ref('schemas', model.typeName) } },
        },
      ],
    }),
  };
}

/** PATCH and DELETE of the list URL: every row the filters match, at most `Prefer: max-affected`. */
export function collectionWrites(model: TableModel, listParameters: JsonObject[]): JsonObject {
  const { typeName, resource, title } = model;
  const what = title.toLowerCase();
  // The `filters` object alone stands for the list's filters here: a parameter per field again would add
  // a quarter to the document for what the list's GET already spells out.
  const parameters = [...listParameters.filter((parameter) => parameter.name === 'filters'), PREFER_MAX_AFFECTED];
  const counted = (name: string) => ({
    description: `How many rows were ${name}.`,
    content: jsonContent({ type: 'object', required: [name], properties: { [name]: { type: 'integer', minimum: 0 } } }),
  });
  const guard =
    "The filters are the list's (`field=value`, `field__op=value`, through references too; paging and `fields` are a 400). At least one filter is required, and `Prefer: max-affected=N`; when more than N rows match, 409 `too_many_rows` and nothing changes. Each changed row gets its own audit entry.";
  return {
    patch: {
      tags: [resource],
      summary: `Update every ${what} the filters match`,
      description: `Writes the fields sent to every matching row. ${guard}`,
      operationId: `update${typeName}Where`,
      parameters,
      requestBody: ref('requestBodies', `${typeName}Update`),
      responses: { '200': counted('updated'), ...errors(400, 409, 413, 415, 401, 429, 503) },
    },
    delete: {
      tags: [resource],
      summary: `Delete every ${what} the filters match`,
      description: `Deletes every matching row. ${guard}`,
      operationId: `delete${typeName}Where`,
      parameters,
      responses: { '200': counted('deleted'), ...errors(400, 409, 401, 429, 503) },
    },
  };
}
