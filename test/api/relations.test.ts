/**
 * Filters that follow a reference declared in the schema
 * (card.id_group → cardgroup): `?id_group__name=Gold`.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;
    const gold = (await request('/api/cardgroup/', { method: 'POST', body: { name: 'Gold', users_perms: 10 } })).json
      .id;
    const silver = (await request('/api/cardgroup/', { method: 'POST', body: { name: 'silver', users_perms: 2 } })).json
      .id;
    const cards: [string, number][] = [
      ['g1', gold],
      ['g2', gold],
      ['s1', silver],
      ['d1', 1],
    ];
    for (const [username, group] of cards) {
      const created = await request('/api/card/', {
        method: 'POST',
        body: { username, useralias: username, uipass: 'x', credit: 0, tariff: 1, id_group: group },
      });
      t.equal(created.status, 200, `card ${username}`);
    }
    const usernames = async (query: string) => {
      const response = await request(`/api/card/?fields=username&ordering=username&${query}`);
      t.equal(response.status, 200, query);
      return response.json.objects.map((row: { username: string }) => row.username);
    };

    t.same(await usernames('id_group__name=Gold'), ['g1', 'g2'], 'equality on the referenced name');
    t.same(await usernames('id_group__name=DEFAULT'), ['d1'], 'the seeded DEFAULT group');
    t.same(await usernames('id_group__name=gold'), [], 'case-sensitive like the collation');
    t.same(await usernames('id_group__name__ilike=GOLD'), ['g1', 'g2'], 'ilike through the reference');
    t.same(await usernames('id_group__name__in=Gold,silver'), ['g1', 'g2', 's1']);
    t.same(await usernames('id_group__users_perms__lt=5'), ['s1'], 'any field of the referenced model');
    t.same(await usernames('id_group__name=Gold&username__ne=g1'), ['g2'], 'combined with plain filters');
    t.same(await usernames(`id_group=${silver}`), ['s1'], 'the key itself still filters');
    t.same(
      await usernames(`id_group__in=${silver},1`),
      ['d1', 's1'],
      'an operator right after the reference applies to the key',
    );

    const typo = await request('/api/card/?id_group__nmae=Gold');
    t.equal(typo.status, 400);
    t.same(typo.json.fields, [
      { field: 'id_group__nmae', message: 'names nmae, which is not a field of cardgroup', hint: 'did you mean name?' },
    ]);
    const operator = await request('/api/card/?id_group__name__regex=G');
    t.equal(operator.status, 400, 'an unknown operator at the end of a path');
    t.match(operator.json.fields[0].hint, 'did you mean regexp?');
    const value = await request('/api/card/?id_group__users_perms=abc');
    t.equal(value.status, 400, 'values are parsed by the referenced column type');
    const injection = await request(`/api/card/?id_group__name=${encodeURIComponent("Gold') OR 1=1 -- ")}`);
    t.same(injection.json.objects, [], 'values stay parameters inside the subquery');
  });
}
