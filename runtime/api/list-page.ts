/**
 * The list envelope of the old API: {"meta": {...}, "objects": [...]}, with
 * next/previous links that carry every query parameter but `page` (and `after`).
 */
import type { ListQuery } from './list-query.js';

export interface ListPage<T> {
  meta: { model: string; next: string; previous: string; page: number };
  objects: T[];
}

export function listPage<T extends object>(
  resource: string,
  primaryKey: string,
  query: ListQuery,
  rows: T[],
): ListPage<T> {
  // One row more than the page was fetched: its presence means there is a next page.
  const hasNext = rows.length > query.limit;
  const objects = hasNext ? rows.slice(0, query.limit) : rows;
  const last = objects[objects.length - 1];
  const next = hasNext
    ? link(resource, query.search, query.page + 1, query.keyset ? String((last as Record<string, unknown>)[primaryKey]) : undefined)
    : '';
  const previous = query.page > 1 && !query.keyset ? link(resource, query.search, query.page - 1, undefined) : '';
  if (query.fields !== undefined && !query.fields.includes(primaryKey)) {
    for (const row of objects) delete (row as Record<string, unknown>)[primaryKey];
  }
  return { meta: { model: resource, next, previous, page: query.page }, objects };
}

function link(resource: string, search: [string, string][], page: number, after: string | undefined): string {
  const params = new URLSearchParams();
  let placedPage = false;
  for (const [key, value] of search) {
    if (key === 'after') continue;
    if (key === 'page') {
      if (!placedPage) params.append('page', String(page));
      placedPage = true;
      continue;
    }
    params.append(key, value);
  }
  if (!placedPage) params.append('page', String(page));
  if (after !== undefined) params.append('after', after);
  return `/api/${resource}/?${params.toString()}`;
}
