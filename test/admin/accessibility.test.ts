/**
 * axe-core on every kind of admin page, in headless Chromium: the sign-in
 * page, the dashboard, lists (plain, filtered, with a filter error, at
 * 390 px), the grouped card form (add and edit), history, an audit entry,
 * the delete and action confirmations, a refill, the CSV import, the users
 * and API keys pages. A page passes with no serious or critical finding.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import t from 'tap';
import { launchChromium } from '../helpers/chromium.js';
import { PASSWORD, startAdminService, USERNAME } from './admin-service.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

t.test('no serious accessibility finding on any page type', async (t) => {
  const service = await startAdminService('sqlite');
  t.teardown(() => service.close());
  const created = async (url: string, body: object) => {
    const response = await service.api(url, { method: 'POST', body });
    if (response.status !== 200) throw new Error(`${url}: ${response.status} ${JSON.stringify(response.json)}`);
    return response.json.id as number;
  };
  const group = await created('/api/cardgroup/', { name: 'Resellers' });
  const card = await created('/api/card/', {
    username: '5551001',
    useralias: 'axe',
    uipass: 'pin',
    credit: '12.5',
    tariff: '1',
    lastname: 'Wang',
    id_group: group,
  });
  await created('/api/callerid/', { cid: '73001', id_cc_card: card });
  await service.api(`/api/card/${card}/`, { method: 'PATCH', body: { firstname: 'Ivan' } });
  const audit = (await service.api(`/api/audit/?resource=card&row_key=${card}&action=update`)).json.objects[0].id;

  const browser = await launchChromium(t);
  // axe is injected as a script: the panel's CSP (script-src 'self') would refuse it.
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, bypassCSP: true });
  const page = await context.newPage();
  const check = async (label: string, url: string, width = 1280) => {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(service.baseUrl + url);
    await page.addScriptTag({ content: AXE_SOURCE });
    const findings = (await page.evaluate(async () => {
      const result = await (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe.run();
      return result.violations;
    })) as Finding[];
    const serious = findings.filter((finding) => finding.impact === 'serious' || finding.impact === 'critical');
    t.same(
      serious.map(
        (finding) =>
          `${finding.id}: ${finding.help} (${finding.nodes.map((node) => node.target.join(' ')).join(', ')})`,
      ),
      [],
      `${label} (${width} px): ${findings.length} finding(s) in all, none serious`,
    );
  };

  await check('sign-in page', '/admin/login');
  await page.fill('#username', USERNAME);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  await check('dashboard', '/admin/');
  await check('card list', '/admin/card/');
  await check('card list, filtered and searched', '/admin/card/?status=1&q=wang');
  await check('card list, a filter in error', '/admin/card/?credit__gte=abc');
  await check('card list on a phone', '/admin/card/', 390);
  await check('card form, add', '/admin/card/add/');
  await check('card form, edit, with related rows', `/admin/card/${card}/`);
  await check('card form on a phone', `/admin/card/${card}/`, 390);
  await check('card history', `/admin/card/${card}/history/`);
  await check('audit entry', `/admin/audit/${audit}/`);
  await check('delete confirmation', `/admin/cardgroup/delete/?id=${group}`);
  await check('action confirmation', `/admin/card/action/block/?id=${card}`);
  await check('refill', `/admin/card/${card}/refill/`);
  await check('CSV import', '/admin/card/import/');
  await check('users', '/admin/user/');
  await check('new user', '/admin/user/add/');
  await check('API keys', '/admin/keys/');
  await check('new API key', '/admin/keys/add/');
});
