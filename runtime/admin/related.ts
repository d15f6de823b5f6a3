/**
 * An object page's related rows: for every model with a column that
 * references this one (the schema's x-references), the newest few rows that
 * point at this row, how many there are, a link to the list filtered to them
 * and an Add link prefilled with this row. Derived from the schema, so every
 * model gets it: a card shows its caller IDs, refills, payments, calls and
 * charges; a card group its cards.
 *
 * Every read goes through the caller's Access: a model its role may not list
 * has no panel, and the rows and counts keep to its row scope.
 */
import type { FastifyRequest } from 'fastify';
import type { Access } from '../access/access.js';
import { parseListQuery } from '../store/list-query.js';
import { callerOf, pageFor, rowKey, type AdminContext } from './context.js';
import type { AdminField, AdminPage } from './contract.js';
import type { Resource } from '../store/resource.js';
import { html, attr, lowerFirst, type SafeHtml } from './html.js';
import { labelsForRows, referenceContent, referencesOf, type Reference } from './references.js';
import { displayValue } from './values.js';

/** Rows shown per panel; the rest are one click away in the filtered list. */
export const RELATED_ROWS = 5;
/** Columns a panel's table shows (besides the reference itself, which is this row). */
const RELATED_COLUMNS = 5;

/** A model whose column `field` holds this page's key. */
export interface Referrer {
  readonly page: AdminPage;
  readonly field: string;
  /** The referrer's own references, to show its other columns by label. */
  readonly references: Map<string, Reference>;
}

/** The models that reference `page`, in the order of the pages (the sidebar's). */
export function referrersOf(context: AdminContext, page: AdminPage): Referrer[] {
  if (page.model.key.length !== 1) return [];
  return context.pages.flatMap((other) =>
    other.model.columns
      .filter((column) => other.model.target(column.name)?.name === page.model.name)
      .map((column) => ({ page: other, field: column.name, references: referencesOf(context, other) })),
  );
}

/** Tunables (tests lower them). */
export const RELATED_LIMITS = {
  /** Rows past which a table without an index on the reference is not searched for a row's few. */
  largeTable: 100_000,
  /** How long a table's size is trusted, in ms. */
  sizeTtlMs: 60_000,
};

/** By model object, so two services in one process (the tests) keep apart. */
const sizes = new WeakMap<Resource, { total: number; at: number }>();

/** Whether the table is past RELATED_LIMITS.largeTable: MySQL's own figure (no scan), remembered a minute. */
async function large(caller: Access, model: Resource): Promise<boolean> {
  const now = Date.now();
  let size = sizes.get(model);
  if (size === undefined || now - size.at > RELATED_LIMITS.sizeTtlMs) {
    size = { total: (await caller.count(model, { where: '', params: [] }, 'estimated')).total, at: now };
    sizes.set(model, size);
  }
  return size.total > RELATED_LIMITS.largeTable;
}

/** Whether an index leads with the column (A2Billing's cc_call.card_id has none): counting by it is then cheap. */
function indexed(model: Resource, field: string): boolean {
  const spec = model.byName.get(field)!.spec;
  const sql = spec.column ?? spec.name;
  return model.model.primaryKey[0] === field || (model.model.indexes ?? []).some((index) => index.columns[0] === sql);
}

/** The list of `referrer`'s rows that point at the row `id`. */
export function relatedListUrl(referrer: Referrer, id: string): string {
  return `/admin/${referrer.page.resource}/?${new URLSearchParams([[referrer.field, id]])}`;
}

/** The add form of a `referrer` row, prefilled with the row `id`. */
export function relatedAddUrl(referrer: Referrer, id: string): string {
  return `/admin/${referrer.page.resource}/add/?${new URLSearchParams([[referrer.field, id]])}`;
}

