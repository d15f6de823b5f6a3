/**
 * generated/openapi.json: a valid OpenAPI 3.1 document, deterministic and
 * marked as generated, that describes every route, parameter, body, response
 * and error of every model from the same model the routes come from.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import t from 'tap';
import { models as generatedModels } from '../../generated/index.js';
import { Registry } from '../../runtime/store/resource.js';
import { loadSchemas } from '../../generator/load-schemas.js';
import { buildTableModel, type TableModel } from '../../generator/model.js';
import { OPENAPI_LINE_WIDTH, openApiJson } from '../../generator/openapi/document.js';
import { ERROR_RESPONSES } from '../../generator/openapi/errors.js';
import { HEADER_TEXT } from '../../generator/views.js';
import { PROJECT_ROOT } from '../helpers/backends.js';

const text = readFileSync(path.join(PROJECT_ROOT, 'generated/openapi.json'), 'utf8');
const doc = JSON.parse(text);
const models: TableModel[] = (await loadSchemas(PROJECT_ROOT)).map(buildTableModel);

/**
 * A regression guard on the document's size: ~18.5 KB a model (its bulk create and collection writes
 * included, and a 403 on every operation for the roles) plus ~1.3 KB a column at most (a model's schemas and parameters grow with its columns:
 * cc_sip_buddies has 60).
 */
const SIZE_LIMIT =
  18_500 * generatedModels.length + 1_300 * generatedModels.reduce((sum, model) => sum + model.columns.length, 0);

const ERROR_STATUSES = ['400', '401', '403', '404', '405', '409', '412', '413', '415', '422', '429', '503'];

/** Follows a local $ref ("#/components/…") to what it names. */
function resolve(node: any): any {
  if (node && typeof node.$ref === 'string') {
    return resolve(
      node.$ref
        .slice(2)
        .split('/')
        .reduce((object: any, key: string) => object?.[key], doc),
    );
  }
  return node;
}

/** A schema with its $ref target's keywords, its own on top (a create field narrows the update field it refers to). */
function effective(node: any): any {
  if (!node || typeof node.$ref !== 'string') return node;
  const { $ref: _ref, ...own } = node;
  return { ...effective(resolve({ $ref: node.$ref })), ...own };
}

const registry = new Registry(generatedModels);

function specFor(resource: string) {
  const module = registry.get(resource);
  if (!module) throw new Error(`no generated resource ${resource}`);
  return module;
}

t.test('generated/openapi.json is a valid OpenAPI 3.1 document', async (t) => {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(doc));
  t.equal(validator.version, '3.1', 'validated as OpenAPI 3.1');
  t.ok(result.valid, 'valid, every $ref resolves', { errors: result.errors });
  t.equal(doc.openapi, '3.1.0');
});

t.test('compact, pretty-printed, deterministic and marked as generated (JSON has no comment header)', async (t) => {
  t.ok(text.endsWith('}\n'), 'a trailing newline');
  // Objects and arrays share a line only when it stays short; only one long string (or a long key opening a block) makes a longer line.
  const STRING = '"(?:[^"\\\\]|\\\\.)*"';
  const single = new RegExp(`^\\s*(?:${STRING}: )?(?:${STRING},?|[[{])$`);
  const long = text.split('\n').filter((line) => line.length > OPENAPI_LINE_WIDTH && !single.test(line));
  t.strictSame(long, [], `no line over ${OPENAPI_LINE_WIDTH} characters but a single long string`);
  t.ok(
    text.length < SIZE_LIMIT,
    `${text.length} bytes, under ${SIZE_LIMIT} (it was 2.9 MB with a parameter per column and operator)`,
  );
  t.equal(`${openApiJson(models)}\n`, text, 'the generator prints the committed file again, byte for byte');
  const notice = `${HEADER_TEXT}. Source: ${models.map((model) => model.source).join(', ')}. Rebuild with \`npx a2gen build\`.`;
  t.equal(doc['x-generated-by'], notice, 'x-generated-by carries the do-not-edit notice naming every schema');
  t.ok(doc.info.description.startsWith(notice), 'and so does the first line of info.description');
  t.notMatch(text, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/, 'no timestamps');
});

