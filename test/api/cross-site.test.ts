/**
 * Cross-site writes, header by header (the real browser is in
 * cross-site-browser.test.ts): a write whose Origin or Sec-Fetch-Site says
 * another site is a 403 that changes nothing, unless A2B_ALLOWED_ORIGINS
 * lists that origin; clients that send neither header (curl, ab, servers)
 * and the service's own origin write as before; reads are never refused;
 * `text/plain` bodies are a 415.
 */
import t from 'tap';
import { ConfigError, loadConfig } from '../../runtime/config.js';
import { crossSiteRefusal } from '../../runtime/http/cross-site.js';
import { BACKENDS } from '../helpers/backends.js';
import { startService, type RequestOptions, type Service } from '../helpers/service.js';

const ALLOWED = 'https://crm.example.com';
const form = { 'content-type': 'application/x-www-form-urlencoded' };

async function balance(service: Service, id: number): Promise<string> {
  const [row] = await service.backend.raw('SELECT credit FROM cc_card WHERE id = ?', [id]);
  return String(Number(row!.credit));
}

for (const name of BACKENDS) {
  t.test(name, async (t) => {
    const service = await startService(name, { allowedOrigins: [ALLOWED] });
    t.teardown(() => service.close());
    const card = await service.request('/api/card/', {
      method: 'POST',
      body: { username: 'xs1', useralias: 'xs1', uipass: 'pw', credit: 10, tariff: 1 },
    });
    t.equal(card.status, 200, 'a card to credit');
    const id = card.json.id as number;
    const credit = `/api/card/${id}/credit`;
    const self = service.baseUrl; // http://127.0.0.1:<port>, what a page of the service itself sends
    const otherPort = `http://127.0.0.1:${Number(new URL(self).port) + 1}`;

    const send = (headers: Record<string, string>, options: RequestOptions = {}) =>
      service.request(credit, { method: 'POST', body: 'delta=1000', headers: { ...form, ...headers }, ...options });

    await t.test('another site: 403, balance unchanged', async (t) => {
      const before = await balance(service, id);
      for (const [label, headers] of [
        ['Origin of another site', { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
        ['Origin of another port on the same host', { origin: otherPort, 'sec-fetch-site': 'same-site' }],
        ['Origin of another port, without Sec-Fetch-Site', { origin: otherPort }],
        ['Origin: null (a sandboxed frame, a redirect)', { origin: 'null', 'sec-fetch-site': 'cross-site' }],
        ['Sec-Fetch-Site: cross-site without Origin', { 'sec-fetch-site': 'cross-site' }],
        ['Sec-Fetch-Site: same-site without Origin', { 'sec-fetch-site': 'same-site' }],
        ['an allowed origin with another scheme', { origin: 'http://crm.example.com' }],
        ['an allowed origin with another port', { origin: 'https://crm.example.com:8443' }],
      ] as const) {
        const response = await send(headers);
        t.equal(response.status, 403, `${label}: 403`, { found: response.text });
        t.equal(response.json?.code, 'cross_site_request', `${label}: code cross_site_request`);
        t.match(response.json?.error, /A2B_ALLOWED_ORIGINS/, `${label}: says how to allow it`);
      }
      t.equal(await balance(service, id), before, 'the balance did not move');
      for (const method of ['PUT', 'PATCH', 'DELETE']) {
        const response = await service.request(`/api/card/${id}/`, {
          method,
          body: method === 'DELETE' ? undefined : { lastname: 'Evil' },
          headers: { origin: 'https://evil.example' },
        });
        t.equal(response.status, 403, `${method} from another site: 403`);
      }
      const created = await service.request('/api/cardgroup/', {
        method: 'POST',
        body: 'name=evil',
        headers: { ...form, origin: 'https://evil.example' },
      });
      t.equal(created.status, 403, 'a create from another site: 403');
      t.same(await service.backend.raw("SELECT id FROM cc_card_group WHERE name = 'evil'"), [], 'nothing created');
      const row = await service.request(`/api/card/${id}/`);
      t.equal(row.json.lastname, '', 'nothing updated');
    });

    await t.test('refused before the credentials are looked at', async (t) => {
      const response = await send({ origin: 'https://evil.example' }, { auth: false });
      t.equal(response.status, 403, 'no credentials: still 403, not a 401 that would make a browser ask for them');
      t.equal(response.headers.get('www-authenticate'), null, 'no Basic challenge');
    });

    await t.test('curl, ab and servers (no Origin, no Sec-Fetch-Site) write as before', async (t) => {
      const before = Number(await balance(service, id));
      const response = await send({});
      t.equal(response.status, 200, 'a form POST without Origin: 200', { found: response.text });
      t.equal(Number(await balance(service, id)), before + 1000, 'and the balance moved');
    });

    await t.test("the service's own origin, an allowed origin, and typed-in requests write", async (t) => {
      const before = Number(await balance(service, id));
      for (const [label, headers] of [
        ['its own origin (e.g. /docs "Try it out")', { origin: self, 'sec-fetch-site': 'same-origin' }],
        ['an origin of A2B_ALLOWED_ORIGINS', { origin: ALLOWED, 'sec-fetch-site': 'cross-site' }],
        ['Sec-Fetch-Site: same-origin without Origin', { 'sec-fetch-site': 'same-origin' }],
        ['Sec-Fetch-Site: none (typed by the user)', { 'sec-fetch-site': 'none' }],
      ] as const) {
        const response = await send(headers);
        t.equal(response.status, 200, `${label}: 200`, { found: response.text });
      }
      t.equal(Number(await balance(service, id)), before + 4000, 'each one credited');
    });

    await t.test('reads are never refused (a page of another site cannot read the answer anyway)', async (t) => {
      for (const method of ['GET', 'HEAD']) {
        const response = await service.request(`/api/card/${id}/`, {
          method,
          headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
        });
        t.equal(response.status, 200, `${method} with a foreign Origin: 200`);
      }
      const ready = await service.request('/health/ready', {
        auth: false,
        headers: { origin: 'https://evil.example' },
      });
      t.equal(ready.status, 200, 'health is not the API');
    });

    await t.test('text/plain bodies are a 415, even from curl', async (t) => {
      const before = await balance(service, id);
      for (const type of ['text/plain', 'text/plain;charset=UTF-8']) {
        const response = await service.request(credit, {
          method: 'POST',
          body: JSON.stringify({ delta: '1000' }),
          headers: { 'content-type': type },
        });
        t.equal(response.status, 415, `JSON as ${type}: 415`);
        t.equal(response.json?.code, 'unsupported_media_type');
      }
      t.equal(await balance(service, id), before, 'the balance did not move');
    });
  });
}

t.test('crossSiteRefusal', async (t) => {
  const allowed = new Set([ALLOWED]);
  const refusal = (origin: string | undefined, fetchSite: string | undefined, host = 'api.example.com:8008') =>
    crossSiteRefusal({ origin, fetchSite, host }, allowed);
  t.equal(refusal(undefined, undefined), undefined, 'neither header: not a browser');
  t.equal(refusal('http://api.example.com:8008', 'same-origin'), undefined, 'same host and port');
  t.equal(refusal('https://API.example.com:8008', undefined), undefined, 'host compared without case');
  t.equal(refusal(ALLOWED, 'cross-site'), undefined, 'allowed');
  t.match(refusal('http://api.example.com', 'same-site'), /Origin http:\/\/api\.example\.com is another site/);
  t.match(
    crossSiteRefusal({ origin: 'http://api.example.com:8008', fetchSite: undefined, host: undefined }, allowed),
    /another site/,
    'no Host header: nothing to be the same as',
  );
  t.match(refusal('null', undefined), /Origin null/);
  t.match(refusal(undefined, 'same-site'), /Sec-Fetch-Site is same-site/);
  t.equal(refusal(undefined, 'none'), undefined);
});

t.test('A2B_ALLOWED_ORIGINS is read and checked', async (t) => {
  t.same(loadConfig({}).allowedOrigins, [], 'none by default');
  t.same(
    loadConfig({ A2B_ALLOWED_ORIGINS: 'https://CRM.example.com:443, http://localhost:3000 http://10.0.0.5:8080/' })
      .allowedOrigins,
    ['https://crm.example.com', 'http://localhost:3000', 'http://10.0.0.5:8080'],
    'comma or space separated, written as browsers send them',
  );
  for (const bad of [
    '*',
    'crm.example.com',
    'ftp://crm.example.com',
    'https://crm.example.com/app',
    'https://u:p@x.com',
  ]) {
    t.throws(() => loadConfig({ A2B_ALLOWED_ORIGINS: bad }), ConfigError, `refused: ${bad}`);
  }
});
