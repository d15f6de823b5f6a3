/**
 * Every filter operator of COMPAT.md, with the case rules of A2Billing's
 * binary collation, on SQLite and on MariaDB.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type Service } from '../helpers/service.js';

interface Row {
  id: number;
  username: string;
}

async function usernames(service: Service, query: string): Promise<string[]> {
  const response = await service.request(`/api/card/?fields=username&ordering=username&limit=100&${query}`);
  if (response.status !== 200) throw new Error(`${query}: ${response.status} ${response.text}`);
  return response.json.objects.map((row: Row) => row.username);
}

const cards = [
  { username: 'anna', lastname: 'Müller', credit: '10', status: 1, firstusedate: '2024-01-01 10:00:00' },
  { username: 'Bob', lastname: 'MÜLLER', credit: '0', status: 0 },
  { username: 'carl', lastname: '50% off', credit: '-2.5', status: 1, lock_date: '2025-06-01 00:00:00' },
  { username: 'dora', lastname: 'under_score', credit: '7.25', status: 6 },
  { username: 'emil', lastname: 'plain', credit: '100', status: 1, vat_rn: 'VAT1' },
];

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    for (const [index, card] of cards.entries()) {
      const response = await service.request('/api/card/', {
        method: 'POST',
        body: { useralias: `alias${index}`, uipass: 'x', tariff: 1, ...card },
      });
      if (response.status !== 200) throw new Error(response.text);
    }
    const check = async (query: string, expected: string[], message = query) =>
      t.same(await usernames(service, query), expected, message);

    await t.test('equality, repeated values OR, ne and not_in AND', async () => {
      await check('username=anna', ['anna']);
      await check('status=1', ['anna', 'carl', 'emil']);
      await check('status=0&status=6', ['Bob', 'dora'], 'repeated values of one key OR');
      await check('status=1&credit=10', ['anna'], 'different keys AND');
      await check('status__ne=1&status__ne=0', ['dora'], 'repeated ne values AND');
      await check('status__in=0&status__in=6', ['Bob', 'dora']);
      await check('status__in=0,6', ['Bob', 'dora'], 'in takes comma-separated values too');
      await check('status__not_in=1,0', ['dora']);
      await check('username__eq=ANNA', [], 'eq is case-sensitive');
    });

    await t.test('comparisons on exact decimals and dates', async () => {
      await check('credit__gt=7.25', ['anna', 'emil']);
      await check('credit__gte=7.25', ['anna', 'dora', 'emil']);
      await check('credit__lt=0', ['carl']);
      await check('credit__lte=0', ['Bob', 'carl']);
      await check('credit__between=0,10', ['Bob', 'anna', 'dora'], 'between is inclusive');
      await check('lock_date__gte=2025-01-01', ['carl']);
    });

    await t.test('like is case-sensitive with caller wildcards; ilike is not', async () => {
      await check('lastname__like=M%', ['Bob', 'anna']);
      await check('lastname__like=Mü%', ['anna'], 'like: case-sensitive');
      await check('lastname__ilike=MÜ%', ['Bob', 'anna'], 'ilike folds non-ASCII letters too');
      await check('username__ilike=BOB', ['Bob']);
    });

    await t.test('contains, startswith, endswith match % and _ literally', async () => {
      await check('lastname__contains=%', ['carl']);
      await check('lastname__contains=_', ['dora']);
      await check('lastname__startswith=50%', ['carl']);
      await check('lastname__endswith=score', ['dora']);
      await check('lastname__icontains=ÜLL', ['Bob', 'anna']);
      await check('lastname__contains=ÜLL', ['Bob']);
    });

    await t.test('regexp', async () => {
      await check('username__regexp=^[a-c]', ['anna', 'carl']);
      await check('username__regexp=^B', ['Bob'], 'case-sensitive like the collation');
    });

    await t.test('is_null, where a zero date counts as null', async () => {
      await check('vat_rn__is_null=false', ['emil']);
      await check('vat_rn__is_null=true', ['Bob', 'anna', 'carl', 'dora']);
      await check('firstusedate__is_null=false', ['anna']);
      await check(
        'firstusedate__is_null=true',
        ['Bob', 'carl', 'dora', 'emil'],
        'zero dates read as null, so they filter as null',
      );
    });

    await t.test('values are parsed by the column type', async (t) => {
      for (const query of [
        'status=abc',
        'credit__gt=1e',
        'id__in=1,x',
        'lock_date__gte=yesterday',
        'credit__between=1',
        'vat_rn__is_null=maybe',
      ]) {
        const response = await service.request(`/api/card/?${query}`);
        t.equal(response.status, 400, query);
        t.equal(response.json.code, 'invalid_query', query);
        t.equal(response.json.fields[0].field, query.split('=')[0], `${query} names the parameter`);
      }
    });

    await t.test('unknown parameters and operators are 400 with a hint', async (t) => {
      const typo = await service.request('/api/card/?usrname=bob');
      t.equal(typo.status, 400);
      t.same(typo.json.fields, [
        { field: 'usrname', message: 'is not a known parameter', hint: 'did you mean username?' },
      ]);
      const operator = await service.request('/api/card/?username__icontain=bob');
      t.equal(operator.status, 400);
      t.equal(operator.json.fields[0].hint, 'did you mean icontains?');
      const wrongType = await service.request('/api/card/?credit__like=1%');
      t.equal(wrongType.status, 400, 'text operators only apply to text columns');
      const secret = await service.request('/api/card/?uipass=x');
      t.equal(secret.status, 400, 'write-only columns cannot be filtered');
    });
  });
}
