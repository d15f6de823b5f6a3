/**
 * The API contract of COMPAT.md for every generated resource, not only card:
 * list envelope and paging, create with a minimal body, read one, partial
 * update, read-only keys, 404 and 405, unknown filters, delete; and filters
 * that follow every reference the schema files declare. On SQLite and MariaDB.
 *
 * Nothing here names a model's columns: the minimal body of each resource is
 * built from the OpenAPI document (its create schema's required list) and the
 * generated column whitelist (each column's value rule), so a new schema file
 * is covered as soon as it is built.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { models } from '../../generated/index.js';
import { Registry, type Column, type Resource } from '../../runtime/store/resource.js';
import { BACKENDS, PROJECT_ROOT } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';

type Json = Record<string, any>;
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

const openapi = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'generated/openapi.json'), 'utf8'));

/** Follows a local $ref ("#/components/…"). */
function resolve(node: any): any {
  if (node && typeof node.$ref === 'string')
    return resolve(
      node.$ref
        .slice(2)
        .split('/')
        .reduce((object: any, key: string) => object?.[key], openapi),
    );
  return node;
}

const registry = new Registry(models);

function moduleOf(resource: string): Resource {
  const module = registry.get(resource);
  if (module === undefined) throw new Error(`no generated resource ${resource}`);
  return module;
}

function columnOf(spec: Resource, name: string): Column {
  const column = spec.byName.get(name);
  if (column === undefined) throw new Error(`${spec.name} has no column ${name}`);
  return column;
}

/** The fields `POST /api/<resource>/` requires, as the OpenAPI document says. */
function requiredOnCreate(resource: string): string[] {
  // One row, or an array of them: the one row's schema is the first choice.
  const schema = resolve(
    resolve(openapi.paths[`/api/${resource}/`].post.requestBody).content['application/json'].schema.oneOf[0],
  );
  return schema.required ?? [];
}

/** Whether the table numbers its own rows; when it does not, a create must carry the key. */
function autoIncrementKey(module: Resource): boolean {
  return module.key[0]!.spec.autoIncrement === true;
}

let counter = 0;

/** A value the column's rule accepts, different on every call (unique keys stay unique). */
function sampleValue(column: Column): string | number {
  counter += 1;
  const rule = column.rule;
  switch (rule.kind) {
    case 'integer': {
      const value = BigInt((counter % 100) + 1);
      const max = BigInt(rule.max);
      return Number(value > max ? max : value);
    }
    case 'decimal':
      // At least one integer digit is always available (precision > scale in every A2Billing decimal).
      return rule.scale > 0 ? (counter % 9) + 1.5 : (counter % 9) + 1;
    case 'float':
    case 'double':
      return (counter % 9) + 0.5;
    case 'string': {
      const token = `v${counter}`;
      return token.length <= rule.maxLength ? token : token.slice(-rule.maxLength);
    }
    case 'date':
      return `2024-05-${String((counter % 28) + 1).padStart(2, '0')}`;
    default:
      return `2024-05-${String((counter % 28) + 1).padStart(2, '0')} 07:08:09`;
  }
}

interface Harness {
  service: Service;
  /** Creates a row through the API with only the required fields (references point at real rows); returns it as stored. */
  create(t: Test, resource: string, extra?: Json): Promise<Json>;
  /** The body `create` would send. */
  minimalBody(resource: string, extra?: Json): Promise<Json>;
}

