/**
 * /admin/<resource>/<pk>/ for a read-only model (the audit trail): the row,
 * every field with its label, and no way to change it. Add, edit and
 * delete routes are not registered for such a model at all.
 */
import type { FastifyInstance } from 'fastify';
import { keyOf } from '../http/request.js';
import { formatKey } from '../store/keys.js';
import { callerOf, flash, seeOther, sendPage, type AdminContext } from './context.js';
import type { AdminPage } from './contract.js';
import { html } from './html.js';
import { displayValue } from './values.js';

export function registerRecordPage(app: FastifyInstance, context: AdminContext, page: AdminPage): void {
  const noun = page.title.toLowerCase();
  app.get(`/${page.resource}/:id/`, async (request, reply) => {
    const key = keyOf(request, page.model);
    const id = formatKey(key);
    const row = await callerOf(context, request).get(page.model, key);
    if (row === undefined) {
      flash(request, 'error', `There is no ${noun} ${id}.`);
      return seeOther(reply, `/admin/${page.resource}/`);
    }
    const readable = page.fields.filter((field) => !field.writeOnly);
    return sendPage(context, request, reply, {
      title: `${page.title} ${id}`,
      current: `/admin/${page.resource}/`,
      body: () => html`<div class="head"><h1>${page.title} ${id}</h1>
  <a class="button" href="/admin/${page.resource}/">Back to ${page.plural.toLowerCase()}</a></div>
<p class="lead">Read-only: ${page.plural.toLowerCase()} cannot be changed here or through the API.</p>
<section class="panel"><dl class="summary">${readable.map(
        (field) =>
          html`<dt>${field.label}</dt><dd class="value-${field.name}">${
            row[field.name] === null || row[field.name] === undefined
              ? html`<span class="muted">—</span>`
              : displayValue(field, row[field.name])
          }</dd>`,
      )}</dl></section>`,
    });
  });
}
