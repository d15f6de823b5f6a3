/**
 * The service's errors and authentication as OpenAPI components: one
 * response per status, all with the {"error", "code", "fields"} body.
 */
import type { JsonObject } from './column-schemas.js';

/** The old API's challenge, byte for byte (runtime/auth/basic-auth.ts answers with it). */
export const AUTH_CHALLENGE = 'Basic realm="Login Required"';

/** The answer to a Bearer token that opens nothing (runtime/auth/basic-auth.ts answers with it). */
export const BEARER_CHALLENGE = 'Bearer realm="Login Required", error="invalid_token"';

export const SECURITY_SCHEME = 'basicAuth';
export const BEARER_SCHEME = 'bearerAuth';

interface ErrorResponse {
  /** Component name. */
  name: string;
  status: number;
  description: string;
  codes: string[];
  example: JsonObject;
  headers?: string[];
}

export const ERROR_RESPONSES: ErrorResponse[] = [
  {
    name: 'BadRequest',
    status: 400,
    description:
      'Bad input: an unknown or badly typed query parameter or body field (named in `fields`, with a did-you-mean hint for likely typos), a value too long, out of range, with too many decimals or with a 4-byte character in a utf8 column, malformed JSON, or a malformed URL.',
    codes: ['invalid_query', 'invalid_body', 'malformed_json', 'invalid_value', 'bad_url', 'bad_request'],
    example: {
      error: 'invalid query: usrname is not a known parameter (did you mean "username"?)',
      code: 'invalid_query',
      fields: [{ field: 'usrname', message: 'is not a known parameter', hint: 'did you mean "username"?' }],
    },
  },
  {
    name: 'Unauthorized',
    status: 401,
    description: `Missing or wrong credentials, an inactive user, or an unknown, revoked or expired API key. The challenge is exactly \`WWW-Authenticate: ${AUTH_CHALLENGE}\`, or \`${BEARER_CHALLENGE}\` for a Bearer token.`,
    codes: ['unauthorized'],
    example: { error: 'invalid or missing credentials', code: 'unauthorized' },
    headers: ['WWW-Authenticate'],
  },
  {
    name: 'Forbidden',
    status: 403,
    description:
      "The caller's role (its user's, or its API key's; see the roles file) does not grant this operation on this model, or the body writes a column the role may not write (named in `fields`). A write from a web page of another site is refused with 403 too.",
    codes: ['forbidden', 'cross_site_request'],
    example: {
      error: 'role read-only may not delete card',
      code: 'forbidden',
    },
  },
  {
    name: 'NotFound',
    status: 404,
    description:
      "No such row (or a primary key that is not a positive whole number), or no such resource. A row outside the caller's row scope answers the same, so its existence is not revealed.",
    codes: ['not_found'],
    example: { error: 'card 42 not found', code: 'not_found' },
  },
  {
    name: 'MethodNotAllowed',
    status: 405,
    description: 'The path does not serve this method; the `Allow` header lists the methods it serves.',
    codes: ['method_not_allowed'],
    example: { error: 'method PUT is not allowed on /api/card/', code: 'method_not_allowed' },
    headers: ['Allow'],
  },
  {
    name: 'Conflict',
    status: 409,
    description:
      "A unique key (e.g. a card's `username` or `useralias`) already holds the value, or an adjustment would take the value below its `min_balance` (`conflict`); a foreign key column refers to no row of the table it references (`reference_not_found`, naming the column and that table); or rows of another table refer to the row being deleted (`still_referenced`, naming that table). `fields` names the field. Nothing was written or deleted.",
    codes: ['conflict', 'reference_not_found', 'still_referenced'],
    example: {
      error: 'a card with this username already exists',
      code: 'conflict',
      fields: [{ field: 'username', message: 'is already taken by another row' }],
    },
  },
  {
    name: 'IdempotencyKeyReused',
    status: 422,
    description:
      'The `Idempotency-Key` was already used with a different request (another card, amount or note): nothing was done. Use a new key for a new operation.',
    codes: ['idempotency_key_reused'],
    example: {
      error: 'this Idempotency-Key was already used with a different request; use a new key for a new operation',
      code: 'idempotency_key_reused',
    },
  },
  {
    name: 'PreconditionFailed',
    status: 412,
    description:
      'The request sent `If-Match` and the row no longer has that ETag (it changed, or was deleted, since it was read). Nothing was written: read the row again and decide.',
    codes: ['precondition_failed'],
    example: {
      error: 'card 42 has changed since it was read (If-Match): nothing was written',
      code: 'precondition_failed',
    },
  },
  {
    name: 'PayloadTooLarge',
    status: 413,
    description: 'The request body is larger than the service accepts (A2B_BODY_LIMIT, 1 MiB by default).',
    codes: ['payload_too_large'],
    example: { error: 'Request body is too large', code: 'payload_too_large' },
  },
  {
    name: 'UnsupportedMediaType',
    status: 415,
    description: 'The body is neither JSON (under any content type) nor form data.',
    codes: ['unsupported_media_type'],
    example: { error: 'unsupported content type text/plain: send JSON or form data', code: 'unsupported_media_type' },
  },
  {
    name: 'TooManyRequests',
    status: 429,
    description:
      'Too many failed logins from this client address in the current window (A2B_AUTH_MAX_FAILURES per A2B_AUTH_WINDOW_SECONDS); retry after the `Retry-After` seconds. Successful requests are never slowed.',
    codes: ['too_many_requests'],
    example: { error: 'too many failed logins from this address; retry later', code: 'too_many_requests' },
    headers: ['Retry-After'],
  },
  {
    name: 'ServiceUnavailable',
    status: 503,
    description:
      "The database is unavailable, or this resource's table is missing from it (the other resources keep working).",
    codes: ['database_unavailable', 'table_missing'],
    example: { error: 'table cc_card is missing from the database', code: 'table_missing' },
  },
];