function harness(service: Service): Harness {
  /** One row per referenced resource, created on first use. */
  const targets = new Map<string, Promise<Json>>();

  async function minimalBody(resource: string, extra: Json = {}): Promise<Json> {
    const module = moduleOf(resource);
    const spec = module;
    const body: Json = {};
    if (!autoIncrementKey(module)) body[spec.key[0]!.name] = 1_000_000 + ++counter;
    for (const name of requiredOnCreate(resource)) {
      if (name in extra || name in body) continue;
      const target = spec.target(name);
      if (target !== undefined) {
        if (!targets.has(target.name)) targets.set(target.name, createRaw(target.name));
        body[name] = (await targets.get(target.name)!)[target.key[0]!.name];
      } else {
        body[name] = sampleValue(columnOf(spec, name));
      }
    }
    return { ...body, ...extra };
  }

  async function createRaw(resource: string, extra: Json = {}): Promise<Json> {
    const body = await minimalBody(resource, extra);
    const response = await service.request(`/api/${resource}/`, { method: 'POST', body });
    if (response.status !== 200) throw new Error(`creating a ${resource}: ${response.status} ${response.text}`);
    return response.json;
  }

  return {
    service,
    minimalBody,
    async create(t, resource, extra = {}) {
      const body = await minimalBody(resource, extra);
      const response = await service.request(`/api/${resource}/`, { method: 'POST', body });
      t.equal(response.status, 200, `POST /api/${resource}/ with ${JSON.stringify(body)}`, { found: response.text });
      return response.json;
    },
  };
}

/** What the API answers for a value that was sent (write-only columns are never answered). */
function sent(t: Test, row: Json, body: Json, spec: Resource, what: string): void {
  for (const [name, value] of Object.entries(body)) {
    if (columnOf(spec, name).writeOnly) t.notOk(name in row, `${what}: write-only ${name} is not returned`);
    else t.equal(row[name], value, `${what}: ${name} as sent`);
  }
}

/** A column an update can change: writable, readable, not a reference, not the key. */
function updatableColumn(spec: Resource): Column {
  const column = spec.columns.find(
    (candidate) =>
      !candidate.readOnly && !candidate.primaryKey && !candidate.writeOnly && spec.target(candidate.name) === undefined,
  );
  if (column === undefined) throw new Error(`${spec.name} has no column an update can change`);
  return column;
}

/** Keys of one integer column; keys of other shapes have a test of their own (test/api/keys.test.ts). */
const integerKeyed = registry
  .all()
  .filter((module) => module.key.length === 1 && module.key[0]!.rule.kind === 'integer');
/** The models clients write: all but a2gen's read-only audit trail. */
const writable = integerKeyed.filter((module) => !module.readOnly);