t.test('every route of COMPAT.md for every model, with its methods', async (t) => {
  const expected: Record<string, string[]> = { '/api/': ['get'], '/api/openapi.json': ['get'] };
  for (const model of models) {
    if (model.readOnly) {
      // The audit trail: reading only.
      expected[`/api/${model.resource}/`] = ['get'];
      expected[`/api/${model.resource}/{id}/`] = ['get'];
      continue;
    }
    expected[`/api/${model.resource}/`] = ['delete', 'get', 'patch', 'post'];
    expected[`/api/${model.resource}/{id}/`] = ['delete', 'get', 'patch', 'post', 'put'];
    expected[`/api/${model.resource}/{id}/delete/`] = ['delete', 'post'];
    for (const column of model.adjustments) expected[`/api/${model.resource}/{id}/${column.name}`] = ['post'];
  }
  // The old API's business endpoints, with A2Billing's card and log tables.
  expected['/custom_api/refill/{card}'] = ['post'];
  expected['/custom_api/extra_charge/{card}'] = ['post'];
  t.ok(expected['/api/card/{id}/credit'], 'the card credit adjustment is among them');
  t.strictSame(expected['/api/audit/'], ['get'], 'and the read-only audit trail');
  const adjust = doc.paths['/api/card/{id}/credit']?.post;
  t.strictSame(
    adjust?.requestBody.content['application/json'].schema.required,
    ['delta'],
    'an adjustment needs a delta',
  );
  t.strictSame(Object.keys(adjust?.requestBody.content['application/json'].schema.properties ?? {}), [
    'delta',
    'min_balance',
    'note',
  ]);
  t.strictSame(Object.keys(adjust?.responses ?? {}).sort(), [
    '200',
    '400',
    '401',
    '403',
    '404',
    '409',
    '413',
    '415',
    '422',
    '429',
    '503',
  ]);
  const methods = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
  const actual = Object.fromEntries(
    Object.entries(doc.paths).map(([url, item]) => [
      url,
      Object.keys(item as object)
        .filter((key) => methods.has(key))
        .sort(),
    ]),
  );
  t.strictSame(actual, expected, 'paths (with the trailing slash) and methods');
  const operationIds = Object.values(doc.paths).flatMap((item: any) =>
    [...methods].filter((m) => item[m]).map((m) => item[m].operationId),
  );
  t.equal(new Set(operationIds).size, operationIds.length, 'operationIds are unique');
});

/** The patterns of a model's Filters schema that a query parameter name matches. */
function matchingPatterns(typeName: string, name: string): [string, any][] {
  const patterns = doc.components.schemas[`${typeName}Filters`].patternProperties as Record<string, any>;
  return Object.entries(patterns).filter(([pattern]) => new RegExp(pattern, 'u').test(name));
}

const SPECIAL = new Set(['in', 'not_in', 'between', 'is_null']);

