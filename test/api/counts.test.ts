/**
 * Counts on request (Prefer: count=exact|estimated), on both databases: exact
 * agrees with COUNT(*) with and without filters, estimated is marked as such
 * where it is the server's estimate (EXPLAIN, InnoDB's statistics) and is
 * exact where the server knows (a MyISAM table's row count; SQLite counts);
 * without the header a list says nothing of a total.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const groups = Array.from({ length: 45 }, (_, index) => ({
      name: `count-${index}`,
      description: index % 3 === 0 ? 'third' : '',
    }));
    t.equal((await service.request('/api/cardgroup/', { method: 'POST', body: groups })).status, 200);
    const countOf = async (where: string) => {
      const [row] = await service.backend.raw(`SELECT COUNT(*) AS n FROM cc_card_group${where}`);
      return Number(row!.n);
    };
    const list = (path: string, prefer?: string) =>
      service.request(path, prefer === undefined ? {} : { headers: { prefer } });

    const plain = await list('/api/cardgroup/');
    t.notOk('total' in plain.json.meta, 'no header, no total');
    t.equal(plain.headers.get('content-range'), null);

    const all = await list('/api/cardgroup/?limit=20&page=2', 'count=exact');
    const total = await countOf('');
    t.equal(all.json.meta.total, total, 'exact: COUNT(*) of the table');
    t.equal(all.json.meta.total_estimated, false);
    t.equal(all.headers.get('content-range'), `20-39/${total}`);
    t.equal(all.headers.get('preference-applied'), 'count=exact');

    const third = await list('/api/cardgroup/?description=third&limit=5', 'count=exact');
    t.equal(third.json.meta.total, await countOf(" WHERE description = 'third'"), 'exact: COUNT(*) of the filter');
    t.equal(third.json.meta.total, 15);
    t.equal(third.headers.get('content-range'), '0-4/15');
    const none = await list('/api/cardgroup/?name=nobody', 'count=exact');
    t.equal(none.headers.get('content-range'), '*/0', 'an empty page');

    const estimated = await list('/api/cardgroup/', 'count=estimated');
    // cc_card_group is MyISAM on MariaDB: its row count is exact, and said to be; SQLite counts.
    t.equal(estimated.json.meta.total, total, 'estimated, no filter: the exact figure the server keeps');
    t.equal(estimated.json.meta.total_estimated, false);
    const filtered = await list('/api/cardgroup/?description=third', 'count=estimated');
    t.type(filtered.json.meta.total, 'number');
    t.equal(filtered.json.meta.total_estimated, name === 'mysql', 'with a filter: the optimizer estimates (MySQL)');
    if (name === 'sqlite') t.equal(filtered.json.meta.total, 15, 'SQLite has no estimate: it counts');
    const audit = await list('/api/audit/', 'count=estimated');
    t.equal(audit.status, 200);
    t.equal(audit.json.meta.total_estimated, name === 'mysql', 'the InnoDB audit trail: statistics, an estimate');

    const wrong = await list('/api/cardgroup/', 'count=roughly');
    t.equal(wrong.status, 400);
    t.match(wrong.json.fields, [{ field: 'Prefer', message: /count=exact/ }]);
    t.equal(
      (await list('/api/cardgroup/', 'return=minimal')).status,
      200,
      'preferences a2gen does not know are ignored',
    );
  });
}
