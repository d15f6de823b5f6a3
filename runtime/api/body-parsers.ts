/**
 * Request bodies as old clients send them: JSON under any content type,
 * or form-encoded, either as `data=<json>` (the old README's `ab` test) or
 * as plain fields. Anything else is a 415.
 */
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import createError from '@fastify/error';

const MalformedJsonError = createError('malformed_json', 'request body is not valid JSON: %s', 400);
const UnsupportedMediaTypeError = createError('unsupported_media_type', 'unsupported content type %s: send JSON or form data', 415);
const DuplicateFormFieldError = createError('invalid_body', 'invalid request body: form field %s is given more than once', 400);

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new MalformedJsonError((error as Error).message);
  }
}

/** Form bodies: `data=<json>`, a raw JSON object, or plain fields. */
export function parseFormBody(text: string): unknown {
  // Nothing sent is not an empty object: validation then asks for a body.
  if (text.trim() === '') return undefined;
  // `curl -d '{"name": "x"}'` sends JSON labelled as a form.
  if (text.trimStart().startsWith('{')) return parseJson(text);
  const fields = new URLSearchParams(text);
  const keys = [...fields.keys()];
  if (keys.length === 1 && keys[0] === 'data') return parseJson(fields.get('data') ?? '');
  const body: Record<string, string> = {};
  for (const [key, value] of fields) {
    if (Object.hasOwn(body, key)) throw new DuplicateFormFieldError(key);
    body[key] = value;
  }
  return body;
}

export async function registerBodyParsers(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  await app.register(formbody, { parser: (text) => parseFormBody(text) as Record<string, unknown> });
  app.addContentTypeParser('*', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const type = request.headers['content-type'] ?? '';
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