t.test(
  'list parameters: paging, ordering, fields, after, each field, and every filter operator in `filters`',
  async (t) => {
    for (const model of models) {
      const spec = specFor(model.resource);
      const all: any[] = doc.paths[`/api/${model.resource}/`].get.parameters;
      t.strictSame(all.at(-1), { $ref: '#/components/parameters/PreferCount' }, 'then Prefer: count=…');
      const parameters = all.slice(0, -1);
      const byName = new Map(parameters.map((parameter) => [parameter.name, parameter]));
      t.equal(byName.size, parameters.length, `${model.resource}: no parameter twice`);
      t.ok(
        parameters.every((parameter) => parameter.in === 'query' && parameter.description && parameter.schema),
        'each in the query, described, with a schema',
      );

      t.match(byName.get('page').schema, { type: 'integer', minimum: 1, default: 1 });
      t.match(byName.get('limit'), {
        schema: { type: 'integer', minimum: 1, default: 20 },
        'x-maximum-page-size': 100,
      });
      t.match(byName.get('limit').description, /100/, 'limit names its maximum');
      const sortable = spec.columns.filter((column) => column.sortable).map((column) => column.name);
      t.strictSame(
        byName.get('ordering').schema.items.enum,
        sortable.flatMap((name) => [name, `-${name}`]),
        `${model.resource}: ordering lists every sortable field, ascending and descending`,
      );
      t.strictSame(
        byName.get('fields').schema.items.enum,
        spec.columns.filter((column) => !column.writeOnly).map((column) => column.name),
        'fields lists every readable field',
      );
      t.ok(byName.has('after'), 'after');

      const filterable = spec.columns.filter((column) => column.operators.length > 0);
      t.strictSame(
        parameters.slice(5).map((parameter) => parameter.name),
        [...filterable.map((column) => column.name), 'filters'],
        `${model.resource}: field=value for each of the ${filterable.length} filterable fields, then filters`,
      );
      t.match(byName.get('filters'), {
        style: 'form',
        explode: true,
        schema: { $ref: `#/components/schemas/${model.typeName}Filters` },
      });
      t.equal(resolve(byName.get('filters').schema).additionalProperties, false, 'nothing but the patterns');

      // Every operator the service accepts on every field, and through every reference, matches exactly one pattern.
      const unmatched: string[] = [];
      const ambiguous: string[] = [];
      const check = (name: string) => {
        const found = matchingPatterns(model.typeName, name);
        if (found.length === 0) unmatched.push(name);
        if (found.length > 1) ambiguous.push(name);
        return found[0]?.[1];
      };
      let documented = 0;
      for (const column of filterable) {
        t.notOk(
          matchingPatterns(model.typeName, column.name).length,
          `${column.name}=value is its own parameter, not a pattern`,
        );
        for (const operator of column.operators) {
          const schema = check(`${column.name}__${operator}`);
          documented++;
          if (schema === undefined) continue;
          if (operator === 'is_null') t.equal(schema.type, 'boolean', `${column.name}__is_null takes true or false`);
          else if (SPECIAL.has(operator))
            t.equal(schema.type, 'string', `${column.name}__${operator} takes comma-separated values`);
          else
            t.strictSame(
              schema,
              byName.get(column.name).schema,
              `${column.name}__${operator} takes a value like ${column.name}=`,
            );
        }
        for (const operator of [
          'nope',
          ...['like', 'is_null'].filter((candidate) => !column.operators.includes(candidate as never)),
        ]) {
          t.equal(
            matchingPatterns(model.typeName, `${column.name}__${operator}`).length,
            0,
            `${column.name}__${operator} is not documented`,
          );
        }
        const target = spec.target(column.name);
        if (target === undefined) continue;
        for (const other of target.columns.filter((candidate) => candidate.operators.length > 0)) {
          check(`${column.name}__${other.name}`);
          for (const operator of other.operators) check(`${column.name}__${other.name}__${operator}`);
          documented += 1 + other.operators.length;
        }
      }
      t.strictSame(
        unmatched,
        [],
        `${model.resource}: all ${documented} field__op and reference filters are documented`,
      );
      t.strictSame(ambiguous, [], 'each by exactly one pattern');
      for (const column of spec.columns.filter((candidate) => candidate.writeOnly)) {
        t.notOk(byName.has(column.name), `write-only ${column.name} is not a parameter`);
        t.equal(
          matchingPatterns(model.typeName, `${column.name}__eq`).length,
          0,
          `write-only ${column.name} is not a filter`,
        );
      }
      t.equal(matchingPatterns(model.typeName, 'nosuchfield__eq').length, 0, 'an unknown field matches nothing');
    }
    const card = doc.paths['/api/card/'].get.parameters;
    const parameter = (name: string) => card.find((candidate: any) => candidate.name === name);
    t.match(parameter('status').schema, { type: 'integer', minimum: -2147483648, maximum: 2147483647 });
    t.match(parameter('creationdate').schema, { type: 'string', pattern: String });
    t.match(parameter('username').description, /equals/);
    t.match(matchingPatterns('Card', 'firstusedate__is_null')[0]![1].description, /zero date counts as null/);
    t.match(
      matchingPatterns('Card', 'id_group__name__ilike')[0]![1].description,
      /cardgroup that id_group refers to/,
      'filters through a reference',
    );
    // The operators, once, in words.
    t.match(doc.info.description, /\| `gte` \| is greater than or equal to the value \|/);
    t.match(doc.info.description, /`ilike` \| matches the SQL LIKE pattern.*ignoring case/);
    t.match(doc.info.description, /`contains` \| .*% and _ match themselves/);
    t.match(
      doc.info.description,
      /`ne` \| differs from the value \| Repeated values must all differ/,
      'and what repeating each does',
    );
  },
);