export function errorResponse(status: number): string {
  const response = ERROR_RESPONSES.find((candidate) => candidate.status === status);
  if (response === undefined) throw new Error(`no error response for status ${status}`);
  return response.name;
}

export function errorSchemas(): Record<string, JsonObject> {
  return {
    Error: {
      type: 'object',
      description:
        'Every error: a message for people, a stable code for programs and, for bad input, the fields at fault.',
      required: ['error', 'code'],
      additionalProperties: false,
      properties: {
        error: { type: 'string', description: 'What went wrong, in words.' },
        code: {
          type: 'string',
          description: `Stable, lower snake case: ${[...new Set(ERROR_RESPONSES.flatMap((response) => response.codes))].join(', ')}.`,
        },
        fields: { type: 'array', items: { $ref: '#/components/schemas/FieldProblem' } },
      },
    },
    FieldProblem: {
      type: 'object',
      description: 'One query parameter or body field at fault.',
      required: ['field', 'message'],
      additionalProperties: false,
      properties: {
        field: { type: 'string', description: 'The body field or query parameter.' },
        message: { type: 'string' },
        hint: { type: 'string', description: 'A did-you-mean suggestion when the name looks like a typo.' },
      },
    },
  };
}

export function errorHeaders(): Record<string, JsonObject> {
  return {
    Allow: { description: 'The methods the path serves.', schema: { type: 'string', examples: ['GET, HEAD, POST'] } },
    ETag: {
      description:
        'A strong tag of the row as this response shows it; send it as `If-Match` to write only while the row is unchanged.',
      schema: { type: 'string', examples: ['"3q2-7wEBHd9tJtUZkPMPOnJTqUA"'] },
    },
    'Retry-After': {
      description: 'Seconds until failed logins from this address are accepted again.',
      schema: { type: 'integer', minimum: 1 },
    },
    'WWW-Authenticate': {
      description: 'The Basic challenge, always the same; the Bearer one when a Bearer token was refused.',
      schema: { type: 'string', enum: [AUTH_CHALLENGE, BEARER_CHALLENGE] },
    },
  };
}

export function errorResponses(): Record<string, JsonObject> {
  return Object.fromEntries(
    ERROR_RESPONSES.map((response) => [
      response.name,
      {
        description: `${response.description} Codes: ${response.codes.map((code) => `\`${code}\``).join(', ')}.`,
        ...(response.headers && {
          headers: Object.fromEntries(response.headers.map((name) => [name, { $ref: `#/components/headers/${name}` }])),
        }),
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' }, example: response.example } },
      },
    ]),
  );
}

export function securitySchemes(): Record<string, JsonObject> {
  return {
    [SECURITY_SCHEME]: {
      type: 'http',
      scheme: 'basic',
      description: `Any active user of the service (\`npx a2gen create-admin\`, \`npx a2gen users\`); the admin flag is not needed. Failure: 401 with \`WWW-Authenticate: ${AUTH_CHALLENGE}\`; repeated failures from one address: 429 with \`Retry-After\`.`,
    },
    [BEARER_SCHEME]: {
      type: 'http',
      scheme: 'bearer',
      description: `An API key (\`npx a2gen key create --name NAME --role ROLE\`, or the admin panel's API keys page): \`Authorization: Bearer a2k_…\`. Failure: 401 with \`WWW-Authenticate: ${BEARER_CHALLENGE}\`; failures count with failed Basic logins of the same address (429 with \`Retry-After\`).`,
    },
  };
}