t.test('every resource is served by this test, and each has an AUTO_INCREMENT key or a writable one', async (t) => {
  t.strictSame(
    writable.map((module) => module.name).sort(),
    [
      'call',
      'callerid',
      'card',
      'cardgroup',
      'charge',
      'country',
      'iaxbuddy',
      'logpayment',
      'logrefill',
      'sipbuddy',
      'tariffgroup',
    ],
    'the old API’s models, the call plans and the VoIP accounts',
  );
  t.strictSame(
    registry
      .all()
      .filter((module) => module.readOnly)
      .map((module) => module.name),
    ['audit'],
    'and the audit trail, read-only',
  );
  for (const module of writable) {
    const key = module.key[0]!;
    t.ok(autoIncrementKey(module) || !key.readOnly, `${module.name}: a create can get a key`);
  }
});

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const api = harness(service);

    for (const module of writable) {
      const spec = module;
      const resource = spec.name;
      const key = spec.key[0]!.name;
      const list = `/api/${resource}/`;

      await t.test(`${resource}: create with a minimal body, read it back`, async (t) => {
        const body = await api.minimalBody(resource);
        const created = await request(list, { method: 'POST', body });
        t.equal(created.status, 200, 'POST answers 200', { body, found: created.text });
        t.type(created.json[key], 'number', 'the stored row carries its key');
        sent(t, created.json, body, spec, 'created');
        for (const column of spec.columns) {
          if (column.writeOnly) t.notOk(column.name in created.json, `${column.name} is write-only`);
          else t.ok(column.name in created.json, `${column.name} is in the row`);
        }
        const one = await request(`${list}${created.json[key]}/`);
        t.equal(one.status, 200);
        t.same(one.json, created.json, 'GET one answers the row as created, without an envelope');
      });

      await t.test(`${resource}: a create missing a required field, or carrying the key, is a 400`, async (t) => {
        const required = requiredOnCreate(resource);
        const body = await api.minimalBody(resource);
        for (const field of required) {
          const { [field]: _left, ...rest } = body;
          const response = await request(list, { method: 'POST', body: rest });
          t.equal(response.status, 400, `without ${field}`);
          t.ok(
            response.json.fields.some((problem: Json) => problem.field === field),
            `the error names ${field}`,
            { found: response.json },
          );
        }
        if (columnOf(spec, key).readOnly) {
          const response = await request(list, { method: 'POST', body: { ...body, [key]: 424242 } });
          t.equal(response.status, 400, `${key} is read-only`);
          t.same(
            response.json.fields.map((problem: Json) => problem.field),
            [key],
          );
        }
      });

      await t.test(`${resource}: list envelope and paging`, async (t) => {
        const rows = [await api.create(t, resource), await api.create(t, resource), await api.create(t, resource)];
        const ids = rows.map((row) => row[key]);
        const filter = ids.map((id) => `${key}=${id}`).join('&');
        const first = await request(`${list}?${filter}&limit=2`);
        t.equal(first.status, 200);
        t.same(first.json.meta, { model: resource, next: `${list}?${filter}&limit=2&page=2`, previous: '', page: 1 });
        t.same(first.json.objects, rows.slice(0, 2), 'ordered by the key, rows as stored');
        const second = await request(first.json.meta.next);
        t.same(second.json.meta, { model: resource, next: '', previous: `${list}?${filter}&limit=2&page=1`, page: 2 });
        t.same(second.json.objects, rows.slice(2));
        const past = await request(`${list}?${filter}&page=9`);
        t.same(past.json.objects, [], 'a page past the end is empty');
        const descending = await request(`${list}?${filter}&ordering=-${key}&fields=${key}`);
        t.same(
          descending.json.objects,
          [...ids].reverse().map((id) => ({ [key]: id })),
          'ordering and fields',
        );
        const noSlash = await request(`/api/${resource}?${filter}`);
        t.equal(noSlash.status, 200, 'without the trailing slash too');
        t.equal(noSlash.json.objects.length, 3);
      });

      await t.test(`${resource}: partial update of one field`, async (t) => {
        const row = await api.create(t, resource);
        const column = updatableColumn(spec);
        let value = sampleValue(column);
        while (value === row[column.name]) value = sampleValue(column);
        const updated = await request(`${list}${row[key]}/`, { method: 'PATCH', body: { [column.name]: value } });
        t.equal(updated.status, 200);
        t.equal(updated.json[column.name], value, `${column.name} changed`);
        t.same({ ...updated.json, [column.name]: row[column.name] }, row, 'nothing else changed');
        const put = await request(`${list}${row[key]}`, { method: 'PUT', body: {} });
        t.equal(put.status, 200, '{} is a no-op (PUT, no trailing slash)');
        t.same(put.json, updated.json);
        const readOnly = await request(`${list}${row[key]}/`, { method: 'POST', body: { [key]: 424242 } });
        t.equal(readOnly.status, 400, 'the key cannot be changed');
        t.same((await request(`${list}${row[key]}/`)).json, updated.json, 'the refused update wrote nothing');
      });

      await t.test(`${resource}: 404 and 405`, async (t) => {
        for (const method of ['GET', 'PUT', 'PATCH', 'POST', 'DELETE']) {
          const response = await request(`${list}987654321/`, {
            method,
            body: method === 'GET' || method === 'DELETE' ? undefined : {},
          });
          t.equal(response.status, 404, `${method} on a missing row`);
          t.equal(response.json.code, 'not_found');
        }
        for (const bad of ['0', '-1', 'abc', '1.5'])
          t.equal((await request(`${list}${bad}/`)).status, 404, `key ${bad}`);
        const onList = await request(list, { method: 'PUT', body: {} });
        t.equal(onList.status, 405);
        t.equal(onList.headers.get('allow'), 'GET, HEAD, POST, PATCH, DELETE');
        const onAlias = await request(`${list}1/delete/`, { method: 'GET' });
        t.equal(onAlias.status, 405);
        t.equal(onAlias.headers.get('allow'), 'POST, DELETE');
      });

      await t.test(`${resource}: unknown filters and operators are a 400 naming them`, async (t) => {
        const unknown = await request(`${list}?no_such_field=1`);
        t.equal(unknown.status, 400);
        t.equal(unknown.json.code, 'invalid_query');
        t.equal(unknown.json.fields[0].field, 'no_such_field');
        const operator = await request(`${list}?${key}__nope=1`);
        t.equal(operator.status, 400);
        t.equal(operator.json.fields[0].field, `${key}__nope`);
        const value = await request(`${list}?${key}=abc`);
        t.equal(value.status, 400, 'values are parsed by the column type');
      });

      await t.test(`${resource}: delete, then 404; the legacy alias too`, async (t) => {
        const row = await api.create(t, resource);
        const deleted = await request(`${list}${row[key]}/`, { method: 'DELETE' });
        t.equal(deleted.status, 200);
        t.same(deleted.json, { deleted: 1 });
        t.equal((await request(`${list}${row[key]}/`)).status, 404, 'gone');
        t.equal((await request(`${list}${row[key]}/`, { method: 'DELETE' })).status, 404, 'a second delete is a 404');
        const other = await api.create(t, resource);
        t.same((await request(`${list}${other[key]}/delete/`, { method: 'POST' })).json, { deleted: 1 });
      });
    }

    await t.test('filters follow every declared reference', async (t) => {
      for (const module of integerKeyed) {
        for (const column of module.columns) {
          const target = module.target(column.name);
          if (target === undefined) continue;
          const name = column.name;
          const resource = module.name;
          const label = module.label(name);
          const targetKey = target.key[0]!.name;
          // Two referenced rows; one referring row each.
          const through = label ?? targetKey;
          const labelled = () => (label === undefined ? {} : { [label]: sampleValue(columnOf(target, label)) });
          const targets = [await api.create(t, target.name, labelled()), await api.create(t, target.name, labelled())];
          const rows: Json[] = [];
          for (const row of targets) rows.push(await api.create(t, resource, { [name]: row[targetKey] }));
          const primaryKey = module.key[0]!.name;
          const ids = rows.map((row) => row[primaryKey]);
          const query = `${name}__${through}=${encodeURIComponent(String(targets[1]![through]))}`;
          const response = await request(`/api/${resource}/?${query}&${primaryKey}__in=${ids.join(',')}`);
          t.equal(response.status, 200, `/api/${resource}/?${query}`, { found: response.text });
          t.same(
            response.json.objects.map((row: Json) => row[primaryKey]),
            [ids[1]],
            `${resource}.${name} → ${target.name}.${through}`,
          );
        }
      }
    });

    await t.test('callerid, logrefill, logpayment, call and charge by card username', async (t) => {
      const alice = await api.create(t, 'card', { username: 'alice-0001', useralias: 'alice-web' });
      const bob = await api.create(t, 'card', { username: 'bob-0002', useralias: 'bob-web' });
      const callers = [
        (await request('/api/callerid/', { method: 'POST', body: { cid: '34650000001', id_cc_card: alice.id } })).json,
        (await request('/api/callerid/', { method: 'POST', body: { cid: '34650000002', id_cc_card: bob.id } })).json,
        (
          await request('/api/callerid/', {
            method: 'POST',
            body: { cid: '34650000003', id_cc_card: alice.id, activated: 'f' },
          })
        ).json,
      ];
      const cids = async (query: string) => {
        const response = await request(`/api/callerid/?fields=cid&ordering=cid&${query}`);
        t.equal(response.status, 200, query, { found: response.text });
        return response.json.objects.map((row: Json) => row.cid);
      };
      t.same(
        await cids('id_cc_card__username=alice-0001'),
        ['34650000001', '34650000003'],
        'equality on the card number',
      );
      t.same(
        await cids('id_cc_card__username=alice-0001&activated=t'),
        ['34650000001'],
        'combined with a plain filter',
      );
      t.same(await cids('id_cc_card__username=ALICE-0001'), [], 'case-sensitive like the collation');
      t.same(await cids('id_cc_card__useralias__ilike=BOB%'), ['34650000002'], 'any field of the card, any operator');
      t.same(await cids(`id_cc_card=${bob.id}`), ['34650000002'], 'the key itself still filters');
      t.equal(callers.length, 3);

      const duplicate = await request('/api/callerid/', {
        method: 'POST',
        body: { cid: '34650000001', id_cc_card: bob.id },
      });
      t.equal(duplicate.status, 409, 'a caller id belongs to one card (cons_cc_callerid_cid)');
      t.same(
        duplicate.json.fields.map((field: Json) => field.field),
        ['cid'],
      );

      // The old API's JSON names: logrefill and logpayment say card and agent for card_id and agent_id.
      const refill = await request('/api/logrefill/', {
        method: 'POST',
        body: { card: alice.id, credit: '12.5', description: 'top-up' },
      });
      t.equal(refill.status, 200, refill.text);
      t.match(refill.json, {
        card: alice.id,
        credit: 12.5,
        agent: null,
        refill_type: 0,
        added_invoice: 0,
        description: 'top-up',
      });
      t.notOk('card_id' in refill.json, 'no card_id key');
      const payment = await request('/api/logpayment/', {
        method: 'POST',
        body: { card: bob.id, payment: 7, id_logrefill: refill.json.id, payment_type: 1 },
      });
      t.equal(payment.status, 200, payment.text);
      t.match(payment.json, { card: bob.id, payment: 7, id_logrefill: refill.json.id, agent: null, added_refill: 0 });
      const byCard = async (url: string) => {
        const response = await request(url);
        t.equal(response.status, 200, url, { found: response.text });
        return response.json.objects.map((row: Json) => row.id);
      };
      t.same(
        await byCard('/api/logrefill/?card__username=alice-0001&description=top-up'),
        [refill.json.id],
        'logrefill by card username',
      );
      t.same(
        await byCard('/api/logpayment/?card__username=bob-0002'),
        [payment.json.id],
        'logpayment by card username',
      );
      t.same(
        await byCard('/api/logpayment/?id_logrefill__card=' + alice.id),
        [payment.json.id],
        'logpayment through its refill to the refill’s card',
      );
      const typo = await request('/api/logrefill/?card_id=1');
      t.equal(typo.status, 400, 'the column name is not a parameter; the JSON name is');
      t.equal(typo.json.fields[0].field, 'card_id');

      const call = await request('/api/call/', {
        method: 'POST',
        body: {
          card_id: alice.id,
          calledstation: '34933000000',
          sessiontime: 42,
          terminatecauseid: 1,
          sessionbill: 0.25,
          buycost: '0.1',
        },
      });
      t.equal(call.status, 200, call.text);
      t.match(call.json, {
        card_id: alice.id,
        calledstation: '34933000000',
        sessiontime: 42,
        sessionbill: 0.25,
        buycost: 0.1,
        stoptime: null,
        sipiax: 0,
        src: '',
      });
      t.same(
        await byCard('/api/call/?card_id__username=alice-0001&terminatecauseid=1'),
        [call.json.id],
        'call by card username',
      );

      const charge = await request('/api/charge/', {
        method: 'POST',
        body: { id_cc_card: bob.id, amount: 2.5, chargetype: 4, description: 'extra' },
      });
      t.equal(charge.status, 200, charge.text);
      t.match(charge.json, {
        id_cc_card: bob.id,
        amount: 2.5,
        chargetype: 4,
        iduser: 0,
        id_cc_did: 0,
        cover_from: null,
        charged_status: 0,
      });
      t.same(
        await byCard('/api/charge/?id_cc_card__username__startswith=bob-'),
        [charge.json.id],
        'charge by card username',
      );

      // XKX (Kosovo) is not an ISO 3166-1 code, so the seed does not have it.
      const country = await request('/api/country/', {
        method: 'POST',
        body: { countrycode: 'XKX', countryprefix: '383', countryname: 'Kosovo' },
      });
      t.equal(country.status, 200, country.text);
      t.same(await byCard('/api/country/?countrycode=XKX'), [country.json.id], 'countries are found by their code');
    });
  });
}
