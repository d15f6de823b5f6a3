/**
 * The API's own documentation, public because it holds no data: the
 * generated OpenAPI document at GET /api/openapi.json, byte for byte as
 * committed in generated/openapi.json, and a browsable reference at /docs
 * (docs-ui.ts, built on its first request).
 *
 * The document is read from the file rather than imported, so the runtime
 * keeps to its rule of never importing generated/ code, and what is served is
 * exactly what `a2gen build --check` keeps honest; it is read on its first
 * request (lazy-document.ts), not at startup.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { lazyText } from './lazy-document.js';

export const DOCUMENT_URL = '/api/openapi.json';
const DOCS_URL = '/docs';

/** Headers of the docs instance's answer that belong to its own (injected) exchange, not to the client's. */
const OWN_HEADERS = new Set(['connection', 'date', 'keep-alive', 'transfer-encoding']);

/**
 * generated/openapi.json of the checkout this module runs from: the nearest
 * directory above it holding package.json (dist/runtime/api → the project).
 */
export function defaultDocumentPath(): string | undefined {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(directory, 'package.json'))) return path.join(directory, 'generated', 'openapi.json');
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** The document's text, read on first use; undefined when there is no file to serve. */
export function openApiDocument(file = defaultDocumentPath()): (() => string) | undefined {
  if (file === undefined || !existsSync(file)) return undefined;
  return lazyText(file);
}

/**
 * Registers the document's route and /docs on `app`, which must be outside
 * the Basic auth scope. `text` gives the document as JSON text. /docs is
 * answered by the reference's own Fastify instance (docs-ui.ts), loaded and
 * built on its first request.
 */
export function registerApiDocs(app: FastifyInstance, text: () => string): void {
  app.get(DOCUMENT_URL, async (_request, reply) => reply.type('application/json; charset=utf-8').send(text()));
  let docs: Promise<FastifyInstance> | undefined;
  const docsApp = (): Promise<FastifyInstance> =>
    (docs ??= import('./docs-ui.js')
      .then((ui) => ui.docsApp(JSON.parse(text()) as Record<string, unknown>))
      .catch((error: unknown) => {
        // The next request tries again.
        docs = undefined;
        throw error;
      }));
  // The reference's instance closes with the service, if it was ever built.
  app.addHook('onClose', async () => {
    await (await docs?.catch(() => undefined))?.close();
  });
  const forward = async (request: FastifyRequest, reply: FastifyReply) => {
    const answer = await (
      await docsApp()
    ).inject({ method: request.method as 'GET' | 'HEAD', url: request.url, headers: request.headers });
    for (const [name, value] of Object.entries(answer.headers))
      if (value !== undefined && !OWN_HEADERS.has(name)) void reply.header(name, value);
    return reply.status(answer.statusCode).send(answer.rawPayload);
  };
  app.get(DOCS_URL, forward);
  app.get(`${DOCS_URL}/*`, forward);
}
