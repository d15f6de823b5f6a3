/**
 * Columns that hold another model's key (the schema's x-references): the
 * admin shows the referenced row's label instead of a bare id, fetched with
 * one `SELECT key, label … WHERE key IN (…)` per relation and page, never one
 * query per row; and it answers the edit form's picker from a small JSON
 * lookup of the target's rows by label.
 */
import type { Db, SqlValue } from '../db/db.js';
import { filterCondition } from '../store/filters.js';
import type { Column, Resource } from '../store/resource.js';
import { checkValue } from '../../common/value-rules.js';
import { callerOf, type AdminContext } from './context.js';
import type { ListView } from '../store/list-filters.js';
import type { RowScope } from '../store/sql-builder.js';
import type { AdminPage } from './contract.js';
import { html, type SafeHtml } from './html.js';
import { searchWords } from './search.js';
import type { PageRoutes } from './page-routes.js';

/** Most rows one lookup answers; the picker asks the operator to type more beyond that. */
export const LOOKUP_LIMIT = 10;
/** Longest search text a lookup takes. */
const MAX_QUERY_LENGTH = 100;

export interface Reference {
  /** The referencing column (JSON name). */
  readonly field: string;
  readonly target: Resource;
  readonly key: Column;
  /** The target's column that names a row for people; without it the admin shows ids. */
  readonly label: Column | undefined;
  /** The target's admin page, for links and its name in words. */
  readonly targetPage: AdminPage | undefined;
}

/** The page's references, by column name. */
export function referencesOf(context: AdminContext, page: AdminPage): Map<string, Reference> {
  const references = new Map<string, Reference>();
  for (const column of page.model.columns) {
    const target = page.model.target(column.name);
    if (target === undefined) continue;
    // A reference holds a single-column key (the generator checks it).
    const key = target.key[0]!;
    const labelName = page.model.label(column.name);
    const label =
      labelName === undefined
        ? undefined
        : target.columns.find((other) => other.name === labelName && !other.writeOnly);
    const field = column.name;
    references.set(field, {
      field,
      target,
      key,
      label,
      targetPage: context.pages.find((other) => other.resource === target.name),
    });
  }
  return references;
}

/**
 * Labels by key (as text) of the rows `values` point at; one query. Keys without a row (or outside the
 * caller's `scope` of the target) are left out.
 */
export async function labelsFor(
  db: Db,
  reference: Reference,
  values: readonly unknown[],
  scope?: RowScope,
): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  if (reference.label === undefined) return labels;
  const keys = new Map<string, SqlValue>();
  for (const value of values) {
    if (value === null || value === undefined || value === '') continue;
    const checked = checkValue(reference.key.rule, String(value));
    if (checked.ok) keys.set(String(checked.value), checked.value as SqlValue);
  }
  if (keys.size === 0) return labels;
  const within = scope === undefined ? '' : ` AND (${scope.sql})`;
  const sql = `SELECT ${reference.key.sql} AS \`k\`, ${reference.label.sql} AS \`l\` FROM ${reference.target.table} WHERE ${reference.key.sql} IN (${[...keys.keys()].map(() => '?').join(', ')})${within}`;
  for (const row of await db.all(sql, [...keys.values(), ...(scope?.params ?? [])]))
    labels.set(String(row.k), row.l === null || row.l === undefined ? '' : String(row.l));
  return labels;
}

/** For each named reference column, the labels of the values the rows hold: one query per relation. */
export async function labelsForRows(
  db: Db,
  references: Map<string, Reference>,
  fields: readonly string[],
  rows: readonly Record<string, unknown>[],
  /** The signed-in user's view: a target its role may not read gets no labels (its keys show as they are). */
  view: ListView,
): Promise<Map<string, Map<string, string>>> {
  const result = new Map<string, Map<string, string>>();
  const wanted = [...new Set(fields)].filter(
    (field) => references.get(field)?.label !== undefined && view.scopeOf(references.get(field)!.target) !== null,
  );
  const fetched = await Promise.all(
    wanted.map((field) => {
      const reference = references.get(field)!;
      const scope = view.scopeOf(reference.target) ?? undefined;
      return labelsFor(
        db,
        reference,
        rows.map((row) => row[field]),
        scope,
      );
    }),
  );
  wanted.forEach((field, index) => result.set(field, fetched[index]!));
  return result;
}

export interface LookupResult {
  id: number | string;
  label: string;
}

/**
 * The target's rows where every word of `q` is in the label or one of the target's search columns (any
 * case: "ivan wang" finds a card by its names), or whose key is `q`; ordered by label.
 */
