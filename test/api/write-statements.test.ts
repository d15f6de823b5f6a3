/**
 * insertStatement with the create defaults passed separately builds exactly
 * the statement of the defaults spread under the request's values.
 */
import t from 'tap';
import { cardSpec } from '../../generated/card/spec.js';
import { CREATE_DEFAULTS, INSERT_CARD } from '../../generated/card/queries.js';
import { insertStatement } from '../../runtime/store/sql-builder.js';

t.test('defaults argument = defaults spread under the values', async (t) => {
  const bodies: Record<string, unknown>[] = [
    {},
    { username: 'u1', useralias: 'a1', uipass: 'x', credit: 10, tariff: 1 },
    { username: 'u2', lastname: 'Lee', country: null, firstname: '' },
    { id: 5, serial: 7, username: 'read-only keys are never written' },
  ];
  for (const body of bodies) {
    for (const dialect of ['mysql', 'sqlite'] as const) {
      t.same(insertStatement(dialect, INSERT_CARD, cardSpec, body, CREATE_DEFAULTS), insertStatement(dialect, INSERT_CARD, cardSpec, { ...CREATE_DEFAULTS, ...body }), `${dialect} ${JSON.stringify(body)}`);
    }
  }
  const sent = insertStatement('mysql', INSERT_CARD, cardSpec, { username: 'u3', lastname: 'Sent' }, CREATE_DEFAULTS);
  t.ok(sent.params.includes('Sent') && !sent.params.includes(undefined as never), 'a value sent wins over its default');
});
