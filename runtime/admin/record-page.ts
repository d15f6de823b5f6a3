/**
 * /admin/<resource>/<pk>/ for a read-only model (the audit trail): the row,
 * every field with its label, and no way to change it. Add, edit and
 * delete routes are not registered for such a model at all.
 */
import type { Access } from '../access/access.js';
import { keyOf } from '../http/request.js';
import { formatKey } from '../store/keys.js';
import { callerOf, flash, pageFor, seeOther, sendPage, type AdminContext } from './context.js';
import type { AdminPage } from './contract.js';
import { html, type SafeHtml } from './html.js';
import { displayValue } from './values.js';
import { referrersOf, relatedSection } from './related.js';
import { auditPageOf, historyLink } from './history-page.js';
import { describeEntry } from './history-text.js';
import type { PageRoutes } from './page-routes.js';

/** An audit entry's page also says the change in words and links to the row it changed. */
function auditEntry(context: AdminContext, caller: Access, row: Record<string, unknown>): SafeHtml {
  const target = context.pages.find((candidate) => candidate.resource === row.resource);
  const shown = target && caller.allows(target.model, 'get') ? pageFor(caller, target) : undefined;
  return html`<section class="panel"><h2>Change</h2>
  <p class="history-change">${describeEntry(shown, row)}</p>
  ${shown && row.action !== 'delete' && html`<p><a class="button" href="/admin/${shown.resource}/${String(row.row_key)}/">Open ${shown.title.toLowerCase()} ${String(row.row_key)}</a> <a class="button" href="/admin/${shown.resource}/${String(row.row_key)}/history/">Its history</a></p>`}
</section>`;
}

export function registerRecordPage(routes: PageRoutes, context: AdminContext, page: AdminPage): void {
  const noun = page.title.toLowerCase();
  const referrers = referrersOf(context, page);
  const isAudit = auditPageOf(context) === page;
  routes.get('/:id/', async (request, reply) => {
    const key = keyOf(request, page.model);
    const id = formatKey(key);
    const caller = callerOf(context, request);
    const row = await caller.get(page.model, key);
    if (row === undefined) {
      flash(request, 'error', `There is no ${noun} ${id}.`);
      return seeOther(reply, `/admin/${page.resource}/`);
    }
    const readable = pageFor(caller, page).fields.filter((field) => !field.writeOnly);
    const related = await relatedSection(context, request, referrers, String(id));
    return sendPage(context, request, reply, {
      title: `${page.title} ${id}`,
      current: `/admin/${page.resource}/`,
      body: () => html`<div class="head"><h1>${page.title} ${id}</h1>
  ${historyLink(context, caller, page, String(id))}
  <a class="button" href="/admin/${page.resource}/">Back to ${page.plural.toLowerCase()}</a></div>
<p class="lead">Read-only: ${page.plural.toLowerCase()} cannot be changed here.</p>
${related.index}
${isAudit && auditEntry(context, caller, row)}
<section class="panel"><dl class="summary">${readable.map(
        (field) =>
          html`<dt>${field.label}</dt><dd class="value-${field.name}">${
            row[field.name] === null || row[field.name] === undefined
              ? html`<span class="muted">—</span>`
              : displayValue(field, row[field.name])
          }</dd>`,
      )}</dl></section>
${related.panels}`,
    });
  });
}
