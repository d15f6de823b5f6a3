/**
 * The list envelope of the old API: {"meta": {...}, "objects": [...]}, with
 * next/previous links that carry every query parameter but `page` (and `after`).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { preferencesOf } from '../http/prefer.js';
import { formatKey, keyOf } from '../store/keys.js';
import type { ListQuery } from '../store/list-query.js';
import type { Resource } from '../store/resource.js';
import type { Access } from '../access/access.js';

export interface ListPage<T> {
  meta: {
    model: string;
    next: string;
    previous: string;
    page: number;
    /** With `Prefer: count=…` only: how many rows match, and whether that is the server's estimate. */
    total?: number;
    total_estimated?: boolean;
  };
  objects: T[];
}

/**
 * A list page; with `Prefer: count=exact|estimated`, also how many rows
 * match (`meta.total`, `Content-Range: 0-19/N`), counted beside the page's
 * own query. Without the header a list costs what it always did.
 */
export async function countedPage(
  caller: Access,
  resource: Resource,
  query: ListQuery,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<ListPage<Record<string, unknown>>> {
  const { count } = preferencesOf(request);
  if (count === undefined) return listPage(resource, query, await caller.list(resource, query));
  const [rows, total] = await Promise.all([caller.list(resource, query), caller.count(resource, query, count)]);
  const page = listPage(resource, query, rows);
  page.meta.total = total.total;
  page.meta.total_estimated = total.estimated;
  const shown = page.objects.length;
  void reply.header(
    'Content-Range',
    `${shown === 0 ? '*' : `${query.offset}-${query.offset + shown - 1}`}/${total.total}`,
  );
  void reply.header('Preference-Applied', `count=${count}`);
  return page;
}

export function listPage<T extends Record<string, unknown>>(
  resource: Resource,
  query: ListQuery,
  rows: T[],
): ListPage<T> {
  // One row more than the page was fetched: its presence means there is a next page.
  const hasNext = rows.length > query.limit;
  const objects = hasNext ? rows.slice(0, query.limit) : rows;
  const last = objects[objects.length - 1];
  const next = hasNext
    ? link(
        resource.name,
        query.search,
        query.page + 1,
        query.keyset && last !== undefined ? afterOf(resource, last) : undefined,
      )
    : '';
  const previous = query.page > 1 && !query.keyset ? link(resource.name, query.search, query.page - 1, undefined) : '';
  // The key is always read (for `after`), but returned only when asked for.
  for (const column of resource.key) {
    if (query.fields !== undefined && !query.fields.includes(column.name))
      for (const row of objects) delete row[column.name];
  }
  return { meta: { model: resource.name, next, previous, page: query.page }, objects };
}

/** `after=` for the row: its key, each part percent-encoded when the key has several. */
function afterOf(resource: Resource, row: Record<string, unknown>): string {
  const key = keyOf(resource, row);
  return key.length === 1 ? String(key[0]) : formatKey(key);
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
