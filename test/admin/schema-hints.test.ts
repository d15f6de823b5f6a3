/**
 * What the schema's x-admin hints change in the panel, on SQLite and on
 * MariaDB: protected rows (card group 1, the DEFAULT group) are never
 * deleted, with the schema's reason shown; the filter panel offers the
 * x-admin.filter columns only; and no page carries inline styles or scripts
 * that the strict CSP would block.
 */
import t from 'tap';
import { BACKENDS } from '../helpers/backends.js';
import { startAdminService, type AdminClient, type Page } from './admin-service.js';

const REASON = /cannot be deleted: It is the DEFAULT group that new cards join/;

/** Markup a CSP without 'unsafe-inline' blocks: style attributes and elements, event handlers, inline or javascript: code. */
function inlineCode(page: Page): string[] {
  const found: string[] = [];
  for (const match of page.text.matchAll(/<[a-z][^>]*>/gi)) {
    const tag = match[0];
    if (/\sstyle\s*=/i.test(tag)) found.push(`style attribute: ${tag}`);
    if (/\son[a-z]+\s*=/i.test(tag)) found.push(`event handler: ${tag}`);
    if (/(href|src|action)\s*=\s*"\s*javascript:/i.test(tag)) found.push(`javascript: URL: ${tag}`);
  }
  if (/<style[\s>]/i.test(page.text)) found.push('a <style> element');
  for (const match of page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (!/\ssrc="\/admin\/static\/[^"]+\.js"/.test(match[1]!) || match[2]!.trim() !== '')
      found.push(`inline script: ${match[0].slice(0, 80)}`);
  }
  return found;
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startAdminService(name);
    t.teardown(() => service.close());
    const client: AdminClient = service.client();
    await client.login();
    const groupCount = async () => Number((await service.backend.raw('SELECT COUNT(*) AS n FROM cc_card_group'))[0]!.n);
    const spare = (await service.api('/api/cardgroup/', { method: 'POST', body: { name: 'Spare' } })).json.id as number;

    await t.test('card group 1 cannot be deleted, alone or among others, with the reason shown', async (t) => {
      const alone = await client.get('/admin/cardgroup/delete/?id=1');
      t.equal(alone.status, 303);
      t.equal(alone.location, '/admin/cardgroup/');
      t.match((await client.get('/admin/cardgroup/')).text, REASON);

      const mixed = await client.get(`/admin/cardgroup/delete/?id=1&id=${spare}`);
      t.equal(mixed.status, 200);
      t.match(mixed.text, /Delete 1 card group\?/, 'only the other group is offered for deletion');
      t.match(mixed.text, REASON);
      t.notMatch(mixed.text, /<input type="hidden" name="id" value="1">/);

      const forged = await client.post('/admin/cardgroup/delete/', { id: ['1'] });
      t.equal(forged.status, 303);
      t.equal(await groupCount(), 2, 'a hand-made form cannot delete it either');
      t.match((await client.get('/admin/cardgroup/')).text, REASON);

      const both = await client.post('/admin/cardgroup/delete/', { id: ['1', String(spare)] });
      t.equal(both.status, 303);
      t.equal(await groupCount(), 1, 'the other one is deleted');
      t.equal((await service.backend.raw('SELECT id FROM cc_card_group'))[0]!.id, 1);
    });

    await t.test('the edit page of group 1 has no Delete button but says why; other groups have one', async (t) => {
      const page = await client.get('/admin/cardgroup/1/');
      t.notMatch(page.text, /delete\/\?id=1"/);
      t.match(page.text, /<span class="spacer muted protected-note">Cannot be deleted: It is the DEFAULT group/);
      const other = (await service.api('/api/cardgroup/', { method: 'POST', body: { name: 'Other' } })).json.id;
      t.match(
        (await client.get(`/admin/cardgroup/${other}/`)).text,
        new RegExp(`href="/admin/cardgroup/delete/\\?id=${other}">Delete…`),
      );
    });

    await t.test('filters are offered for the x-admin.filter columns only', async (t) => {
      const page = await client.get('/admin/card/');
      const offered = [...page.text.matchAll(/<select name="op\.([a-z_]+)"/g)].map((match) => match[1]);
      t.strictSame(offered, [
        'id',
        'username',
        'lastname',
        'firstname',
        'email',
        'credit',
        'status',
        'typepaid',
        'activated',
        'id_group',
        'tariff',
        'country',
        'language',
        'creationdate',
        'lastuse',
      ]);
      t.notMatch(page.text, /name="op\.(address|fax|useralias|uipass)"/);
      const filtered = await client.get('/admin/card/?_filter=1&op.typepaid=eq&v.typepaid=1');
      t.equal(filtered.location, '/admin/card/?typepaid=1');
      t.match(
        (await client.get('/admin/card/?address__icontains=x')).text,
        /Address contains, any case x|No cards match these filters/,
        'other columns still filter through the URL, as on the API',
      );
      t.match(
        (await client.get('/admin/cardgroup/')).text,
        /name="op\.id_agent"/,
        'without a hint, the listed columns',
      );
    });

    await t.test("no page carries inline styles or scripts; the CSP allows only the panel's own files", async (t) => {
      const card = (
        await service.api('/api/card/', {
          method: 'POST',
          body: { username: '820001', useralias: 'csp', uipass: 'pin', credit: '5', tariff: '1' },
        })
      ).json.id;
      const form = await client.get(`/admin/card/${card}/`);
      await service.backend.raw('UPDATE cc_card SET credit = 2 WHERE id = ?', [card]);
      const conflict = await client.post(`/admin/card/${card}/`, { credit: '10', '_orig.credit': '5' });
      t.equal(conflict.status, 409, 'the conflict table is among the pages checked');
      const me = (await service.users.findByUsername('operator'))!;
      const pages: [string, Page][] = [
        ['conflict', conflict],
        [`/admin/card/${card}/`, form],
      ];
      for (const path of [
        '/admin/',
        '/admin/card/',
        '/admin/card/add/',
        '/admin/cardgroup/1/',
        `/admin/card/delete/?id=${card}`,
        '/admin/callerid/',
        '/admin/user/',
        '/admin/user/add/',
        `/admin/user/${me.id}/`,
        '/admin/nowhere',
      ]) {
        pages.push([path, await client.get(path)]);
      }
      pages.push(['/admin/login', await service.client().get('/admin/login')]);
      for (const [path, page] of pages) {
        t.ok(page.status < 500 && page.status !== 303, `${path} answered ${page.status}`);
        t.strictSame(inlineCode(page), [], `${path}: nothing inline`);
        const csp = page.headers.get('content-security-policy') ?? '';
        t.match(csp, /script-src 'self'/, `${path}: scripts from the panel only`);
        t.match(csp, /style-src 'self'/);
        t.notMatch(csp, /unsafe-inline|unsafe-eval/);
      }
      t.match(
        form.text,
        /<script src="\/admin\/static\/admin-[0-9a-f]{12}\.js" defer><\/script>/,
        'signed-in pages load the script file',
      );
      const script = await client.get(/src="(\/admin\/static\/[^"]+\.js)"/.exec(form.text)![1]!);
      t.equal(script.status, 200);
      t.match(script.headers.get('content-type'), /text\/javascript/);
      t.match(script.text, /select-all/);
    });
  });
}
