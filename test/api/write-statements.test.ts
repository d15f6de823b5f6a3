/**
 * insertStatement with the create defaults passed separately builds exactly
 * the statement of the defaults spread under the request's values.
 */
import t from 'tap';
import { cardModel } from '../../generated/card/model.js';
import { mysqlAdapter } from '../../runtime/db/mysql/adapter.js';
import { sqliteAdapter } from '../../runtime/db/sqlite/adapter.js';
import { Registry } from '../../runtime/store/resource.js';
import { insertStatement } from '../../runtime/store/sql-builder.js';

const card = new Registry([cardModel]).get('card')!;
const CREATE_DEFAULTS = card.createDefaults;

t.test('defaults argument = defaults spread under the values', async (t) => {
  const bodies: Record<string, unknown>[] = [
    {},
    { username: 'u1', useralias: 'a1', uipass: 'x', credit: 10, tariff: 1 },
    { username: 'u2', lastname: 'Lee', country: null, firstname: '' },
    { id: 5, serial: 7, username: 'read-only keys are never written' },
  ];
  for (const body of bodies) {
    for (const adapter of [mysqlAdapter, sqliteAdapter]) {
      t.same(
        insertStatement(adapter, card, body, CREATE_DEFAULTS),
        insertStatement(adapter, card, { ...CREATE_DEFAULTS, ...body }),
        `${adapter.name} ${JSON.stringify(body)}`,
      );
    }
  }
  const sent = insertStatement(mysqlAdapter, card, { username: 'u3', lastname: 'Sent' }, CREATE_DEFAULTS);
  t.ok(sent.params.includes('Sent') && !sent.params.includes(undefined as never), 'a value sent wins over its default');
});
