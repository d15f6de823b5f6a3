/**
 * /admin/<resource>/<pk>/history/: the audit trail of one row, newest first,
 * each entry in words (history-text.ts) with who, when and from where, and a
 * link to the entry itself. Read through the caller's Access to the audit
 * model: a role that may not list it gets no History link and a 403 here.
 */
import type { Access } from '../access/access.js';
import { keyOf } from '../http/request.js';
import { AUDIT_TABLE } from '../store/audit-log.js';
import { formatKey } from '../store/keys.js';
import { parseListQuery } from '../store/list-query.js';
import { callerOf, pageFor, sendPage, type AdminContext } from './context.js';
import type { AdminPage } from './contract.js';
import { html, type SafeHtml } from './html.js';
import { describeEntry } from './history-text.js';
import { displayValue } from './values.js';
import type { PageRoutes } from './page-routes.js';

/** Entries a history page shows; older ones are on the next page. */
export const HISTORY_PAGE = 50;

/** The audit trail's page, when the models have it. */
export function auditPageOf(context: AdminContext): AdminPage | undefined {
  return context.pages.find((page) => page.model.model.table === AUDIT_TABLE);
}

export function historyUrl(page: AdminPage, id: string): string {
  return `/admin/${page.resource}/${id}/history/`;
}

/** The object page's History button, for a caller who may read the trail. */
export function historyLink(context: AdminContext, caller: Access, page: AdminPage, id: string): SafeHtml | '' {
  const audit = auditPageOf(context);
  if (audit === undefined || audit === page || !caller.allows(audit.model, 'list')) return '';
  return html`<a class="button" href="${historyUrl(page, id)}">History</a>`;
}

export function registerHistoryPage(routes: PageRoutes, context: AdminContext, page: AdminPage): void {
  const audit = auditPageOf(context);
  if (audit === undefined || audit === page || !page.model.keyed) return;
  routes.get('/:id/history/', async (request, reply) => {
    const id = formatKey(keyOf(request, page.model));
    const caller = callerOf(context, request);
    const view = caller.on(audit.model);
    view.require('list');
    const pageText = new URLSearchParams(request.query as Record<string, string>).get('page') ?? '1';
    const pageNumber = /^[1-9][0-9]{0,5}$/.test(pageText) ? Number(pageText) : 1;
    const search = new URLSearchParams([
      ['resource', page.resource],
      ['row_key', id],
      ['ordering', '-id'],
      ['limit', String(HISTORY_PAGE + 1)],
      ['page', String(pageNumber)],
    ]);
    const query = parseListQuery(audit.model, search.toString(), context.db.adapter, HISTORY_PAGE + 1, undefined, view);
    // Asked with one more than shown: whether an older page exists, without a COUNT.
    const fetched = await caller.list(audit.model, query);
    const entries = fetched.slice(0, HISTORY_PAGE);
    const shown = pageFor(caller, page);
    const action = audit.fields.find((field) => field.name === 'action');
    const title = `History of ${page.title.toLowerCase()} ${id}`;
    const link = (n: number) => `${historyUrl(page, id)}${n > 1 ? `?page=${n}` : ''}`;
    return sendPage(context, request, reply, {
      title,
      current: `/admin/${page.resource}/`,
      body: () => html`<div class="head"><h1>${title}</h1>
  <a class="button" href="/admin/${page.resource}/${id}/">Back to ${page.title.toLowerCase()} ${id}</a></div>
<p class="lead">Every change made through the API or this panel, newest first.</p>
${
  entries.length === 0
    ? html`<p class="empty">No changes recorded${pageNumber > 1 ? ' on this page' : ''}.</p>`
    : html`<ol class="history">${entries.map(
        (entry) => html`<li class="history-entry">
  <div class="history-meta"><strong>${displayValue(action, entry.action)}</strong> <time datetime="${String(entry.at).replace(' ', 'T')}Z">${String(entry.at)} UTC</time> by <strong>${String(entry.username) || 'unknown'}</strong>${entry.client ? html` from ${String(entry.client)}` : ''}
    <a class="history-link" href="/admin/${audit.resource}/${String(entry.id)}/">Entry ${String(entry.id)}</a></div>
  <div class="history-change">${describeEntry(shown, entry)}</div>
</li>`,
      )}</ol>`
}
<nav class="pager" aria-label="Pages">
  ${pageNumber > 1 ? html`<a class="button" rel="prev" href="${link(pageNumber - 1)}">← Newer</a>` : html`<span class="button disabled">← Newer</span>`}
  <span>Page ${pageNumber}</span>
  ${fetched.length > HISTORY_PAGE ? html`<a class="button" rel="next" href="${link(pageNumber + 1)}">Older →</a>` : html`<span class="button disabled">Older →</span>`}
</nav>`,
    });
  });
}
