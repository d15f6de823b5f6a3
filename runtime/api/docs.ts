/**
 * The API's own documentation, public because it holds no data: the
 * generated OpenAPI document at GET /api/openapi.json, byte for byte as
 * committed in generated/openapi.json, and a browsable reference at /docs
 * (@fastify/swagger in static mode feeding @fastify/swagger-ui).
 *
 * The document is read from the file rather than imported, so the runtime
 * keeps to its rule of never importing generated/ code, and what is served is
 * exactly what `a2gen build --check` keeps honest; it is read on its first
 * request (lazy-document.ts), not at startup.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { lazyObject, lazyText } from './lazy-document.js';

export const DOCUMENT_URL = '/api/openapi.json';
export const DOCS_URL = '/docs';

/** Everything the reference page loads comes from the service itself; Swagger UI sets inline styles. */
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; " +
  "object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

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
 * Registers both routes on `app`, which must be outside the Basic auth
 * scope. `text` gives the document as JSON text.
 */
export async function registerApiDocs(app: FastifyInstance, text: () => string): Promise<void> {
  const document = lazyObject(() => JSON.parse(text()) as Record<string, unknown>);
  app.get(DOCUMENT_URL, async (_request, reply) => reply.type('application/json; charset=utf-8').send(text()));
  // Encapsulated, so the swagger decorators stay out of the rest of the service.
  await app.register(async (docs) => {
    await docs.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
    await docs.register(fastifySwaggerUi, {
      routePrefix: DOCS_URL,
      // The plugin's own CSP adds upgrade-insecure-requests, which breaks the page on plain http://host:8008.
      staticCSP: DOCS_CSP,
      // validatorUrl null: no call to the public swagger.io validator.
      uiConfig: { docExpansion: 'list', deepLinking: true, defaultModelsExpandDepth: 0, validatorUrl: null },
    });
  });
}