interface Panel {
  referrer: Referrer;
  /** The referrer's page as the caller's role sees it. */
  shown: AdminPage;
  rows: Record<string, unknown>[];
  /** Undefined: more than shown, not counted (no index on the reference: a COUNT would read the whole table). */
  total: number | undefined;
  labels: Map<string, Map<string, string>>;
  canAdd: boolean;
  /** Too many rows to find this row's without an index: the panel only links to the list. */
  unlisted: boolean;
}

/** One panel's rows (newest first: by key, descending) and their count; undefined when the caller may not see them. */
async function loadPanel(
  context: AdminContext,
  caller: Access,
  referrer: Referrer,
  id: string,
): Promise<Panel | undefined> {
  const { model } = referrer.page;
  const view = caller.on(model);
  if (!view.allows('list')) return undefined;
  const shown = pageFor(caller, referrer.page);
  const field = shown.fields.find((candidate) => candidate.name === referrer.field);
  // A role that hides the reference cannot filter by it either.
  if (field === undefined) return undefined;
  const canAdd = !referrer.page.readOnly && view.allows('create') && !field.readOnly;
  // Without an index on the reference, finding a row's few means reading the table: fine for a small one,
  // seconds on every card page for millions of call records. Such a panel links to the list instead.
  if (!indexed(model, referrer.field) && (await large(caller, model)))
    return { referrer, shown, rows: [], total: undefined, labels: new Map(), canAdd, unlisted: true };
  const search = new URLSearchParams([[referrer.field, id]]);
  if (model.keyed) search.set('ordering', model.key.map((column) => `-${column.name}`).join(','));
  // One more than shown: when it is not there, the rows are the count and no COUNT query is needed.
  search.set('limit', String(RELATED_ROWS + 1));
  const query = parseListQuery(model, search.toString(), context.db.adapter, RELATED_ROWS + 1, undefined, view);
  const fetched = await caller.list(model, query);
  const total =
    fetched.length <= RELATED_ROWS
      ? fetched.length
      : indexed(model, referrer.field)
        ? (await caller.count(model, query, 'exact')).total
        : undefined;
  const rows = fetched.slice(0, RELATED_ROWS);
  const columns = panelColumns(shown, referrer);
  const labels = await labelsForRows(
    context.db,
    referrer.references,
    columns.map((column) => column.name),
    rows,
    view,
  );
  return { referrer, shown, rows, total, labels, canAdd, unlisted: false };
}

function panelColumns(shown: AdminPage, referrer: Referrer): AdminField[] {
  return shown.list
    .filter((name) => name !== referrer.field)
    .slice(0, RELATED_COLUMNS)
    .flatMap((name) => shown.fields.filter((field) => field.name === name));
}

const NUMERIC = new Set(['integer', 'decimal', 'float', 'double']);

function panelCell(panel: Panel, field: AdminField, row: Record<string, unknown>, first: boolean): SafeHtml {
  const value = row[field.name];
  const reference = panel.referrer.references.get(field.name);
  const empty = value === null || value === undefined;
  const labelled = reference?.label !== undefined && !empty;
  const content = empty
    ? html`<span class="muted">—</span>`
    : labelled
      ? referenceContent(reference, panel.labels.get(field.name), value, !first)
      : displayValue(field, value);
  const numeric = NUMERIC.has(field.rule.kind) && field.input !== 'select' && !labelled;
  const link = first && panel.shown.model.keyed;
  return html`<td${attr('class', numeric ? 'num' : undefined)}>${
    link ? html`<a href="/admin/${panel.shown.resource}/${rowKey(panel.shown, row)}/">${content}</a>` : content
  }</td>`;
}

/** A count, "5+" when there are more than shown and they were not counted, "…" when none were looked for. */
function countText(panel: Panel): string {
  if (panel.unlisted) return '…';
  return panel.total === undefined ? `${RELATED_ROWS}+` : String(panel.total);
}

function panelId(referrer: Referrer): string {
  return `related-${referrer.page.resource}-${referrer.field}`;
}

