/**
 * The list envelope, paging, ordering and field selection of COMPAT.md.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name, { maxLimit: 4 });
    t.teardown(() => service.close());
    const { request } = service;
    // Groups 2..8 next to the seeded DEFAULT (1): names sort differently from ids.
    const names = ['delta', 'alpha', 'echo', 'charlie', 'bravo', 'alpha', 'golf'];
    for (const groupName of names)
      await request('/api/cardgroup/', { method: 'POST', body: { name: groupName, users_perms: 1 } });

    await t.test('envelope with meta and objects, ordered by key by default', async (t) => {
      const response = await request('/api/cardgroup/?limit=3');
      t.equal(response.status, 200);
      t.same(response.json.meta, { model: 'cardgroup', next: '/api/cardgroup/?limit=3&page=2', previous: '', page: 1 });
      t.same(
        response.json.objects.map((row: { id: number }) => row.id),
        [1, 2, 3],
      );
    });

    await t.test('next and previous carry every parameter with page replaced', async (t) => {
      const page2 = await request('/api/cardgroup/?users_perms=1&page=2&limit=2&ordering=name');
      t.same(page2.json.meta, {
        model: 'cardgroup',
        next: '/api/cardgroup/?users_perms=1&page=3&limit=2&ordering=name',
        previous: '/api/cardgroup/?users_perms=1&page=1&limit=2&ordering=name',
        page: 2,
      });
      const last = await request('/api/cardgroup/?users_perms=1&page=4&limit=2&ordering=name');
      t.equal(last.json.meta.next, '', 'no next page: empty string');
      t.same(
        last.json.objects.map((row: { name: string }) => row.name),
        ['golf'],
        'seven rows match: the fourth page holds one',
      );
      const past = await request('/api/cardgroup/?page=99');
      t.equal(past.status, 200);
      t.same(past.json.objects, [], 'a page past the end is empty, not an error');
    });

    await t.test('walking every page visits every row once', async (t) => {
      const seen: number[] = [];
      let url = '/api/cardgroup/?ordering=-name&limit=3';
      for (let guard = 0; url && guard < 10; guard++) {
        const response = await request(url);
        seen.push(...response.json.objects.map((row: { id: number }) => row.id));
        url = response.json.meta.next;
      }
      t.same(
        [...seen].sort((a, b) => a - b),
        [1, 2, 3, 4, 5, 6, 7, 8],
      );
    });

    await t.test('ordering ascending, descending, ties broken by the key', async (t) => {
      const ascending = await request('/api/cardgroup/?ordering=name&limit=4');
      // Binary collation: upper case sorts before lower case.
      t.same(
        ascending.json.objects.map((row: { name: string; id: number }) => [row.name, row.id]),
        [
          ['DEFAULT', 1],
          ['alpha', 3],
          ['alpha', 7],
          ['bravo', 6],
        ],
      );
      const descending = await request('/api/cardgroup/?ordering=-id&limit=2');
      t.same(
        descending.json.objects.map((row: { id: number }) => row.id),
        [8, 7],
      );
    });

    await t.test('limit is clamped to the configured maximum', async (t) => {
      const response = await request('/api/cardgroup/?limit=1000');
      t.equal(response.json.objects.length, 4);
      t.equal(response.json.meta.next, '/api/cardgroup/?limit=1000&page=2');
    });

    await t.test('fields= returns only those columns', async (t) => {
      const response = await request('/api/cardgroup/?fields=name&limit=2');
      t.same(response.json.objects, [{ name: 'DEFAULT' }, { name: 'delta' }]);
      const two = await request('/api/cardgroup/?fields=id,users_perms&limit=1&ordering=-id');
      t.same(two.json.objects, [{ id: 8, users_perms: 1 }]);
    });

    await t.test('after= pages by key and next carries it', async (t) => {
      const first = await request('/api/cardgroup/?ordering=id&after=2&limit=3');
      t.same(
        first.json.objects.map((row: { id: number }) => row.id),
        [3, 4, 5],
      );
      t.equal(first.json.meta.next, '/api/cardgroup/?ordering=id&limit=3&page=2&after=5');
      const next = await request(first.json.meta.next);
      t.same(
        next.json.objects.map((row: { id: number }) => row.id),
        [6, 7, 8],
      );
      const down = await request('/api/cardgroup/?ordering=-id&after=4');
      t.same(
        down.json.objects.map((row: { id: number }) => row.id),
        [3, 2, 1],
      );
      const mismatch = await request('/api/cardgroup/?ordering=name&after=4');
      t.equal(mismatch.status, 400, 'after needs ordering by the key');
    });

    await t.test('no total count, as before', async (t) => {
      const response = await request('/api/cardgroup/');
      t.same(Object.keys(response.json.meta).sort(), ['model', 'next', 'page', 'previous']);
    });
  });
}
