/**
 * The cross-site write of the security review, in a real browser (Debian's
 * /usr/bin/chromium, driven by playwright-core): the browser holds the API's
 * Basic credentials (the context's httpCredentials, used once on a first
 * visit to the API), then a page served from another origin (another port on
 * 127.0.0.1) auto-submits a form POST of `delta=1000` to
 * /api/card/<id>/credit. It is refused with 403 and the balance does not
 * move. The same page served from an origin listed in A2B_ALLOWED_ORIGINS
 * gets through with the browser's credentials (which shows they were there
 * to be used), and the same form POST from a client without Origin (curl,
 * ab) works. On both databases.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { launchChromium } from '../helpers/chromium.js';
import type { Page } from 'playwright-core';
import { BACKENDS } from '../helpers/backends.js';
import { PASSWORD, startService, USERNAME, type Service } from '../helpers/service.js';

type Test = Parameters<Parameters<typeof t.test>[0]>[0];

/** A site that is not the API: its one page auto-submits a form to the URL in ?action=. */
async function startSite(t: Test): Promise<string> {
  const server = http.createServer((request, response) => {
    const action = new URL(request.url ?? '/', 'http://site').searchParams.get('action') ?? '';
    const escaped = action.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><title>win a prize</title>
<form id="attack" method="POST" action="${escaped}"><input name="delta" value="1000"></form>
<script>document.getElementById('attack').submit()</script>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

interface Seen {
  origin?: string;
  fetchSite?: string;
  credentials: boolean;
}

/** What the API received for each POST to `path`. */
function watchPosts(service: Service, path: string): Seen[] {
  const seen: Seen[] = [];
  service.app.server.on('request', (request: http.IncomingMessage) => {
    if (request.method === 'POST' && request.url === path) {
      seen.push({
        origin: request.headers.origin,
        fetchSite: request.headers['sec-fetch-site'] as string | undefined,
        credentials: request.headers.authorization !== undefined,
      });
    }
  });
  return seen;
}

async function balance(service: Service, id: number): Promise<number> {
  const [row] = await service.backend.raw('SELECT credit FROM cc_card WHERE id = ?', [id]);
  return Number(row!.credit);
}

/** Opens the attacking page and returns the status of the API's answer to its form. */
async function attack(page: Page, site: string, action: string): Promise<number> {
  const answer = page.waitForResponse(
    (response) => response.url() === action && response.request().method() === 'POST',
  );
  await page.goto(`${site}/?action=${encodeURIComponent(action)}`);
  return (await answer).status();
}

t.test('a page of another origin cannot write through the API with the browser’s credentials', async (t) => {
  const evil = await startSite(t);
  const partner = await startSite(t);
  const browser = await launchChromium(t);

  for (const name of BACKENDS) {
    await t.test(name, async (t) => {
      const service = await startService(name, { allowedOrigins: [partner] });
      t.teardown(() => service.close());
      const created = await service.request('/api/card/', {
        method: 'POST',
        body: { username: `web-${name}`, useralias: `web-${name}`, uipass: 'pw', credit: 10, tariff: 1 },
      });
      const id = created.json.id as number;
      const path = `/api/card/${id}/credit`;
      const action = `${service.baseUrl}${path}`;
      const seen = watchPosts(service, path);

      // The browser holds the credentials for the API's origin, as after a user signed in to it once.
      const context = await browser.newContext({
        httpCredentials: { username: USERNAME, password: PASSWORD, origin: service.baseUrl },
      });
      t.teardown(() => context.close());
      const page = await context.newPage();
      const visit = await page.goto(`${service.baseUrl}/api/card/${id}/`);
      t.equal(visit?.status(), 200, 'the browser reads the API with its credentials');
      t.match(await page.textContent('body'), new RegExp(`"id":${id}\\b`), 'the card, as JSON');

      await t.test('another origin: 403, balance unchanged', async (t) => {
        t.equal(await attack(page, evil, action), 403, 'the auto-submitted form is refused');
        t.match(await page.textContent('body'), /"code":"cross_site_request"/, 'with the API’s JSON error');
        t.equal(await balance(service, id), 10, 'the balance did not move');
        t.match(
          seen.at(-1),
          { origin: evil, fetchSite: 'same-site', credentials: true },
          'Chromium sent it with the cached Basic credentials, marked with the other port’s Origin',
        );
      });

      await t.test('an origin of A2B_ALLOWED_ORIGINS: the browser’s credentials get it through', async (t) => {
        t.equal(await attack(page, partner, action), 200, 'the same form from an allowed origin: 200');
        t.match(await page.textContent('body'), /"delta":"1000(\.0+)?"/, 'the adjustment answered');
        t.equal(await balance(service, id), 1010, 'credited once');
        t.match(seen.at(-1), { origin: partner, credentials: true }, 'sent with the browser’s Basic credentials');
      });

      await t.test('curl-like clients (no Origin) work as before', async (t) => {
        const response = await service.request(path, {
          method: 'POST',
          body: 'delta=1000',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        });
        t.equal(response.status, 200);
        t.equal(await balance(service, id), 2010, 'credited');
        t.match(seen.at(-1), { origin: undefined, fetchSite: undefined, credentials: true });
      });
      t.comment(`requests the API saw: ${JSON.stringify(seen)}`);
    });
  }
});
