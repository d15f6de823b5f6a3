/**
 * What the operations of the document share by reference: the conditional
 * request headers, each model's request bodies and row response, and the
 * responses every model shares.
 */
import type { TableModel } from '../model.js';
import type { JsonObject } from './column-schemas.js';

export const ref = (kind: 'schemas' | 'responses' | 'requestBodies' | 'parameters', name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

export function jsonContent(schema: JsonObject): JsonObject {
  return { 'application/json': { schema } };
}

/** A write with `If-Match` applies only while the row still has that ETag. */
const IF_MATCH_PARAMETER = {
  name: 'If-Match',
  in: 'header',
  required: false,
  description:
    'The `ETag` of the row as you read it. The write applies only while the row is unchanged, checked in the UPDATE or DELETE statement itself; otherwise 412 and nothing is written. `*` matches any existing row; weak tags never match.',
  schema: { type: 'string' },
};

export const IF_MATCH = ref('parameters', 'IfMatch');
export const IF_NONE_MATCH = ref('parameters', 'IfNoneMatch');

/** The conditional-request headers, described once. */
export function sharedParameters(): Record<string, JsonObject> {
  return { IfMatch: IF_MATCH_PARAMETER, IfNoneMatch: IF_NONE_MATCH_PARAMETER };
}

const IF_NONE_MATCH_PARAMETER = {
  name: 'If-None-Match',
  in: 'header',
  required: false,
  description: 'The `ETag` you hold: 304 and no body while the row still has it.',
  schema: { type: 'string' },
};

function requestBody(model: TableModel, schemaName: string, what: string): JsonObject {
  return {
    required: true,
    description: `${what} As a JSON object (under any content type that parses as JSON), or form-encoded: plain fields, or one field \`data\` holding the JSON object (as the old API's clients send it). Unknown fields, and read-only ones (${model.columns
      .filter((column) => column.readOnly)
      .map((column) => `\`${column.name}\``)
      .join(', ')}), are a 400.`,
    content: {
      'application/json': { schema: ref('schemas', schemaName) },
      'application/x-www-form-urlencoded': { schema: ref('schemas', schemaName) },
    },
  };
}

/** What the operations of one model share by reference: its request bodies and its row response. */
export function modelComponents(model: TableModel): {
  requestBodies: Record<string, JsonObject>;
  responses: Record<string, JsonObject>;
} {
  const { typeName, title } = model;
  return {
    requestBodies: model.readOnly
      ? {}
      : {
          [`${typeName}Create`]: requestBody(model, `${typeName}Create`, 'The new row.'),
          [`${typeName}Update`]: requestBody(model, `${typeName}Update`, 'The fields to change.'),
        },
    responses: {
      [typeName]: {
        description: `The ${title.toLowerCase()} as stored.`,
        headers: { ETag: { $ref: '#/components/headers/ETag' } },
        content: jsonContent(ref('schemas', typeName)),
      },
    },
  };
}

/** Responses every model shares. */
export function sharedResponses(): Record<string, JsonObject> {
  return { Deleted: { description: 'Deleted: `{"deleted": 1}`.', content: jsonContent(ref('schemas', 'Deleted')) } };
}
