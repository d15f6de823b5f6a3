/**
 * /admin/<resource>/: one page of rows (20, Previous/Next, no COUNT(*)),
 * sortable headers, typed filters per column with the API's operators in
 * words, a search box, row checkboxes for bulk delete, and export links for
 * the current selection.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { statusOf, type ApiErrorWithFields } from '../http/errors.js';
import { rawQuery } from '../http/request.js';
import { callerOf, pageFor, rowKey, seeOther, sendPage, type AdminContext } from './context.js';
import type { AdminField, AdminPage } from './contract.js';
import { html, attr, type SafeHtml } from './html.js';
import type { Flash } from './layout.js';
import { canonicalFilters, chips, describeFilter, filterPanel } from './filter-panel.js';
import { buildListQuery, listUrl, PAGE_SIZES, readListRequest, type AdminListRequest } from './list-query.js';
import { rememberList } from './list-memory.js';
import type { Total } from '../store/store.js';
import { labelsForRows, referenceContent, referencesOf, type Reference } from './references.js';
import { displayValue } from './values.js';
import { auditPageOf } from './history-page.js';
import { relatedSearchesOf } from './search.js';
import { actionUrl, allowedActions } from './actions-page.js';
import type { AdminActionHint } from '../store/model.js';
import type { PageRoutes } from './page-routes.js';

/** The audit trail's Row cell links to the row changed, unless it was deleted or its model has no page here. */
function auditRowLink(context: AdminContext): ListReferences['linkOf'] {
  const resources = new Set(context.pages.filter((page) => page.model.keyed).map((page) => page.resource));
  return (field, row) =>
    field?.name === 'row_key' && row.action !== 'delete' && resources.has(String(row.resource))
      ? `/admin/${String(row.resource)}/${String(row.row_key)}/`
      : undefined;
}

const NUMERIC = new Set(['integer', 'decimal', 'float', 'double']);

function headerCell(
  page: AdminPage,
  request: AdminListRequest,
  field: AdminField | undefined,
  name: string,
  labelled: boolean,
): SafeHtml {
  const label = field?.label ?? name;
  // A reference shown by its label is text, aligned like text.
  const numeric = field !== undefined && NUMERIC.has(field.rule.kind) && field.input !== 'select' && !labelled;
  const ordering = request.ordering || page.ordering;
  const ascending = ordering === name;
  const descending = ordering === `-${name}`;
  const next = ascending ? `-${name}` : name;
  const sort = ascending ? 'ascending' : descending ? 'descending' : undefined;
  // Bytes, sets, JSON and geometry have no order: a plain header.
  if (page.model.byName.get(name)?.sortable === false) return html`<th scope="col">${label}</th>`;
  return html`<th scope="col"${attr('class', numeric ? 'num' : undefined)}${attr('aria-sort', sort)}><a${attr('class', sort ? 'sorted' : undefined)} href="${listUrl(page.resource, request, { ordering: next })}">${label}${ascending ? ' ▲' : descending ? ' ▼' : ''}</a></th>`;
}

function cell(
  page: AdminPage,
  field: AdminField | undefined,
  row: Record<string, unknown>,
  first: boolean,
  references: ListReferences,
): SafeHtml {
  const value = row[field?.name ?? ''];
  const text = displayValue(field, value);
  const reference = field && references.byField.get(field.name);
  const labelled = reference?.label !== undefined && value !== null && value !== undefined;
  const numeric = field !== undefined && NUMERIC.has(field.rule.kind) && field.input !== 'select' && !labelled;
  const decimals = field && references.decimals?.get(field.name);
  const content =
    value === null || value === undefined
      ? html`<span class="muted">—</span>`
      : labelled
        ? referenceContent(reference!, references.labels.get(field!.name), value, !first)
        : field?.choices && !first
          ? html`<span class="badge choice"${attr('data-value', String(value))}>${text}</span>`
          : decimals !== undefined
            ? fixedDecimals(String(value), decimals)
            : text;
  // Rows without a key have no page of their own to link to.
  const link =
    first && page.model.keyed ? `/admin/${page.resource}/${rowKey(page, row)}/` : references.linkOf?.(field, row);
  return html`<td${attr('class', numeric ? 'num' : field?.rule.kind === 'string' ? 'text' : undefined)}${attr('data-label', first ? undefined : (field?.label ?? ''))}>${
    link ? html`<a href="${link}">${content}</a>` : content
  }</td>`;
}

interface ListReferences {
  byField: Map<string, Reference>;
  labels: Map<string, Map<string, string>>;
  /** Decimal columns: the places every value of the page is shown with, so the points line up. */
  decimals?: Map<string, number>;
  /** A link for a cell other than the first (the audit trail's row: the object it changed). */
  linkOf?: (field: AdminField | undefined, row: Record<string, unknown>) => string | undefined;
}

