/**
 * Lost-update protection: GET one answers an ETag; PUT, PATCH and DELETE
 * with If-Match apply only while the row still has it, checked in the same
 * UPDATE/DELETE statement, else 412 and nothing written.
 */
import t from 'tap';
import { cardModel } from '../../generated/card/model.js';
import { SELECT_CARD } from '../../generated/card/statements.js';
import { errorResponse } from '../../runtime/http/error-handler.js';
import { Registry } from '../../runtime/store/resource.js';
import { Store, type WriteContext } from '../../runtime/store/store.js';
import type { Db } from '../../runtime/db/db.js';
import { BACKENDS } from '../helpers/backends.js';
import { interferingDb } from '../helpers/interfering-db.js';
import { startService, type Service } from '../helpers/service.js';

async function newCard(service: Service, username: string): Promise<number> {
  const response = await service.request('/api/card/', {
    method: 'POST',
    body: { username, useralias: `${username}-web`, uipass: '4321', credit: '5', tariff: 1 },
  });
  if (response.status !== 200) throw new Error(`card not created: ${response.text}`);
  return response.json.id as number;
}

/** The backend's Db, with `other` changing the row right after the write path's read. */
function interfering(db: Db, other: (db: Db) => Promise<void>): Db {
  const wrapper = interferingDb(db);
  wrapper.arm(SELECT_CARD, other);
  return wrapper.db;
}

/** The HTTP status a rejected write carries, or 200 when it resolved. */
async function statusOf(write: Promise<unknown>): Promise<number | undefined> {
  return write.then(
    () => 200,
    (error) => errorResponse(error).status,
  );
}

