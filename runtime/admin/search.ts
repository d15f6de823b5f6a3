/**
 * The list's search box: every word must be found (any case, anywhere in the
 * value) in one of the model's search columns (x-admin.search) or in a
 * declared column of rows that reference the row (x-admin.searchRelated:
 * "callerid.cid", so a caller ID finds its card). "Ivan Wang" finds the card
 * whose first name has Ivan and whose last name has Wang. A related model is
 * searched only when the caller may read it, and only its rows in scope.
 */
import type { SqlAdapter, SqlValue } from '../db/db.js';
import { filterCondition } from '../store/filters.js';
import type { ListView } from '../store/list-filters.js';
import type { Column, Resource } from '../store/resource.js';
import type { AdminPage } from './contract.js';

/** Most words one search takes: the rest are ignored. */
export const MAX_WORDS = 8;

export interface RelatedSearch {
  /** The model whose rows reference this one. */
  readonly resource: Resource;
  /** Its column that holds this model's key. */
  readonly reference: Column;
  /** Its column searched. */
  readonly column: Column;
}

/** The page's x-admin.searchRelated, resolved against the other pages' models. */
export function relatedSearchesOf(pages: readonly AdminPage[], page: AdminPage): RelatedSearch[] {
  return (page.model.model.admin.searchRelated ?? []).flatMap((entry) => {
    const [name, columnName] = entry.split('.') as [string, string];
    const resource = pages.find((other) => other.resource === name)?.model;
    const reference = resource?.columns.find((column) => resource.target(column.name)?.name === page.model.name);
    const column = resource?.byName.get(columnName);
    // The generator checked them; a model left out of the panel is simply not searched.
    return resource && reference && column ? [{ resource, reference, column }] : [];
  });
}

export function searchWords(q: string): string[] {
  return q
    .split(/\s+/)
    .filter((word) => word !== '')
    .slice(0, MAX_WORDS);
}

/** The WHERE condition of a search for `q`; undefined when there is nothing to search. */
export function searchCondition(
  page: AdminPage,
  q: string,
  adapter: SqlAdapter,
  related: readonly RelatedSearch[] = [],
  view?: ListView,
): { sql: string; params: SqlValue[] } | undefined {
  const columns = page.search.map((name) => page.model.byName.get(name)!);
  const [key] = page.model.key;
  const usable = related.flatMap((search) => {
    if (key === undefined || page.model.key.length !== 1) return [];
    if (view === undefined) return [{ search, scope: undefined }];
    const scope = view.scopeOf(search.resource);
    if (scope === null || !view.visible(search.resource, search.column)) return [];
    return [{ search, scope }];
  });
  const words = searchWords(q);
  if (words.length === 0 || columns.length + usable.length === 0) return undefined;
  const params: SqlValue[] = [];
  const perWord = words.map((word) => {
    const parts: string[] = [];
    for (const column of columns) {
      const condition = filterCondition(column, 'icontains', [word], adapter);
      parts.push(condition.sql);
      params.push(...condition.params);
    }
    for (const { search, scope } of usable) {
      const condition = filterCondition(search.column, 'icontains', [word], adapter);
      // Unqualified names inside resolve to the referencing rows (`r`); the key outside is the listed row's.
      parts.push(
        `EXISTS (SELECT 1 FROM ${search.resource.table} AS \`r\` WHERE \`r\`.${search.reference.sql} = ${page.model.table}.${key!.sql} AND ${condition.sql}${scope ? ` AND (${scope.sql})` : ''})`,
      );
      params.push(...condition.params, ...(scope?.params ?? []));
    }
    return `(${parts.join(' OR ')})`;
  });
  return { sql: `(${perWord.join(' AND ')})`, params };
}