t.test('components: a row, create, update and list schema per model', async (t) => {
  const schemas = doc.components.schemas;
  for (const model of models) {
    const name = model.typeName;
    for (const suffix of ['', 'Create', 'Update', 'List', 'Filters'])
      t.ok(schemas[`${name}${suffix}`], `${name}${suffix}`);
    const row = schemas[name];
    const create = schemas[`${name}Create`];
    const update = schemas[`${name}Update`];
    for (const column of model.columns) {
      if (column.writeOnly) {
        t.notOk(row.properties[column.name], `${name}.${column.name} is write-only: never in a row`);
        t.equal(
          effective(create.properties[column.name]).writeOnly,
          true,
          `${name}Create.${column.name} is marked writeOnly`,
        );
        t.equal(update.properties[column.name].writeOnly, true, `${name}Update.${column.name} is marked writeOnly`);
      } else {
        t.ok(row.properties[column.name], `${name}.${column.name} is in a row`);
      }
      if (column.readOnly) {
        t.equal(row.properties[column.name].readOnly, true, `${name}.${column.name} is marked readOnly`);
        t.notOk(
          create.properties[column.name] || update.properties[column.name],
          `read-only ${column.name} is not accepted in a body`,
        );
      }
    }
    t.strictSame(
      create.required ?? [],
      model.columns.filter((column) => column.requiredOnCreate).map((column) => column.name),
      `${name}Create.required`,
    );
    t.equal(create.additionalProperties, false, 'unknown fields are refused');
    t.equal(update.required, undefined, 'an update is partial: nothing required');
    t.notOk(
      Object.values(update.properties).some((property: any) => 'default' in property || '$ref' in property),
      'an update has no defaults, and says everything itself',
    );
    t.match(schemas[`${name}List`], {
      required: ['meta', 'objects'],
      properties: {
        meta: { properties: { model: { const: model.resource } } },
        objects: { items: { $ref: `#/components/schemas/${name}` } },
      },
    });
  }

  const credit = effective(schemas.CardCreate.properties.credit);
  t.strictSame(credit.type, ['number', 'string'], 'a DECIMAL accepts a number or a numeric string');
  t.match(credit.description, /DECIMAL\(15,5\).*5 after it \(scale 5\)/, 'with the scale in the description');
  t.match(schemas.CardCreate.description, /4-byte/, 'the utf8 4-byte rule is mentioned');
  t.match(schemas.CardUpdate.description, /4-byte/, 'in both bodies');
  t.match(effective(schemas.CardCreate.properties.username), { minLength: 1, maxLength: 50 });
  t.equal(effective(schemas.CardCreate.properties.credit).default, 0, 'create bodies document defaults');
  t.strictSame(
    effective(schemas.CardCreate.properties.tariff).type,
    ['integer', 'string'],
    'a required nullable column refuses null on create',
  );
  t.strictSame(schemas.CardUpdate.properties.tariff.type, ['integer', 'string', 'null'], 'but not on update');
  t.match(
    schemas.Card.properties.status,
    {
      description: /Labelled values: 0 = CANCELLED, 1 = ACTIVE/,
      'x-choices': [{ value: 0, label: 'CANCELLED' }],
    },
    'labelled choices are described',
  );
  t.match(schemas.Card.properties.activated.description, '"t" = Yes', 'string choices are quoted');
  t.strictSame(schemas.Card.properties.id.type, ['integer', 'string'], 'BIGINT rows: a number, or a string past 2^53');
  t.match(schemas.Card.properties.firstusedate.description, /zero date/);
  t.match(schemas.Deleted, { properties: { deleted: { const: 1 } } });
});

