/**
 * The admin list's query string, turned into the API's list query: the same
 * filters (`column__op=value`), ordering and paging as GET /api/<resource>/,
 * parsed by the same parseListQuery, plus `q`, the search box, which looks
 * in the schema's searchable columns with the API's `icontains`.
 */
import { parseListQuery, type ListQuery } from '../store/list-query.js';
import type { ListView } from '../store/list-filters.js';
import { searchCondition, type RelatedSearch } from './search.js';
import type { SqlAdapter } from '../db/db.js';
import type { AdminPage } from './contract.js';

export const PAGE_SIZE = 20;
/** The page sizes a list offers; another `limit` in the URL falls back to the default. */
export const PAGE_SIZES = [20, 50, 100, 200] as const;
/** Query keys of the admin list that are not filters. */
export const LIST_KEYS = new Set(['q', 'page', 'ordering', 'limit']);
/** API list keys the admin does not take (it always shows whole rows). */
const IGNORED = new Set(['fields', 'after', 'format']);

export interface AdminListRequest {
  q: string;
  page: number;
  ordering: string;
  /** Rows a page: one of PAGE_SIZES. */
  limit: number;
  /** The filters, as `column__op` → values, in URL order. */
  filters: [string, string][];
}

export function readListRequest(search: URLSearchParams): AdminListRequest {
  const filters: [string, string][] = [];
  for (const [key, value] of search) {
    if (!LIST_KEYS.has(key) && !IGNORED.has(key)) filters.push([key, value]);
  }
  const page = Number(search.get('page') ?? '1');
  const limit = Number(search.get('limit') ?? PAGE_SIZE);
  return {
    limit: (PAGE_SIZES as readonly number[]).includes(limit) ? limit : PAGE_SIZE,
    q: (search.get('q') ?? '').trim(),
    page: Number.isSafeInteger(page) && page > 0 ? page : 1,
    ordering: search.get('ordering') ?? '',
    filters,
  };
}

/** The list query for one page of `pageSize` rows; throws the API's invalid_query error (with fields) when a filter is bad. */
export function buildListQuery(
  page: AdminPage,
  request: AdminListRequest,
  adapter: SqlAdapter,
  pageNumber: number,
  pageSize: number,
  /** The signed-in user's view of the model (its role's columns and row scope). */
  view?: ListView,
  /** Columns of referencing rows the search box also looks in (search.ts). */
  related: readonly RelatedSearch[] = [],
): ListQuery {
  const apiQuery = new URLSearchParams(request.filters);
  // The model's own order (newest first for logs) when the URL names none.
  const ordering = request.ordering || page.ordering;
  if (ordering) apiQuery.set('ordering', ordering);
  apiQuery.set('page', String(pageNumber));
  apiQuery.set('limit', String(pageSize));
  const query = parseListQuery(page.model, apiQuery.toString(), adapter, pageSize, undefined, view);
  const search = searchCondition(page, request.q, adapter, related, view);
  if (search === undefined) return query;
  return {
    ...query,
    where: query.where ? `${query.where} AND ${search.sql}` : ` WHERE ${search.sql}`,
    params: [...query.params, ...search.params],
  };
}

/** The list URL with some keys replaced (undefined removes a key). */
export function listUrl(
  resource: string,
  request: AdminListRequest,
  changes: { q?: string; page?: number; ordering?: string; limit?: number; filters?: [string, string][] } = {},
): string {
  const params = new URLSearchParams();
  const q = changes.q ?? request.q;
  if (q) params.set('q', q);
  for (const [key, value] of changes.filters ?? request.filters) params.append(key, value);
  const ordering = changes.ordering ?? request.ordering;
  if (ordering) params.set('ordering', ordering);
  const limit = changes.limit ?? request.limit;
  if (limit !== PAGE_SIZE) params.set('limit', String(limit));
  const pageNumber = changes.page ?? 1;
  if (pageNumber > 1) params.set('page', String(pageNumber));
  const text = params.toString();
  return `/admin/${resource}/${text ? `?${text}` : ''}`;
}
