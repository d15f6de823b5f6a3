/**
 * The browsable reference at /docs: @fastify/swagger in static mode feeding
 * @fastify/swagger-ui, in a small Fastify instance of its own that docs.ts
 * builds on the first /docs request and forwards to. The two plugins, and
 * the YAML and static-file libraries they bring, are ~130 modules that a
 * process serving only the API would load at every start for nothing.
 */
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';

export const DOCS_URL = '/docs';

/** Everything the reference page loads comes from the service itself; Swagger UI sets inline styles. */
const DOCS_CSP =
  "default-src 'self'; base-uri 'self'; font-src 'self' data:; frame-ancestors 'self'; img-src 'self' data:; " +
  "object-src 'none'; script-src 'self'; script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

/** The reference of `document` (the OpenAPI document), ready to answer `inject`ed requests. */
export async function docsApp(document: Record<string, unknown>): Promise<FastifyInstance> {
  const docs = Fastify({ logger: false, routerOptions: { ignoreTrailingSlash: true } });
  await docs.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  await docs.register(fastifySwaggerUi, {
    routePrefix: DOCS_URL,
    // The plugin's own CSP adds upgrade-insecure-requests, which breaks the page on plain http://host:8008.
    staticCSP: DOCS_CSP,
    // validatorUrl null: no call to the public swagger.io validator.
    uiConfig: { docExpansion: 'list', deepLinking: true, defaultModelsExpandDepth: 0, validatorUrl: null },
  });
  await docs.ready();
  return docs;
}