const silentLog: WriteContext['log'] = { error() {} };

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { request } = service;

    await t.test('GET one has an ETag that follows the row’s content', async (t) => {
      const id = await newCard(service, `etag-${name}-1`);
      const first = await request(`/api/card/${id}/`);
      const etag = first.headers.get('etag');
      t.match(etag, /^"[A-Za-z0-9_-]{27}"$/, 'a strong ETag');
      t.equal((await request(`/api/card/${id}/`)).headers.get('etag'), etag, 'stable while the row is unchanged');
      const notModified = await request(`/api/card/${id}/`, { headers: { 'if-none-match': etag! } });
      t.equal(notModified.status, 304, 'If-None-Match with the current tag: 304');
      t.equal(notModified.text, '', 'and no body');
      const patched = await request(`/api/card/${id}/`, { method: 'PATCH', body: { lastname: 'Changed' } });
      t.not(patched.headers.get('etag'), etag, 'a write answers the new ETag');
      t.equal(
        (await request(`/api/card/${id}/`)).headers.get('etag'),
        patched.headers.get('etag'),
        'which GET agrees with',
      );
      t.equal(
        (await request(`/api/card/${id}/`, { headers: { 'if-none-match': etag! } })).status,
        200,
        'an old tag gets the row',
      );
    });

    await t.test('If-Match: the current tag writes; a stale one is 412 and writes nothing', async (t) => {
      const id = await newCard(service, `etag-${name}-2`);
      const etag = (await request(`/api/card/${id}/`)).headers.get('etag')!;
      const ok = await request(`/api/card/${id}/`, {
        method: 'PUT',
        headers: { 'if-match': etag },
        body: { lastname: 'First' },
      });
      t.equal(ok.status, 200, ok.text);
      t.equal(ok.json.lastname, 'First');
      const stale = await request(`/api/card/${id}/`, {
        method: 'PATCH',
        headers: { 'if-match': etag },
        body: { lastname: 'Second' },
      });
      t.equal(stale.status, 412, 'the tag read before the first write is stale');
      t.equal(stale.json.code, 'precondition_failed');
      t.match(stale.json.error, new RegExp(`card ${id} has changed`));
      t.equal((await request(`/api/card/${id}/`)).json.lastname, 'First', 'nothing written');
      const weak = await request(`/api/card/${id}/`, {
        method: 'PATCH',
        headers: { 'if-match': `W/${ok.headers.get('etag')}` },
        body: { lastname: 'Weak' },
      });
      t.equal(weak.status, 412, 'a weak tag never matches');
      const listed = await request(`/api/card/${id}/`, {
        method: 'PATCH',
        headers: { 'if-match': `"nope", ${ok.headers.get('etag')}` },
        body: { lastname: 'Listed' },
      });
      t.equal(listed.status, 200, 'any tag of a list may match');
      const any = await request(`/api/card/${id}/`, {
        method: 'PATCH',
        headers: { 'if-match': '*' },
        body: { lastname: 'Any' },
      });
      t.equal(any.status, 200, '* matches any existing row');
      t.equal(
        (
          await request('/api/card/999999/', {
            method: 'PATCH',
            headers: { 'if-match': etag },
            body: { lastname: 'x' },
          })
        ).status,
        404,
        'a missing row stays 404',
      );
      const sameValue = await request(`/api/card/${id}/`, {
        method: 'PATCH',
        headers: { 'if-match': any.headers.get('etag')! },
        body: { lastname: 'Any' },
      });
      t.equal(sameValue.status, 200, 'writing the value it already has is not a conflict');
    });

    await t.test('DELETE with If-Match', async (t) => {
      const id = await newCard(service, `etag-${name}-3`);
      const etag = (await request(`/api/card/${id}/`)).headers.get('etag')!;
      await request(`/api/card/${id}/`, { method: 'PATCH', body: { city: 'Madrid' } });
      const stale = await request(`/api/card/${id}/`, { method: 'DELETE', headers: { 'if-match': etag } });
      t.equal(stale.status, 412);
      t.equal((await request(`/api/card/${id}/`)).status, 200, 'still there');
      const current = (await request(`/api/card/${id}/`)).headers.get('etag')!;
      t.same((await request(`/api/card/${id}/delete/`, { method: 'POST', headers: { 'if-match': current } })).json, {
        deleted: 1,
      });
      t.equal((await request(`/api/card/${id}/`)).status, 404);
    });

    await t.test('concurrent writers holding the same tag: exactly one wins', async (t) => {
      const id = await newCard(service, `etag-${name}-4`);
      const etag = (await request(`/api/card/${id}/`)).headers.get('etag')!;
      const responses = await Promise.all(
        Array.from({ length: 25 }, (_, index) =>
          request(`/api/card/${id}/`, {
            method: 'PATCH',
            headers: { 'if-match': etag },
            body: { lastname: `Writer ${index}` },
          }),
        ),
      );
      const winners = responses.filter((response) => response.status === 200);
      t.equal(winners.length, 1, 'one 200');
      t.equal(responses.filter((response) => response.status === 412).length, 24, 'and 24 × 412');
      t.equal(
        (await request(`/api/card/${id}/`)).json.lastname,
        winners[0]!.json.lastname,
        'the row holds the winner’s value',
      );
    });

    await t.test('a change between the read and the UPDATE is caught by the statement itself', async (t) => {
      const id = await newCard(service, `etag-${name}-5`);
      let changes = 0;
      const other = async (db: Db) => {
        changes += 1;
        await db.run('UPDATE cc_card SET firstname = ? WHERE id = ?', [`Sneaky ${changes}`, id]);
      };
      const context: WriteContext = { log: silentLog, actor: { user: 'test', client: '127.0.0.1', route: 'test' } };
      const registry = new Registry([cardModel]);
      const card = registry.get('card')!;
      const store = (db: Db) => new Store(db, registry, false);
      // The precondition sees the row as read (unchanged), so only the WHERE clause can stop the write.
      const update = store(interfering(service.backend.db, other)).update(
        context,
        card,
        [id],
        { lastname: 'Mine' },
        () => true,
      );
      t.equal(await statusOf(update), 412, 'the UPDATE matched no row: 412');
      const [row] = await service.backend.raw('SELECT firstname, lastname FROM cc_card WHERE id = ?', [id]);
      t.same(row, { firstname: 'Sneaky 1', lastname: '' }, 'the other change stands; ours was not written');
      const remove = store(interfering(service.backend.db, other)).delete(context, card, [id], () => true);
      t.equal(await statusOf(remove), 412, 'the DELETE matched no row: 412');
      t.equal((await service.backend.raw('SELECT id FROM cc_card WHERE id = ?', [id])).length, 1, 'not deleted');
      // Without a condition the same interleaving writes: the condition is what made the difference.
      await store(interfering(service.backend.db, other)).update(context, card, [id], { lastname: 'Mine' });
      t.equal((await service.backend.raw('SELECT lastname FROM cc_card WHERE id = ?', [id]))[0]!.lastname, 'Mine');
    });
  });
}
