/**
 * Entity tags for single rows. The tag is a hash of the JSON a client
 * receives, so it changes exactly when the row's visible content changes.
 * A write with `If-Match` applies only while the row still has that tag;
 * the write path (runtime/api/writes.ts) makes that check part of the
 * UPDATE or DELETE statement itself.
 */
import { hash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export function etagOf(payload: string): string {
  return `"${hash('sha1', payload, 'base64url')}"`;
}

/** The tags a header lists; `*` stays `*`. Weak tags never match a strong comparison, so they are left out. */
function listedTags(header: string): string[] {
  return header
    .split(',')
    .map((tag) => tag.trim())
    .filter((tag) => tag === '*' || /^"[^"]*"$/.test(tag));
}

export function tagMatches(header: string, etag: string): boolean {
  return listedTags(header).some((tag) => tag === '*' || tag === etag);
}

/**
 * onSend hook of the routes that return one row: adds its ETag, and answers
 * a GET whose If-None-Match already names it with 304 and no body.
 * Callback style: it runs on every GET one, and a promise per call costs.
 */
export function sendEtag(
  request: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
  done: (error: null, payload?: unknown) => void,
): void {
  if (reply.statusCode !== 200 || typeof payload !== 'string') return done(null, payload);
  const etag = etagOf(payload);
  void reply.header('ETag', etag);
  const ifNoneMatch = request.headers['if-none-match'];
  if (
    (request.method === 'GET' || request.method === 'HEAD') &&
    ifNoneMatch !== undefined &&
    tagMatches(ifNoneMatch, etag)
  ) {
    void reply.code(304);
    return done(null, null);
  }
  done(null, payload);
}

/**
 * The request's If-Match as a test of the row read just before the write:
 * undefined when there is no condition (or `*`, which any existing row meets).
 * The row is serialised exactly as the response would be.
 */
export function ifMatchCondition<T>(
  request: FastifyRequest,
  serialize: (row: T) => string,
): ((row: T) => boolean) | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || listedTags(header).includes('*')) return undefined;
  return (row) => tagMatches(header, etagOf(serialize(row)));
}