t.test('responses: rows, the list envelope, {"deleted": 1} and every error status', async (t) => {
  // Operations reference the shared responses; 405 is the one no operation answers (the path's other methods do).
  const referenced = new Set<string>();
  const inline: string[] = [];
  for (const [url, item] of Object.entries(doc.paths) as [string, any][]) {
    for (const [method, operation] of Object.entries(item) as [string, any][]) {
      for (const [status, response] of Object.entries(operation?.responses ?? {}) as [string, any][]) {
        // 304 (If-None-Match) is not an error and has no body.
        if (status === '200' || status === '304') continue;
        referenced.add(status);
        if (!String(response.$ref).startsWith('#/components/responses/')) inline.push(`${method} ${url} ${status}`);
      }
    }
  }
  t.strictSame(inline, [], 'every error response refers to a shared component');
  t.strictSame([...referenced, '405'].sort(), ERROR_STATUSES, 'every error status is documented');
  const responses = doc.components.responses;
  t.strictSame(ERROR_RESPONSES.map((response) => String(response.status)).sort(), ERROR_STATUSES);
  for (const { name } of ERROR_RESPONSES) {
    t.equal(
      responses[name].content['application/json'].schema.$ref,
      '#/components/schemas/Error',
      `${name}: the {"error", "code", "fields"} body`,
    );
  }
  t.strictSame(Object.keys(doc.components.schemas.Error.properties), ['error', 'code', 'fields']);
  t.strictSame(doc.components.schemas.Error.required, ['error', 'code']);
  t.match(
    resolve(responses.Unauthorized.headers['WWW-Authenticate']),
    { schema: { enum: ['Basic realm="Login Required"', 'Bearer realm="Login Required", error="invalid_token"'] } },
    '401 carries the challenge: Basic, or Bearer for a refused key',
  );
  t.ok(responses.MethodNotAllowed.headers.Allow, '405 carries Allow');
  t.ok(responses.TooManyRequests.headers['Retry-After'], '429 carries Retry-After');

  for (const model of models) {
    const list = doc.paths[`/api/${model.resource}/`];
    const detail = doc.paths[`/api/${model.resource}/{id}/`];
    const alias = doc.paths[`/api/${model.resource}/{id}/delete/`];
    const statuses = (operation: any) => Object.keys(operation.responses).sort();
    t.strictSame(statuses(list.get), ['200', '400', '401', '403', '429', '503'], `${model.resource} list`);
    t.strictSame(statuses(detail.get), ['200', '304', '401', '403', '404', '429', '503'], `${model.resource} read`);
    t.equal(
      resolve(detail.get.responses['200']).headers.ETag.$ref,
      '#/components/headers/ETag',
      `${model.resource}: a row carries its ETag`,
    );
    t.equal(resolve(detail.get.parameters[0]).name, 'If-None-Match');
    if (model.readOnly) continue;
    t.strictSame(
      statuses(list.post),
      ['200', '400', '401', '403', '409', '413', '415', '429', '503'],
      `${model.resource} create`,
    );
    for (const operation of [detail.put, detail.patch, detail.post, detail.delete, alias.post, alias.delete]) {
      t.equal(resolve(operation.parameters[0]).name, 'If-Match', `${model.resource}: writes take If-Match`);
    }
    for (const method of ['put', 'patch', 'post']) {
      t.strictSame(
        statuses(detail[method]),
        ['200', '400', '401', '403', '404', '409', '412', '413', '415', '429', '503'],
        `${model.resource} ${method}`,
      );
      t.equal(
        resolve(detail[method].requestBody).content['application/json'].schema.$ref,
        `#/components/schemas/${model.typeName}Update`,
      );
      t.equal(
        resolve(detail[method].responses['200']).content['application/json'].schema.$ref,
        `#/components/schemas/${model.typeName}`,
      );
    }
    t.strictSame(
      resolve(list.post.requestBody).content['application/json'].schema.oneOf,
      [
        { $ref: `#/components/schemas/${model.typeName}Create` },
        { type: 'array', minItems: 1, items: { $ref: `#/components/schemas/${model.typeName}Create` } },
      ],
      `${model.resource}: one row, or an array of them`,
    );
    t.ok(resolve(list.post.requestBody).content['text/csv'], 'or a CSV file');
    t.equal(
      resolve(list.post.requestBody).content['application/x-www-form-urlencoded'].schema.$ref,
      `#/components/schemas/${model.typeName}Create`,
      'form bodies too',
    );
    t.equal(
      resolve(list.post.responses['200']).content['application/json'].schema.oneOf[0].$ref,
      `#/components/schemas/${model.typeName}`,
    );
    for (const [method, counted] of [
      ['patch', 'updated'],
      ['delete', 'deleted'],
    ] as const) {
      t.strictSame(
        list[method].parameters.map((parameter: { name?: string; $ref?: string }) => parameter.name ?? parameter.$ref),
        ['filters', '#/components/parameters/PreferMaxAffected'],
        `${model.resource}: ${method} of the collection takes the filters and Prefer: max-affected`,
      );
      t.ok(list[method].responses['200'].content['application/json'].schema.properties[counted]);
      t.ok(list[method].responses['409'], 'and answers 409 over the guard');
    }
    t.equal(
      list.get.responses['200'].content['application/json'].schema.$ref,
      `#/components/schemas/${model.typeName}List`,
    );
    for (const operation of [detail.delete, alias.post, alias.delete]) {
      t.equal(
        resolve(operation.responses['200']).content['application/json'].schema.$ref,
        '#/components/schemas/Deleted',
      );
    }
    for (const url of [
      `/api/${model.resource}/`,
      `/api/${model.resource}/{id}/`,
      `/api/${model.resource}/{id}/delete/`,
    ]) {
      t.match(doc.paths[url].description, /answers 405 .*Allow: /, `${url} documents its 405`);
    }
  }
});

t.test('HTTP Basic or an API key applies to everything but the document itself', async (t) => {
  t.strictSame(doc.components.securitySchemes.basicAuth, {
    ...doc.components.securitySchemes.basicAuth,
    type: 'http',
    scheme: 'basic',
  });
  t.strictSame(doc.components.securitySchemes.bearerAuth, {
    ...doc.components.securitySchemes.bearerAuth,
    type: 'http',
    scheme: 'bearer',
  });
  t.strictSame(doc.security, [{ basicAuth: [] }, { bearerAuth: [] }], 'either, applied globally');
  t.strictSame(doc.paths['/api/openapi.json'].get.security, [], '/api/openapi.json is public');
  const secured = Object.entries(doc.paths).filter(([url]) => url !== '/api/openapi.json');
  for (const [url, item] of secured as [string, any][]) {
    for (const [method, operation] of Object.entries(item) as [string, any][]) {
      if (!operation?.responses) continue;
      t.notOk('security' in operation, `${method.toUpperCase()} ${url} keeps the global security`);
      t.ok(operation.responses['401'], `${method.toUpperCase()} ${url} documents 401`);
    }
  }
});
