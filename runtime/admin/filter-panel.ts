/**
 * The list page's filters: the panel with an operator in words and a value
 * per filterable column, the chips of the filters in use, and the panel's
 * form fields turned into the API's `column__op=value` parameters.
 */
import type { AdminFilter, AdminPage } from './contract.js';
import { html, attr, type SafeHtml } from './html.js';
import { operatorLabel } from './operator-words.js';
import { listUrl, PAGE_SIZE, type AdminListRequest } from './list-query.js';

/** The filter form sends `op.<column>` and `v.<column>`: turn them into the API's `column__op=value`. */
export function canonicalFilters(page: AdminPage, search: URLSearchParams): [string, string][] {
  const filters: [string, string][] = [];
  for (const [key, value] of search) {
    if (
      key === 'q' ||
      key === 'ordering' ||
      key === 'page' ||
      key === 'limit' ||
      key === '_filter' ||
      key.startsWith('op.') ||
      key.startsWith('v.') ||
      key.startsWith('from.') ||
      key.startsWith('to.')
    )
      continue;
    filters.push([key, value]);
  }
  for (const filter of page.filters) {
    // The from and to boxes: a date picker's day covers the whole day of a timestamp.
    if (filter.range !== undefined) {
      const from = (search.get(`from.${filter.name}`) ?? '').trim();
      const to = (search.get(`to.${filter.name}`) ?? '').trim();
      const datetime = filter.range === 'datetime' && /^\d{4}-\d{2}-\d{2}$/;
      if (from !== '')
        filters.push([`${filter.name}__gte`, datetime && datetime.test(from) ? `${from} 00:00:00` : from]);
      if (to !== '') filters.push([`${filter.name}__lte`, datetime && datetime.test(to) ? `${to} 23:59:59` : to]);
    }
    const value = (search.get(`v.${filter.name}`) ?? '').trim();
    if (value === '') continue;
    const chosen = search.get(`op.${filter.name}`) ?? '';
    const op = filter.operators.includes(chosen) ? chosen : filter.operators[0]!;
    filters.push([op === 'eq' ? filter.name : `${filter.name}__${op}`, value]);
  }
  return filters;
}

/** Which active filter the panel row of `filter` shows: a key used once, with an operator the row offers. */
function panelEntry(
  filter: AdminFilter,
  filters: [string, string][],
): { key: string; op: string; value: string } | undefined {
  for (const [key, value] of filters) {
    const op =
      key === filter.name ? 'eq' : key.startsWith(`${filter.name}__`) ? key.slice(filter.name.length + 2) : undefined;
    if (op === undefined || !filter.operators.includes(op)) continue;
    // From and to have boxes of their own.
    if (filter.range !== undefined && (op === 'gte' || op === 'lte')) continue;
    if (filters.filter(([other]) => other === key).length !== 1) continue;
    return { key, op, value };
  }
  return undefined;
}

/** A filter in words: "Balance is at least 20". */
export function describeFilter(page: AdminPage, key: string, value: string): string {
  // A filter's own operators first (they include a reference's label ones: id_group__name__icontains), then the API's split.
  const offered = page.filters.find(
    (candidate) =>
      key.startsWith(`${candidate.name}__`) && candidate.operators.includes(key.slice(candidate.name.length + 2)),
  );
  const separator = key.lastIndexOf('__');
  const name = offered?.name ?? (separator > 0 ? key.slice(0, separator) : key);
  const op = offered ? key.slice(name.length + 2) : separator > 0 ? key.slice(separator + 2) : 'eq';
  const filter = page.filters.find((candidate) => candidate.name === name);
  const field = page.fields.find((candidate) => candidate.name === name);
  const words = filter?.operators.includes(op)
    ? operatorLabel(filter, op).replace(/ \(.*\)$/, '')
    : op.replace(/_/g, ' ');
  const shown = field?.choices?.find((choice) => choice.value === value)?.label ?? value;
  return `${field?.label ?? name} ${words} ${shown}`;
}

