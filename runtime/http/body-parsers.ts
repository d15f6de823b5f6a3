/**
 * Request bodies as old clients send them: JSON, or form-encoded, either as
 * `data=<json>` (the old README's `ab` test) or as plain fields. `text/plain`
 * and `multipart/form-data` are a 415 even when they hold JSON: with form
 * encoding they are the bodies a page on another site can make a browser
 * send without asking first (see cross-site.ts), and no client of the API
 * needs them. Anything else that is not JSON is a 415 too. Bodies are
 * decoded strictly: bytes that are not UTF-8, raw or percent-encoded in a
 * form, are a 400, never silently replaced.
 */
import type { FastifyInstance } from 'fastify';
import createError from '@fastify/error';
import type { FieldProblem } from './errors.js';

const MalformedJsonError = createError('malformed_json', 'request body is not valid JSON: %s', 400);
const UnsupportedMediaTypeError = createError(
  'unsupported_media_type',
  'unsupported content type %s: send JSON (application/json) or form data (application/x-www-form-urlencoded)',
  415,
);
const DuplicateFormFieldError = createError(
  'invalid_body',
  'invalid request body: form field %s is given more than once',
  400,
);
const InvalidEncodingError = createError('invalid_encoding', 'request body is not valid UTF-8', 400);
const InvalidFormEncodingError = createError(
  'invalid_encoding',
  'form field %s is not valid UTF-8 once percent-decoded',
  400,
);

/** Types a browser sends cross-site without a preflight, besides forms: never a body of the API. */
const REFUSED_TYPES = new Set(['text/plain', 'multipart/form-data']);

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
const utf8WithBom = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decode(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw new InvalidEncodingError();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedJsonError((error as Error).message);
  }
}

const HEX = /^[0-9a-fA-F]{2}$/;

/**
 * A form name or value as the WHATWG form decoder reads it (`+` is a space,
 * `%XX` a byte, a `%` without two hex digits itself), except that bytes
 * that are not UTF-8 give undefined instead of U+FFFD.
 */
export function decodeFormComponent(raw: string): string | undefined {
  const text = raw.includes('+') ? raw.replaceAll('+', ' ') : raw;
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    // Invalid UTF-8, or a lone `%` (which stays as it is): decode byte by byte to tell which.
  }
  const bytes = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(bytes.length);
  let length = 0;
  for (let index = 0; index < bytes.length; index += 1) {
    const hex = bytes[index] === 0x25 ? bytes.toString('latin1', index + 1, index + 3) : '';
    if (HEX.test(hex)) {
      out[length++] = Number.parseInt(hex, 16);
      index += 2;
    } else {
      out[length++] = bytes[index]!;
    }
  }
  try {
    // A byte order mark in a value is content, as decodeURIComponent keeps it.
    return utf8WithBom.decode(out.subarray(0, length));
  } catch {
    return undefined;
  }
}

function invalidFormEncoding(field: string): Error & { fields: FieldProblem[] } {
  return Object.assign(new InvalidFormEncodingError(field), {
    fields: [{ field, message: 'is not valid UTF-8 once percent-decoded (send text as UTF-8, e.g. é as %C3%A9)' }],
  });
}

/** `a=1&b=2` as [name, value] pairs in order, strictly decoded. */
export function formPairs(text: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  for (const sequence of text.split('&')) {
    if (sequence === '') continue;
    const equals = sequence.indexOf('=');
    const rawName = equals < 0 ? sequence : sequence.slice(0, equals);
    const name = decodeFormComponent(rawName);
    // A name that is not UTF-8 is named as it was sent.
    if (name === undefined) throw invalidFormEncoding(rawName);
    const value = decodeFormComponent(equals < 0 ? '' : sequence.slice(equals + 1));
    if (value === undefined) throw invalidFormEncoding(name);
    pairs.push([name, value]);
  }
  return pairs;
}

/** Form bodies: `data=<json>`, a raw JSON object, or plain fields. */
export function parseFormBody(text: string): unknown {
  // Nothing sent is not an empty object: validation then asks for a body.
  if (text.trim() === '') return undefined;
  // `curl -d '{"name": "x"}'` sends JSON labelled as a form.
  if (text.trimStart().startsWith('{')) return parseJson(text);
  const pairs = formPairs(text);
  if (pairs.length === 1 && pairs[0]![0] === 'data') return parseJson(pairs[0]![1]);
  const body: Record<string, string> = {};
  for (const [key, value] of pairs) {
    if (Object.hasOwn(body, key)) throw new DuplicateFormFieldError(key);
    body[key] = value;
  }
  return body;
}

/** `Text/Plain; charset=utf-8` → `text/plain`. */
function mediaType(contentType: string): string {
  const end = contentType.indexOf(';');
  return (end < 0 ? contentType : contentType.slice(0, end)).trim().toLowerCase();
}

export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  // Our own form parser rather than @fastify/formbody's, whose lenient decoding would turn bad bytes into U+FFFD.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_request, body, done) => {
    try {
      done(null, parseFormBody(decode(body as Buffer)));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
    const type = request.headers['content-type'] ?? '';
    if (REFUSED_TYPES.has(mediaType(type))) return done(new UnsupportedMediaTypeError(type), undefined);
    let text: string;
    try {
      text = decode(body as Buffer);
    } catch (error) {
      return done(error as Error, undefined);
    }
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      // Declared JSON that does not parse is malformed; anything else is a type we cannot use.
      if (/json/i.test(type)) return done(new MalformedJsonError((error as Error).message), undefined);
      done(new UnsupportedMediaTypeError(type || '(none)'), undefined);
    }
  });
}
