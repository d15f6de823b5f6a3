/**
 * Cross-site writes. A page on any other site can make a browser send a
 * form POST to the API without asking first (no CORS preflight), and the
 * browser adds the Basic credentials it holds for this host. Browsers mark
 * such a request with `Origin` (and `Sec-Fetch-Site`); curl, ab and servers
 * send neither. So a request that changes data (any method but GET, HEAD and
 * OPTIONS) is a 403 when a browser says it comes from another origin, unless
 * that origin is listed in A2B_ALLOWED_ORIGINS. It is refused before its
 * credentials are looked at, and before its body is read.
 *
 * "Another origin" is stricter than the browser's own `Sec-Fetch-Site:
 * same-site`: another port on the same host is another origin, and so is
 * `Origin: null` (a sandboxed frame, or a redirect from another origin).
 */
import createError from '@fastify/error';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const CrossSiteRequestError = createError(
  'cross_site_request',
  'cross-site request refused: %s; a web page may write through the API only from this service itself or from an origin listed in A2B_ALLOWED_ORIGINS',
  403,
);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The browser's headers on one request, and the host it was sent to. */
export interface RequestMarks {
  origin: string | undefined;
  fetchSite: string | undefined;
  host: string | undefined;
}

/** Why a write is refused, or undefined when it may go on. */
export function crossSiteRefusal(marks: RequestMarks, allowed: ReadonlySet<string>): string | undefined {
  const { origin, fetchSite, host } = marks;
  if (origin !== undefined) {
    if (allowed.has(origin) || sameHost(origin, host)) return undefined;
    return `Origin ${origin} is another site`;
  }
  // Browsers send Origin on every write; Sec-Fetch-Site alone is a last resort. `none`: typed by the user.
  if (fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none') return undefined;
  return `Sec-Fetch-Site is ${fetchSite}`;
}

/** `Origin: http://host:port` names the host this request was sent to (its Host header). */
function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  const start = origin.indexOf('://');
  return start > 0 && origin.slice(start + 3).toLowerCase() === host.toLowerCase();
}

function marksOf(request: FastifyRequest): RequestMarks {
  const { origin, host } = request.headers;
  const fetchSite = request.headers['sec-fetch-site'];
  return { origin, host, fetchSite: typeof fetchSite === 'string' ? fetchSite.toLowerCase() : undefined };
}

/** Guards every route of `scope` (the API's): call before the Basic auth and body parsers are registered. */
export function registerCrossSiteCheck(scope: FastifyInstance, allowedOrigins: readonly string[]): void {
  const allowed = new Set(allowedOrigins);
  scope.addHook('onRequest', (request, _reply, done) => {
    if (SAFE_METHODS.has(request.method)) return done();
    // curl, ab and servers: neither header, nothing to compare.
    if (request.headers.origin === undefined && request.headers['sec-fetch-site'] === undefined) return done();
    const refusal = crossSiteRefusal(marksOf(request), allowed);
    done(refusal === undefined ? undefined : new CrossSiteRequestError(refusal));
  });
}
