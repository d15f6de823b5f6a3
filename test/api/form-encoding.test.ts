/**
 * Form bodies are decoded strictly: percent-encoded bytes that are not UTF-8
 * (`name=%ff`, which the review saw stored as U+FFFD) are a 400 naming the
 * field, and nothing is written; valid text, `+`, and a `%` that encodes
 * nothing read as a browser's form decoder reads them. On both databases.
 */
import t from 'tap';
import { decodeFormComponent, formPairs } from '../../runtime/http/body-parsers.js';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';

const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function groups(service: Service): Promise<unknown[]> {
  return service.backend.raw('SELECT * FROM cc_card_group ORDER BY id');
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());

    await t.test('bytes that are not UTF-8: 400 naming the field, nothing stored', async (t) => {
      const before = await groups(service);
      for (const [body, field] of [
        ['name=x%ffy', 'name'],
        ['name=%FF%FE', 'name'],
        ['description=ok&name=%C3', 'name'], // a sequence cut short
        ['name=%C0%AF', 'name'], // an overlong "/"
        ['name=%ED%A0%80', 'name'], // a UTF-16 surrogate
        ['name=%F4%90%80%80', 'name'], // past U+10FFFF
        ['name=ok&na%ffme=x', 'na%ffme'], // a name is named as it was sent
        ['data=%ff', 'data'],
      ] as const) {
        const response = await service.request('/api/cardgroup/', { method: 'POST', body, headers: form });
        t.equal(response.status, 400, `${body}: 400`, { found: response.text });
        t.equal(response.json?.code, 'invalid_encoding', `${body}: code invalid_encoding`);
        t.same(
          response.json?.fields?.map((problem: { field: string }) => problem.field),
          [field],
          `${body}: names ${field}`,
        );
        t.match(response.json?.error, new RegExp(`form field ${field} is not valid UTF-8`));
      }
      t.same(await groups(service), before, 'nothing stored');
    });

    await t.test('a credit adjustment with %ff: refused, balance unchanged', async (t) => {
      const card = await service.request('/api/card/', {
        method: 'POST',
        body: { username: 'enc1', useralias: 'enc1', uipass: 'pw', credit: 5, tariff: 1 },
      });
      const response = await service.request(`/api/card/${card.json.id}/credit`, {
        method: 'POST',
        body: 'delta=1&note=%ff',
        headers: form,
      });
      t.equal(response.status, 400);
      t.same(response.json.fields, [
        { field: 'note', message: 'is not valid UTF-8 once percent-decoded (send text as UTF-8, e.g. é as %C3%A9)' },
      ]);
      const [row] = await service.backend.raw('SELECT credit FROM cc_card WHERE id = ?', [card.json.id]);
      t.equal(Number(row!.credit), 5, 'balance unchanged');
    });

    await t.test('valid forms read as a browser encodes them', async (t) => {
      for (const [body, stored] of [
        ['name=caf%C3%A9+cr%C3%A8me', 'café crème'],
        ['name=50%', '50%'], // a % that encodes nothing stays itself
        ['name=100%25+sure', '100% sure'],
        ['name=a%zzb%4', 'a%zzb%4'],
        ['name=%E2%82%AC%20and%20%C3%A9%ZZ', '€ and é%ZZ'],
        ['name=plain', 'plain'],
      ] as const) {
        const response = await service.request('/api/cardgroup/', { method: 'POST', body, headers: form });
        t.equal(response.status, 200, `${body}: 200`, { found: response.text });
        t.equal(response.json?.name, stored, `${body}: stored as ${stored}`);
      }
    });
  });
}

t.test('decodeFormComponent and formPairs', async (t) => {
  t.equal(decodeFormComponent('a+b'), 'a b');
  t.equal(decodeFormComponent('%2B'), '+');
  t.equal(decodeFormComponent('%EF%BB%BFx'), '\uFEFFx', 'a byte order mark is content');
  t.equal(decodeFormComponent('%'), '%');
  t.equal(decodeFormComponent('é%C3%A9'), 'éé', 'raw UTF-8 text beside encoded bytes');
  t.equal(decodeFormComponent('%ff'), undefined);
  t.equal(decodeFormComponent('%e9'), undefined, 'Latin-1 é');
  t.same(formPairs('a=1&&b&c=&=d'), [
    ['a', '1'],
    ['b', ''],
    ['c', ''],
    ['', 'd'],
  ]);
  t.same(formPairs('a=1=2'), [['a', '1=2']], 'the first = splits');
  for (const text of ['a=1&b=%41%42', 'x=%E2%9C%93+ok&y=50%', 'k=%zz%']) {
    t.same(formPairs(text), [...new URLSearchParams(text)], `${text}: as URLSearchParams reads valid UTF-8`);
  }
});