export async function lookup(
  db: Db,
  reference: Reference,
  q: string,
  /** The caller's scope of the target: only rows in it are offered. */
  scope?: RowScope,
  /** Whether the caller may see a column of the target; a hidden one is not searched. */
  visible: (column: Column) => boolean = () => true,
): Promise<{ results: LookupResult[]; more: boolean }> {
  const label = reference.label!;
  const searched = [
    label,
    ...(reference.targetPage?.search ?? [])
      .map((name) => reference.target.byName.get(name)!)
      .filter((column) => column !== label && visible(column)),
  ];
  const conditions: { sql: string; params: SqlValue[] }[] = [];
  const words = searchWords(q);
  if (words.length > 0) {
    const perWord = words.map((word) =>
      searched.map((column) => filterCondition(column, 'icontains', [word], db.adapter)),
    );
    conditions.push({
      sql: `(${perWord.map((parts) => `(${parts.map((part) => part.sql).join(' OR ')})`).join(' AND ')})`,
      params: perWord.flatMap((parts) => parts.flatMap((part) => part.params)),
    });
  }
  const asKey = /^[0-9]+$/.test(q) ? checkValue(reference.key.rule, q) : undefined;
  if (asKey?.ok) conditions.push({ sql: `${reference.key.sql} = ?`, params: [asKey.value as SqlValue] });
  const matching = conditions.length > 0 ? `(${conditions.map((condition) => condition.sql).join(' OR ')})` : '';
  const parts = [matching, scope === undefined ? '' : `(${scope.sql})`].filter(Boolean);
  const where = parts.length > 0 ? ` WHERE ${parts.join(' AND ')}` : '';
  const rows = await db.all(
    `SELECT ${reference.key.sql} AS \`k\`, ${label.sql} AS \`l\` FROM ${reference.target.table}${where} ORDER BY ${label.sql}, ${reference.key.sql} LIMIT ${LOOKUP_LIMIT + 1}`,
    [...conditions.flatMap((condition) => condition.params), ...(scope?.params ?? [])],
  );
  const results = rows.slice(0, LOOKUP_LIMIT).map((row) => ({
    id: row.k as number | string,
    label: row.l === null || row.l === undefined ? '' : String(row.l),
  }));
  return { results, more: rows.length > LOOKUP_LIMIT };
}

/** A referenced row by its label, linking to it; a key without a row says so. */
export function referenceContent(
  reference: Reference,
  labels: Map<string, string> | undefined,
  value: unknown,
  link: boolean,
): SafeHtml {
  const key = String(value);
  // No labels at all: the target is not the caller's to read; its key is all there is to show.
  if (labels === undefined) return html`${key}`;
  const label = labels.get(key);
  const noun = reference.targetPage?.title.toLowerCase() ?? reference.target.name;
  if (label === undefined) return html`${key} <span class="muted">(no such ${noun})</span>`;
  const text = label === '' ? `#${key}` : label;
  return link && reference.targetPage
    ? html`<a href="/admin/${reference.target.name}/${key}/" title="${reference.targetPage.title} ${key}">${text}</a>`
    : html`<span title="${noun} ${key}">${text}</span>`;
}

/** JSON that stays inert even if a browser were talked into reading it as HTML. */
function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** The URL the edit form's picker asks: /admin/<resource>/lookup/<column>/?q=… */
export function lookupUrl(page: AdminPage, field: string): string {
  return `/admin/${page.resource}/lookup/${field}/`;
}

/** GET /admin/<resource>/lookup/<column>/?q=…: up to LOOKUP_LIMIT rows of the target, as JSON, for signed-in admins. */
export function registerLookups(routes: PageRoutes, context: AdminContext, page: AdminPage): void {
  for (const reference of referencesOf(context, page).values()) {
    if (reference.label === undefined) continue;
    routes.get(`/lookup/${reference.field}/`, async (request, reply) => {
      const query = request.query as Record<string, unknown>;
      const q = typeof query.q === 'string' ? query.q.trim() : '';
      reply.type('application/json; charset=utf-8');
      if (Array.isArray(query.q) || q.length > MAX_QUERY_LENGTH) {
        return reply.status(400).send(
          inertJson({
            error: `q must be one text of at most ${MAX_QUERY_LENGTH} characters`,
            code: 'invalid_query',
            fields: [{ field: 'q', message: `must be one text of at most ${MAX_QUERY_LENGTH} characters` }],
          }),
        );
      }
      const scope = callerOf(context, request).on(page.model).scopeOf(reference.target);
      if (scope === null)
        return reply
          .status(403)
          .send(inertJson({ error: `your role may not read ${reference.target.name}`, code: 'forbidden' }));
      const view = callerOf(context, request).on(page.model);
      return reply.send(
        inertJson(await lookup(context.db, reference, q, scope, (column) => view.visible(reference.target, column))),
      );
    });
  }
}