/** A filter's from and to boxes, filled from a `__gte` and a `__lte` used once each; the keys they show. */
function rangeBoxes(filter: AdminFilter, filters: [string, string][]): { html: SafeHtml | ''; keys: string[] } {
  if (filter.range === undefined) return { html: '', keys: [] };
  const once = (key: string) => {
    const found = filters.filter(([other]) => other === key);
    return found.length === 1 ? found[0]![1] : undefined;
  };
  const from = once(`${filter.name}__gte`);
  const to = once(`${filter.name}__lte`);
  const type = filter.range === 'number' ? 'text' : 'date';
  // A timestamp's bound shows as its day in the picker; another time of day stays as typed, in a text box.
  const shownAs = (value: string | undefined) =>
    value !== undefined && filter.range === 'datetime' && /^\d{4}-\d{2}-\d{2} (00:00:00|23:59:59)$/.test(value)
      ? value.slice(0, 10)
      : value;
  const box = (side: 'from' | 'to', value: string | undefined) => {
    const text = shownAs(value);
    const picker = type === 'date' && (text === undefined || /^\d{4}-\d{2}-\d{2}$/.test(text));
    return html`<input name="${side}.${filter.name}" type="${picker ? 'date' : 'text'}" value="${text ?? ''}"${attr('inputmode', type === 'text' ? 'decimal' : undefined)} aria-label="${filter.label} ${side}" placeholder="${side}">`;
  };
  return {
    html: html`<span class="range-label">from – to</span><span class="range">${box('from', from)}<span aria-hidden="true">–</span>${box('to', to)}</span>`,
    keys: [from !== undefined ? `${filter.name}__gte` : '', to !== undefined ? `${filter.name}__lte` : ''].filter(
      Boolean,
    ),
  };
}

export function filterPanel(
  page: AdminPage,
  request: AdminListRequest,
  /** Titles of the referencing rows' columns the search also looks in ("Caller ID"). */
  relatedTitles: readonly string[] = [],
): SafeHtml {
  const shown = new Set<string>();
  const rows = page.filters.map((filter) => {
    const entry = panelEntry(filter, request.filters);
    if (entry) shown.add(entry.key);
    const id = `filter-${filter.name}`;
    const valueInput = filter.choices
      ? html`<select id="${id}" name="v.${filter.name}" aria-label="${filter.label} value"><option value="">any</option>${filter.choices.map(
          (choice) =>
            html`<option value="${choice.value}"${attr('selected', entry?.value === choice.value)}>${choice.label}</option>`,
        )}</select>`
      : html`<input id="${id}" name="v.${filter.name}" value="${entry?.value ?? ''}" placeholder="${filter.placeholder}" aria-label="${filter.label} value">`;
    const range = rangeBoxes(filter, request.filters);
    for (const key of range.keys) shown.add(key);
    return html`<div class="filter-row"><label for="${id}">${filter.label}</label>
  <select name="op.${filter.name}" aria-label="${filter.label} operator">${filter.operators.map(
    (op) => html`<option value="${op}"${attr('selected', entry?.op === op)}>${operatorLabel(filter, op)}</option>`,
  )}</select>
  ${valueInput}${range.html}</div>`;
  });
  const extras = request.filters.filter(([key]) => !shown.has(key));
  const open = request.filters.length > 0;
  return html`<form class="panel" method="get" action="/admin/${page.resource}/" role="search">
  <input type="hidden" name="_filter" value="1">
  ${request.ordering && html`<input type="hidden" name="ordering" value="${request.ordering}">`}
  ${request.limit !== PAGE_SIZE && html`<input type="hidden" name="limit" value="${request.limit}">`}
  ${extras.map(([key, value]) => html`<input type="hidden" name="${key}" value="${value}">`)}
  <div class="toolbar">
    ${
      page.search.length > 0 &&
      html`<input type="search" name="q" value="${request.q}" placeholder="Search ${[
        ...page.search.map((name) => page.fields.find((field) => field.name === name)?.label ?? name),
        ...relatedTitles,
      ].join(', ')}" aria-label="Search">`
    }
    <button type="submit" class="primary">${page.search.length > 0 ? 'Search' : 'Apply'}</button>
    ${(request.q || request.filters.length > 0) && html`<a class="button" href="/admin/${page.resource}/">Clear all</a>`}
  </div>
  ${
    page.filters.length > 0 &&
    html`<details class="filters"${attr('open', open)}><summary>Filters</summary>
    <div class="filter-grid">${rows}</div>
    <p><button type="submit">Apply filters</button></p>
  </details>`
  }
</form>`;
}

export function chips(page: AdminPage, request: AdminListRequest): SafeHtml {
  if (request.filters.length === 0) return html``;
  return html`<div class="chips" aria-label="Active filters">${request.filters.map((pair, index) => {
    const rest = request.filters.filter((_, other) => other !== index);
    return html`<span class="chip">${describeFilter(page, pair[0], pair[1])} <a href="${listUrl(page.resource, request, { filters: rest })}" aria-label="Remove filter" title="Remove filter">×</a></span>`;
  })}</div>`;
}