function table(
  page: AdminPage,
  request: AdminListRequest,
  rows: Record<string, unknown>[],
  references: ListReferences,
  deletable: boolean,
  actions: readonly AdminActionHint[] = [],
  next = '',
): SafeHtml {
  const fields = page.list.map((name) => page.fields.find((field) => field.name === name));
  if (rows.length === 0) {
    return html`<div class="table-wrap"><p class="empty">No ${page.plural.toLowerCase()} match${request.q || request.filters.length ? ' these filters' : ' yet'}.</p></div>`;
  }
  if (page.readOnly || (!deletable && actions.length === 0)) {
    // Nothing to select: a read-only model (or a role without delete) has no delete.
    return html`<div class="table-wrap"><table class="stack">
  <thead><tr>${page.list.map((name, index) => headerCell(page, request, fields[index], name, references.byField.get(name)?.label !== undefined))}</tr></thead>
  <tbody>${rows.map((row) => html`<tr>${fields.map((field, index) => cell(page, field, row, index === 0, references))}</tr>`)}</tbody>
</table></div>`;
  }
  return html`<form method="get" action="/admin/${page.resource}/delete/">
<div class="table-wrap"><table class="stack">
  <thead><tr><th class="check" scope="col"><input type="checkbox" class="select-all" aria-label="Select all rows on this page" hidden><span class="visually-hidden">Select</span></th>${page.list.map(
    (name, index) => headerCell(page, request, fields[index], name, references.byField.get(name)?.label !== undefined),
  )}</tr></thead>
  <tbody>${rows.map((row) => {
    const id = rowKey(page, row);
    return html`<tr><td class="check"><input type="checkbox" name="id" value="${id}" aria-label="Select ${page.title.toLowerCase()} ${id}"></td>${fields.map(
      (field, index) => cell(page, field, row, index === 0, references),
    )}</tr>`;
  })}</tbody>
</table></div>
<div class="bulk"><input type="hidden" name="next" value="${next}"><span class="muted">Selected rows:</span>
  ${actions.map((action) => html`<button type="submit" formaction="${actionUrl(page, action)}">${action.label}…</button>`)}
  ${deletable && html`<button type="submit" class="danger">Delete selected…</button>`}</div>
</form>`;
}

/** `value` (an exact decimal or a number) with `places` decimals, padded with zeros: never rounded. */
function fixedDecimals(value: string, places: number): string {
  const [whole, fraction = ''] = value.split('.');
  return places === 0 ? whole! : `${whole}.${fraction.padEnd(places, '0')}`;
}

/** For each listed decimal column, the places its values on this page need: at least 2, at most the scale. */
function decimalPlaces(fields: readonly (AdminField | undefined)[], rows: readonly Record<string, unknown>[]) {
  const places = new Map<string, number>();
  for (const field of fields) {
    if (field === undefined || field.rule.kind !== 'decimal' || field.input === 'select') continue;
    const scale = field.rule.scale;
    let needed = Math.min(2, scale);
    for (const row of rows) {
      const fraction = String(row[field.name] ?? '').split('.')[1] ?? '';
      needed = Math.max(needed, fraction.replace(/0+$/, '').length);
    }
    places.set(field.name, Math.min(needed, scale));
  }
  return places;
}

/** Estimated totals below this are counted exactly instead (a COUNT of that many rows is cheap). */
const EXACT_BELOW = 10_000;

function totalText(total: Total | undefined, page: AdminPage): string {
  if (total === undefined) return '';
  const noun = total.total === 1 ? page.title.toLowerCase() : page.plural.toLowerCase();
  return `${total.estimated ? 'about ' : ''}${total.total.toLocaleString('en-US')} ${noun}`;
}

