/**
 * Body validators compile on first use (startup time), so this checks ahead
 * of any request that every generated body schema compiles, and that a lazily
 * compiled validator answers, normalises and reports errors like ajv's own.
 */
import t from 'tap';
import { models } from '../../generated/index.js';
import { resourceSchemas } from '../../runtime/http/schemas.js';
import { compileLazily, createBodyValidator } from '../../runtime/http/validation.js';
import { Registry } from '../../runtime/store/resource.js';

const adminPages = new Registry(models).all().map((resource) => ({
  resource: resource.name,
  createBodySchema: resourceSchemas(resource).create,
  updateBodySchema: resourceSchemas(resource).update,
}));

t.test('every generated body schema compiles', async (t) => {
  const ajv = createBodyValidator();
  t.ok(adminPages.length >= 8, `${adminPages.length} models`);
  for (const page of adminPages) {
    t.doesNotThrow(() => ajv.compile(page.createBodySchema), `${page.resource} create`);
    t.doesNotThrow(() => ajv.compile(page.updateBodySchema), `${page.resource} update`);
  }
});

t.test('a lazily compiled validator behaves as the compiled one', async (t) => {
  const card = adminPages.find((page) => page.resource === 'card')!;
  const lazy = compileLazily(createBodyValidator(), card.updateBodySchema);
  const eager = createBodyValidator().compile(card.updateBodySchema);
  for (const body of [{ credit: '12.5' }, { credit: 'lots' }, { nope: 1 }, { id: 3 }, { credit: 1 }]) {
    const [a, b] = [structuredClone(body), structuredClone(body)];
    t.equal(lazy(a), eager(b), `valid? ${JSON.stringify(body)}`);
    t.same(a, b, `normalised alike: ${JSON.stringify(body)}`);
    t.same(lazy.errors ?? null, eager.errors ?? null, `same errors: ${JSON.stringify(body)}`);
  }
  t.notOk(lazy({ credit: 'lots' }), 'still refuses after the first call');
  t.match(lazy.errors, [{ instancePath: '/credit' }], 'and names the field');
});
