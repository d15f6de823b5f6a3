/**
 * The list an operator last looked at, per model, kept in the session: a
 * save, a delete or "Back to cards" returns to it with its filters, search,
 * ordering and page, instead of to the unfiltered list.
 */
import type { FastifyRequest } from 'fastify';

declare module '@fastify/secure-session' {
  interface SessionData {
    /** By resource: the URL of the list last shown (a path of this panel). */
    lists: Record<string, string>;
  }
}

/** Longest list URL kept: the session is a cookie. */
const MAX_URL = 400;

export function rememberList(request: FastifyRequest, resource: string, url: string): void {
  const lists = request.session.get('lists') ?? {};
  const plain = `/admin/${resource}/`;
  // The plain list is the default: nothing to keep, and a cleared filter forgets the old one.
  if (url === plain || url.length > MAX_URL) {
    if (lists[resource] === undefined) return;
    const { [resource]: _forgotten, ...rest } = lists;
    request.session.set('lists', rest);
    return;
  }
  if (lists[resource] !== url) request.session.set('lists', { ...lists, [resource]: url });
}

/** The list to return to: the one last shown, or the plain list. */
export function lastList(request: FastifyRequest, resource: string): string {
  const url = request.session.get('lists')?.[resource];
  return url !== undefined && url.startsWith(`/admin/${resource}/?`) ? url : `/admin/${resource}/`;
}