export function registerListPage(routes: PageRoutes, context: AdminContext, fullPage: AdminPage): void {
  const byField = referencesOf(context, fullPage);
  const related = relatedSearchesOf(context.pages, fullPage);
  const linkOf = auditPageOf(context) === fullPage ? auditRowLink(context) : undefined;
  routes.get('/', async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = callerOf(context, request);
    const view = caller.on(fullPage.model);
    view.require('list');
    const page = pageFor(caller, fullPage);
    const search = new URLSearchParams(rawQuery(request));
    if (search.has('_filter')) {
      const current = readListRequest(search);
      return seeOther(
        reply,
        listUrl(page.resource, current, { q: (search.get('q') ?? '').trim(), filters: canonicalFilters(page, search) }),
      );
    }
    const listRequest = readListRequest(search);
    rememberList(request, page.resource, listUrl(page.resource, listRequest, { page: listRequest.page }));
    const pageSize = listRequest.limit;
    let total: Total | undefined;
    let rows: Record<string, unknown>[] = [];
    let hasNext = false;
    const flashes: Flash[] = [];
    let status = 200;
    try {
      const query = buildListQuery(page, listRequest, context.db.adapter, listRequest.page, pageSize, view, related);
      const fetched = await caller.list(page.model, query);
      hasNext = fetched.length > pageSize;
      rows = fetched.slice(0, pageSize);
      // Cheap on big tables: MySQL's own figure (exact for MyISAM, else an estimate that says so); SQLite counts.
      total =
        listRequest.page === 1 && !hasNext
          ? { total: rows.length, estimated: false }
          : await caller.count(page.model, query, 'estimated');
      // An estimate that small costs little to make exact.
      if (total.estimated && total.total < EXACT_BELOW) total = await caller.count(page.model, query, 'exact');
    } catch (error) {
      const fields = (error as ApiErrorWithFields).fields;
      if (statusOf(error) !== 400 || fields === undefined) throw error;
      status = 400;
      flashes.push({
        kind: 'error',
        // Each filter in the words of the panel ("Balance is at least abc"), not by its API name.
        text: `${fields.length === 1 ? 'This filter cannot be used' : 'These filters cannot be used'}, so no rows were looked up: ${fields
          .map((problem) => {
            const value = listRequest.filters.find(([key]) => key === problem.field)?.[1];
            const known = page.fields.some(
              (field) => problem.field === field.name || problem.field.startsWith(`${field.name}__`),
            );
            const hint = problem.hint ? ` (${problem.hint})` : '';
            return value === undefined || !known
              ? `${problem.field} ${problem.message}${hint}`
              : `"${describeFilter(page, problem.field, value)}": ${problem.message}${hint}`;
          })
          .join('; ')}.`,
      });
    }
    // The listed references' labels: one query per relation for the whole page.
    const listed = page.list.map((name) => page.fields.find((field) => field.name === name));
    const references = {
      byField,
      labels: await labelsForRows(context.db, byField, page.list, rows, view),
      linkOf,
      decimals: decimalPlaces(listed, rows),
    };
    const exportQuery = new URLSearchParams(listRequest.filters);
    if (listRequest.q) exportQuery.set('q', listRequest.q);
    if (listRequest.ordering) exportQuery.set('ordering', listRequest.ordering);
    const exportUrl = (format: string) =>
      `/admin/${page.resource}/export/?format=${format}${exportQuery.size ? `&${exportQuery}` : ''}`;
    const pageNumber = listRequest.page;
    const shownFrom = (pageNumber - 1) * pageSize + 1;
    return sendPage(context, request, reply, {
      title: page.plural,
      current: `/admin/${page.resource}/`,
      status,
      flashes,
      body: () => html`<div class="head"><h1>${page.plural}</h1>
  ${
    !page.readOnly &&
    view.allows('create') &&
    html`<a class="button primary" href="/admin/${page.resource}/add/">Add ${page.title.toLowerCase()}</a>
  <a class="button" href="/admin/${page.resource}/import/">Import CSV</a>`
  }
  ${
    view.allows('export') &&
    html`<a class="button" href="${exportUrl('csv')}">Export CSV</a>
  <a class="button" href="${exportUrl('json')}">Export JSON</a>`
  }
</div>
${page.description && html`<p class="lead">${page.description}</p>`}
${filterPanel(
  page,
  listRequest,
  related.filter((search) => view.scopeOf(search.resource) !== null).map((search) => search.column.title),
)}
${chips(page, listRequest)}
${status === 400 ? html`<div class="table-wrap"><p class="empty">Correct the filter to see ${page.plural.toLowerCase()}.</p></div>` : table(page, listRequest, rows, references, view.allows('delete'), allowedActions(caller, fullPage), listUrl(page.resource, listRequest, { page: listRequest.page }))}
<nav class="pager" aria-label="Pages">
  ${pageNumber > 1 ? html`<a class="button" rel="prev" href="${listUrl(page.resource, listRequest, { page: pageNumber - 1 })}">← Previous</a>` : html`<span class="button disabled">← Previous</span>`}
  <span>Page ${pageNumber}${rows.length > 0 ? ` · rows ${shownFrom}–${shownFrom + rows.length - 1}` : ''}${total && html` of <strong class="total">${totalText(total, page)}</strong>`}</span>
  <form method="get" action="/admin/${page.resource}/" class="page-size">
    ${listRequest.q && html`<input type="hidden" name="q" value="${listRequest.q}">`}
    ${listRequest.filters.map(([key, value]) => html`<input type="hidden" name="${key}" value="${value}">`)}
    ${listRequest.ordering && html`<input type="hidden" name="ordering" value="${listRequest.ordering}">`}
    <label for="page-size">Rows a page</label>
    <select id="page-size" name="limit">${PAGE_SIZES.map((size) => html`<option value="${size}"${attr('selected', size === pageSize)}>${size}</option>`)}</select>
    <button type="submit">Show</button>
  </form>
  ${hasNext ? html`<a class="button" rel="next" href="${listUrl(page.resource, listRequest, { page: pageNumber + 1 })}">Next →</a>` : html`<span class="button disabled">Next →</span>`}
</nav>`,
    });
  });
}
