/**
 * Roles through the API, on both databases: a read-only user, a provisioning
 * user (create, update, adjust; never delete) and two agents, each scoped to
 * the card groups whose id_agent is its `agent` attribute, their cards and
 * the rows that reference those cards. Every route answers 403 for an
 * operation the role lacks and 404 for a row outside the scope, and no
 * filter, field list or page reaches another agent's rows.
 */
import t from 'tap';
import { ApiKeyStore } from '../../runtime/auth/api-key-store.js';
import { UserStore } from '../../runtime/auth/user-store.js';
import { BACKENDS } from '../helpers/backends.js';
import { basicAuth, startService, type Service } from '../helpers/service.js';

const PASSWORD = 'a long enough password';

type Kind = 'user' | 'key';

/** A user with the role (Basic auth), or an API key with it (Bearer), as the Authorization header to send. */
async function credentialsFor(
  service: Service,
  kind: Kind,
  name: string,
  role: string,
  attributes: Record<string, string> = {},
) {
  if (kind === 'key') {
    const { token } = await new ApiKeyStore(service.backend.db).create({
      name,
      role,
      attributes,
      owner: 'test',
      expiresAt: null,
    });
    const authorization = `Bearer ${token}`;
    // The service reads new keys within its watch's interval (500 ms).
    for (let waited = 0; (await service.request('/api/', { auth: authorization })).status === 401; waited += 50) {
      if (waited > 5000) throw new Error(`key ${name} was never accepted`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return authorization;
  }
  const users = new UserStore(service.backend.db);
  const id = await users.create({
    username: name,
    email: `${name}@example.com`,
    password: PASSWORD,
    active: true,
    admin: false,
  });
  await users.setRole(id, role, attributes);
  return basicAuth(name, PASSWORD);
}

for (const name of BACKENDS)
  for (const kind of ['user', 'key'] as const) {
    t.test(`${name}, as ${kind === 'user' ? 'users (Basic auth)' : 'API keys (Bearer)'}`, async (t) => {
      // Polling for a new key to be read counts as failed logins: a limit high enough for that.
      const service = await startService(name, { authMaxFailures: 100_000 });
      t.teardown(() => service.close());
      const admin = service.request;
      const created = async (path: string, body: object) => {
        const response = await admin(path, { method: 'POST', body });
        if (response.status !== 200) throw new Error(`${path}: ${response.status} ${response.text}`);
        return response.json as Record<string, any>;
      };
      const groupA = (await created('/api/cardgroup/', { name: 'Agent seven', id_agent: 7, users_perms: 3 })).id;
      const groupB = (await created('/api/cardgroup/', { name: 'Agent eight', id_agent: 8 })).id;
      const card = (username: string, id_group: number) =>
        created('/api/card/', { username, useralias: username, uipass: 'x', credit: 5, tariff: 1, id_group });
      const a1 = (await card('a1', groupA)).id;
      const b1 = (await card('b1', groupB)).id;
      const callerA = (await created('/api/callerid/', { cid: '3312345', id_cc_card: a1 })).id;
      const callerB = (await created('/api/callerid/', { cid: '3398765', id_cc_card: b1 })).id;
      await created(`/api/card/${a1}/credit`, { delta: '1' });
      await created(`/api/card/${b1}/credit`, { delta: '1' });

      const reader = await credentialsFor(service, kind, 'reporting', 'read-only');
      const provisioning = await credentialsFor(service, kind, 'gateway', 'provisioning');
      const agent7 = await credentialsFor(service, kind, 'agent7', 'agent', { agent: '7' });
      const actor = (name: string) => (kind === 'key' ? `key:${name}` : name);
      const as =
        (auth: string) =>
        (path: string, options: Parameters<Service['request']>[1] = {}) =>
          service.request(path, { ...options, auth });

      await t.test('read-only: lists and rows of every model, no write of any kind', async (t) => {
        const call = as(reader);
        t.equal((await call('/api/card/')).status, 200);
        t.equal((await call(`/api/card/${b1}/`)).status, 200);
        t.equal((await call('/api/audit/')).status, 200, 'the audit trail too');
        const refusals: [string, string, object?][] = [
          ['POST', '/api/card/', { username: 'r1', useralias: 'r1', uipass: 'x', credit: 0, tariff: 1 }],
          ['PATCH', `/api/card/${a1}/`, { firstname: 'X' }],
          ['DELETE', `/api/card/${a1}/`],
          ['POST', `/api/card/${a1}/delete/`],
          ['POST', `/api/card/${a1}/credit`, { delta: '1' }],
          ['POST', `/custom_api/refill/${a1}`, { credit: 1 }],
        ];
        for (const [method, path, body] of refusals) {
          const response = await call(path, { method, body });
          t.equal(response.status, 403, `${method} ${path}: ${response.text}`);
          t.equal(response.json.code, 'forbidden');
        }
        const bulk = await call('/api/card/?id__gte=1', {
          method: 'PATCH',
          body: { firstname: 'X' },
          headers: { prefer: 'max-affected=10' },
        });
        t.equal(bulk.status, 403, 'a bulk update');
        t.match(
          (await call(`/api/card/${a1}/`, { method: 'DELETE' })).json.error,
          /role read-only may not delete card/,
        );
        t.equal((await admin(`/api/card/${a1}/`)).json.firstname, '', 'nothing was changed');
      });

      await t.test('provisioning: creates, updates and adjusts; never deletes', async (t) => {
        const call = as(provisioning);
        const made = await call('/api/card/', {
          method: 'POST',
          body: { username: 'p1', useralias: 'p1', uipass: 'x', credit: 0, tariff: 1, id_group: groupB },
        });
        t.equal(made.status, 200, `create a card: ${made.text}`);
        t.equal(
          (await call(`/api/card/${made.json.id}/`, { method: 'PATCH', body: { firstname: 'Pat' } })).status,
          200,
        );
        t.equal(
          (await call(`/api/card/${made.json.id}/credit`, { method: 'POST', body: { delta: '2.5' } })).status,
          200,
        );
        t.equal(
          (await call(`/custom_api/refill/${made.json.id}`, { method: 'POST', body: { credit: 1 } })).status,
          200,
        );
        t.equal(
          (await call(`/api/callerid/`, { method: 'POST', body: { cid: '555', id_cc_card: made.json.id } })).status,
          200,
        );
        t.equal((await call(`/api/card/${made.json.id}/`, { method: 'DELETE' })).status, 403, 'no delete');
        t.equal((await call(`/api/callerid/${callerA}/`, { method: 'DELETE' })).status, 403, 'no delete anywhere');
        t.equal(
          (await call('/api/country/', { method: 'POST', body: { countrycode: 'ZZZ', countryname: 'Z' } })).status,
          403,
        );
        const audit = await admin(`/api/audit/?resource=card&row_key=${made.json.id}&action=create`);
        t.equal(audit.json.objects[0]?.username, actor('gateway'), 'the audit trail names the user or key');
      });

      await t.test('agent: only its own groups, their cards and what references them', async (t) => {
        const call = as(agent7);
        const ids = async (path: string) => {
          const response = await call(path);
          t.equal(response.status, 200, path);
          return response.json.objects.map((row: { id: number }) => row.id);
        };
        t.same(await ids('/api/card/'), [a1], 'its cards');
        t.same(await ids('/api/cardgroup/'), [groupA], 'its groups');
        t.same(await ids('/api/callerid/'), [callerA], 'caller IDs of its cards');
        t.equal((await ids('/api/logrefill/')).length, 0, 'refills of its cards (none through logrefill here)');
        t.same(await ids(`/api/card/?id_group__name=Agent%20eight`), [], 'a filter through the group');
        t.same(await ids(`/api/card/?id_group=${groupB}`), [], 'the other group by key');
        t.same(await ids(`/api/card/?ordering=-id&after=${b1 + 1}`), [a1], 'keyset paging');
        const fields = await call('/api/card/?fields=username,credit');
        t.same(fields.json.objects, [{ username: 'a1', credit: 6 }], 'fields= shows its own card only');
        const counted = await call('/api/card/', { headers: { prefer: 'count=exact' } });
        t.equal(counted.json.meta.total, 1, 'counts only its rows');
        t.equal(counted.headers.get('content-range'), '0-0/1');

        const group = (await call(`/api/cardgroup/${groupA}/`)).json;
        t.notOk('users_perms' in group, 'a column its role hides is not returned');
        t.equal((await call('/api/cardgroup/?users_perms=3')).status, 400, 'nor filtered');
        t.equal((await call('/api/cardgroup/?ordering=users_perms')).status, 400, 'nor sorted');
        t.equal((await call('/api/card/?id_group__users_perms=3')).status, 400, 'nor filtered through a reference');

        for (const [method, path, body] of [
          ['GET', `/api/card/${b1}/`],
          ['PATCH', `/api/card/${b1}/`, { firstname: 'Mallory' }],
          ['PUT', `/api/card/${b1}/`, { firstname: 'Mallory' }],
          ['POST', `/api/card/${b1}/credit`, { delta: '100' }],
          ['POST', `/custom_api/refill/${b1}`, { credit: 100 }],
          ['GET', `/api/cardgroup/${groupB}/`],
          ['GET', `/api/callerid/${callerB}/`],
          ['DELETE', `/api/callerid/${callerB}/`],
          ['PATCH', `/api/callerid/${callerB}/`, { cid: '1' }],
        ] as [string, string, object?][]) {
          t.equal((await call(path, { method, body })).status, 404, `${method} ${path}: as if it did not exist`);
        }
        t.equal((await call(`/api/card/${b1}/`, { method: 'DELETE' })).status, 403, 'agents delete no card');
        t.equal((await call('/api/country/')).status, 403, 'a model outside its grants');
        const index = (await call('/api/')).json.resources as string[];
        t.ok(index.includes('/api/card/') && index.includes('/api/logrefill/'), 'the index lists its models');
        t.notOk(index.includes('/api/country/') || index.includes('/api/audit/'), 'and only those');
        t.equal((await call('/api/audit/')).status, 403);

        const other = (await admin(`/api/card/${b1}/`)).json;
        t.equal(other.firstname, '', 'the other agent card is unchanged');
        t.equal(other.credit, 6, 'and its balance too');
        t.equal((await admin(`/api/callerid/${callerB}/`)).status, 200, 'and its caller ID is still there');

        // Writes that would put a row outside its scope.
        const foreign = await call('/api/card/', {
          method: 'POST',
          body: { username: 'x1', useralias: 'x1', uipass: 'x', credit: 0, tariff: 1, id_group: groupB },
        });
        t.equal(foreign.status, 400, 'a card in another agent group');
        t.equal(foreign.json.fields[0].field, 'id_group');
        const ungrouped = await call('/api/card/', {
          method: 'POST',
          body: { username: 'x2', useralias: 'x2', uipass: 'x', credit: 0, tariff: 1 },
        });
        t.equal(ungrouped.status, 400, `a card in the default group, which is not its own: ${ungrouped.text}`);
        const own = await call('/api/card/', {
          method: 'POST',
          body: { username: 'a2', useralias: 'a2', uipass: 'x', credit: 0, tariff: 1, id_group: groupA },
        });
        t.equal(own.status, 200, `a card in its own group: ${own.text}`);
        const row = (username: string, id_group: number) => ({
          username,
          useralias: username,
          uipass: 'x',
          credit: 0,
          tariff: 1,
          id_group,
        });
        const mixed = await call('/api/card/', {
          method: 'POST',
          body: [row('m1', groupA), row('m2', groupB), row('m3', groupA)],
        });
        t.equal(mixed.status, 400, 'a bulk create with one row in another agent group');
        t.same(
          mixed.json.fields.map((field: { field: string }) => field.field),
          ['[1].id_group'],
        );
        t.equal((await admin('/api/card/?username=m1')).json.objects.length, 0, 'nothing of it was written');
        const bulk3 = await call('/api/card/', { method: 'POST', body: [row('m4', groupA), row('m5', groupA)] });
        t.equal(bulk3.status, 200, 'a bulk create in its own group');
        t.equal(bulk3.json.objects.length, 2);
        const moved = await call(`/api/card/${a1}/`, { method: 'PATCH', body: { id_group: groupB } });
        t.equal(moved.status, 400, 'moving its card to another agent');
        t.equal((await admin(`/api/card/${a1}/`)).json.id_group, groupA);
        const limit = await call(`/api/card/${a1}/`, { method: 'PATCH', body: { creditlimit: 1000 } });
        t.equal(limit.status, 403, 'a column its role may not write');
        t.same(limit.json.fields, [{ field: 'creditlimit', message: 'may not be written by role agent' }]);
        t.equal(
          (await call(`/api/card/${a1}/credit`, { method: 'POST', body: { delta: '1' } })).status,
          200,
          'adjusts its own card',
        );
        t.equal(
          (await call(`/custom_api/refill/${a1}`, { method: 'POST', body: { credit: 1 } })).status,
          200,
          'refills it',
        );
        const cid = await call('/api/callerid/', { method: 'POST', body: { cid: '777', id_cc_card: b1 } });
        t.equal(cid.status, 400, 'a caller ID on another agent card');

        const bulk = await call('/api/card/?id__gte=1', {
          method: 'PATCH',
          body: { firstname: 'Bulk' },
          headers: { prefer: 'max-affected=10' },
        });
        t.same(bulk.json, { updated: 4 }, 'a bulk update reaches its four cards only');
        t.equal((await admin(`/api/card/${b1}/`)).json.firstname, '');
        const removed = await call('/api/callerid/?id__gte=1', {
          method: 'DELETE',
          headers: { prefer: 'max-affected=10' },
        });
        t.same(removed.json, { deleted: 1 }, 'a bulk delete removes its caller ID only');
        t.equal((await admin(`/api/callerid/${callerB}/`)).status, 200);
        const unfiltered = await call('/api/card/', {
          method: 'PATCH',
          body: { firstname: 'All' },
          headers: { prefer: 'max-affected=10' },
        });
        t.equal(unfiltered.status, 400, 'its scope is not a filter: a bulk write still needs one');
      });

      await t.test('a role its user lacks the attribute of, and a role not in the file', async (t) => {
        const lacking = as(await credentialsFor(service, kind, 'agentless', 'agent'));
        const response = await lacking('/api/card/');
        t.equal(response.status, 403);
        t.match(response.json.error, /no attribute agent/);
        const unknown = as(await credentialsFor(service, kind, 'ghost', 'no-such-role'));
        t.equal((await unknown('/api/cardgroup/')).status, 403);
      });
    });
  }
