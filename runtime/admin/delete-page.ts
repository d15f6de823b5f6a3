/**
 * /admin/<resource>/delete/?id=…&id=…: a confirmation page listing the rows,
 * then a POST (with its CSRF token) that deletes them.
 */
import { rawQuery } from '../http/request.js';
import { StoreError } from '../store/errors.js';
import { formatKey, parseKey } from '../store/keys.js';
import {
  adminWriteContext,
  callerOf,
  fieldTexts,
  flash,
  rowKey,
  seeOther,
  sendPage,
  type AdminContext,
} from './context.js';
import type { AdminField, AdminPage, AdminProtectedRow } from './contract.js';
import { labelsForRows, referenceContent, referencesOf } from './references.js';
import { html } from './html.js';
import { displayValue } from './values.js';
import { lastList } from './list-memory.js';
import { consequencesOf, consequencesPanel, protectedBy } from './delete-consequences.js';
import type { PageRoutes } from './page-routes.js';

/** Most rows one confirmation handles. */
export const MAX_DELETE = 200;

/** The keys (URL form) that can name a row of this model, each as it was checked. Duplicates dropped. */
export function parseIds(page: AdminPage, texts: string[]): string[] {
  const ids = new Set<string>();
  for (const text of texts) {
    const key = parseKey(page.model, text);
    if (key !== undefined) ids.add(formatKey(key));
  }
  return [...ids].slice(0, MAX_DELETE);
}

/** The schema's protected row with this key, if any. */
export function protectedRow(page: AdminPage, id: string): AdminProtectedRow | undefined {
  return page.protectedRows.find((row) => row.key === id);
}

/** Splits the ids into those that may be deleted and a message for each protected one. */
function withoutProtected(page: AdminPage, ids: string[]): { ids: string[]; refusals: string[] } {
  const refusals = ids.flatMap((id) => {
    const row = protectedRow(page, id);
    return row ? [`${page.title} ${id} cannot be deleted: ${row.reason}`] : [];
  });
  return { ids: ids.filter((id) => protectedRow(page, id) === undefined), refusals };
}

export function registerDeletePage(routes: PageRoutes, context: AdminContext, page: AdminPage): void {
  const noun = (count: number) => (count === 1 ? page.title.toLowerCase() : page.plural.toLowerCase());
  const listPath = `/admin/${page.resource}/`;

  routes.get('/delete/', async (request, reply) => {
    const selected = parseIds(page, new URLSearchParams(rawQuery(request)).getAll('id'));
    const { ids, refusals } = withoutProtected(page, selected);
    for (const text of refusals) flash(request, 'error', text);
    if (ids.length === 0 && refusals.length > 0) return seeOther(reply, listPath);
    if (ids.length === 0) {
      flash(request, 'info', `Select the ${page.plural.toLowerCase()} to delete first.`);
      return seeOther(reply, listPath);
    }
    const caller = callerOf(context, request);
    caller.on(page.model).require('delete');
    const rows = (
      await Promise.all(ids.map((id) => caller.get(page.model, parseKey(page.model, id)!, 'delete')))
    ).filter((row) => row !== undefined);
    if (rows.length === 0) {
      flash(request, 'error', `None of the selected ${page.plural.toLowerCase()} exist any more.`);
      return seeOther(reply, listPath);
    }
    // What refers to them: protected rows stay (and say why), the others are deleted with their referrers counted.
    const consequences = await consequencesOf(
      context,
      page,
      rows.map((row) => rowKey(page, row)),
    );
    const kept = protectedBy(consequences);
    const deletable = rows.filter((row) => !kept.has(rowKey(page, row)));
    const keptText = [...kept].map(([id, reason]) => `${page.title} ${id} cannot be deleted: ${reason}.`);
    const shown = page.list.slice(0, 4).map((name) => page.fields.find((field) => field.name === name)!);
    const references = referencesOf(context, page);
    const labels = await labelsForRows(
      context.db,
      references,
      shown.map((field) => field.name),
      rows,
      caller.on(page.model),
    );
    const cellOf = (field: AdminField, value: unknown) => {
      const reference = references.get(field.name);
      if (reference?.label === undefined || value === null || value === undefined) return displayValue(field, value);
      return referenceContent(reference, labels.get(field.name), value, false);
    };
    return sendPage(context, request, reply, {
      title: `Delete ${noun(rows.length)}`,
      flashes: keptText.map((text) => ({ kind: 'error' as const, text })),
      current: listPath,
      body: (
        csrf,
      ) => html`<div class="head"><h1>${deletable.length === 0 ? `Nothing to delete` : `Delete ${deletable.length} ${noun(deletable.length)}?`}</h1></div>
${deletable.length > 0 && html`<div class="flash warning">This cannot be undone.${rows.length < ids.length ? ` ${ids.length - rows.length} of the selected rows no longer exist.` : ''}</div>`}
<div class="table-wrap"><table>
  <thead><tr>${shown.map((field) => html`<th scope="col">${field.label}</th>`)}</tr></thead>
  <tbody>${rows.map((row) => html`<tr${kept.has(rowKey(page, row)) ? html` class="kept"` : ''}>${shown.map((field) => html`<td>${cellOf(field, row[field.name])}</td>`)}</tr>`)}</tbody>
</table></div>
${consequencesPanel(page, consequences)}
<form method="post" action="/admin/${page.resource}/delete/" class="bulk">
  <input type="hidden" name="_csrf" value="${csrf}">
  ${deletable.map((row) => html`<input type="hidden" name="id" value="${rowKey(page, row)}">`)}
  ${deletable.length > 0 && html`<button type="submit" class="danger solid">Yes, delete ${deletable.length} ${noun(deletable.length)}</button>`}
  <a class="button" href="${listPath}">Cancel</a>
</form>`,
    });
  });

  routes.post('/delete/', async (request, reply) => {
    // A hand-made form may name a protected row too: refused here as well.
    const checked = withoutProtected(page, parseIds(page, fieldTexts(request.body, 'id')));
    const refusals = [...checked.refusals];
    // Counted again where the delete is made: rows may have come to refer to them since the confirmation.
    const inUse = protectedBy(await consequencesOf(context, page, checked.ids, context.db.writer ?? context.db));
    for (const [id, reason] of inUse) refusals.push(`${page.title} ${id} cannot be deleted: ${reason}.`);
    const ids = checked.ids.filter((id) => !inUse.has(id));
    for (const text of refusals) flash(request, 'error', text);
    if (ids.length === 0 && refusals.length > 0) return seeOther(reply, lastList(request, page.resource));
    let deleted = 0;
    let kept = 0;
    const write = adminWriteContext(request);
    const caller = callerOf(context, request);
    for (const id of ids) {
      try {
        if (await caller.delete(write, page.model, parseKey(page.model, id)!)) deleted += 1;
      } catch (error) {
        // Rows of another table refer to it: it stays, the others are still deleted.
        if (!(error instanceof StoreError && error.code === 'still_referenced')) throw error;
        flash(request, 'error', `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`);
        kept += 1;
      }
    }
    if (deleted === 0 && kept > 0) return seeOther(reply, lastList(request, page.resource));
    if (deleted === 0)
      flash(request, 'info', `Nothing was deleted: the selected ${page.plural.toLowerCase()} do not exist.`);
    else flash(request, 'success', `Deleted ${deleted} ${noun(deleted)}${deleted === 1 ? ` (${ids[0]})` : ''}.`);
    return seeOther(reply, lastList(request, page.resource));
  });
}