/** The referrer's name in the panel: "Caller IDs", or "Payments (Refill)" when a model refers here twice. */
function panelTitle(referrer: Referrer, referrers: readonly Referrer[]): string {
  const twice = referrers.filter((other) => other.page === referrer.page).length > 1;
  const field = referrer.page.fields.find((candidate) => candidate.name === referrer.field);
  return twice ? `${referrer.page.plural} (${field?.label ?? referrer.field})` : referrer.page.plural;
}

function renderPanel(panel: Panel, id: string, title: string): SafeHtml {
  const { referrer, shown, rows, total } = panel;
  const columns = panelColumns(shown, referrer);
  const noun = lowerFirst(shown.title);
  return html`<section class="panel related-panel" id="${panelId(referrer)}" aria-labelledby="${panelId(referrer)}-title">
  <div class="related-head"><h3 id="${panelId(referrer)}-title">${title} <span class="count">${countText(panel)}</span></h3>
    ${total !== 0 && html`<a class="button" href="${relatedListUrl(referrer, id)}">${total === undefined ? 'View all' : total > rows.length ? `View all ${total}` : 'View in list'}</a>`}
    ${panel.canAdd && html`<a class="button" href="${relatedAddUrl(referrer, id)}">Add ${noun}</a>`}
  </div>
  ${
    panel.unlisted
      ? html`<p class="muted related-note">Not listed here: with no index on ${lowerFirst(shown.fields.find((candidate) => candidate.name === referrer.field)?.label ?? referrer.field)}, finding them means reading every one of the ${lowerFirst(shown.plural)}. The list shows them.</p>`
      : rows.length === 0
        ? html`<p class="empty">No ${lowerFirst(shown.plural)} yet.</p>`
        : html`${(total === undefined || total > rows.length) && html`<p class="muted related-note">The newest ${rows.length} of ${total ?? 'more'}.</p>`}
  <div class="table-wrap"><table>
    <thead><tr>${columns.map((field) => html`<th scope="col"${attr('class', NUMERIC.has(field.rule.kind) && field.input !== 'select' && referrer.references.get(field.name)?.label === undefined ? 'num' : undefined)}>${field.label}</th>`)}</tr></thead>
    <tbody>${rows.map((row) => html`<tr>${columns.map((field, index) => panelCell(panel, field, row, index === 0))}</tr>`)}</tbody>
  </table></div>`
  }
</section>`;
}

/** The related rows of one object: an index of counts for the page's top, the panels for below its form. */
export interface RelatedSection {
  readonly index: SafeHtml;
  readonly panels: SafeHtml;
}

const NOTHING: RelatedSection = { index: html``, panels: html`` };

/**
 * The related panels of the row whose key (URL form) is `id`, and an index of links to them;
 * nothing when no model the caller may list refers to this one.
 */
export async function relatedSection(
  context: AdminContext,
  request: FastifyRequest,
  referrers: readonly Referrer[],
  id: string,
): Promise<RelatedSection> {
  if (referrers.length === 0) return NOTHING;
  const caller = callerOf(context, request);
  const panels = (await Promise.all(referrers.map((referrer) => loadPanel(context, caller, referrer, id)))).filter(
    (panel) => panel !== undefined,
  );
  if (panels.length === 0) return NOTHING;
  const titled = panels.map((panel) => ({ panel, title: panelTitle(panel.referrer, referrers) }));
  return {
    index: html`<nav class="related-index" aria-label="Related rows">${titled.map(
      ({ panel, title }) =>
        html`<a href="#${panelId(panel.referrer)}">${title} <span class="count">${countText(panel)}</span></a>`,
    )}</nav>`,
    panels: html`<section class="related" aria-labelledby="related-title">
<h2 id="related-title">Related</h2>
${titled.map(({ panel, title }) => renderPanel(panel, id, title))}
</section>`,
  };
}
