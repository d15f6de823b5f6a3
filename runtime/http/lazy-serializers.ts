/**
 * Response serialisers (fast-json-stringify, from each route's response
 * schema) built on a route's first answer instead of at startup: Fastify's
 * own factory, called later. Building all of them took ~10 % of the startup
 * CPU, for routes most processes never serve.
 */
import {
  SerializerSelector,
  type RouteDefinition,
  type Serializer,
  type SerializerFactory,
} from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

const buildDefault: SerializerFactory = SerializerSelector();

export const lazySerializers: NonNullable<FastifyServerOptions['schemaController']> = {
  compilersFactory: {
    buildSerializer: (externalSchemas, options) => {
      const compile = buildDefault(externalSchemas, options);
      return (route: RouteDefinition): Serializer => {
        let serialize: Serializer | undefined;
        return (data) => (serialize ??= compile(route))(data);
      };
    },
  },
};

/** The same factory for a schema that belongs to no route. */
const compileAlone = buildDefault(undefined, undefined);

/**
 * One schema's serialiser, built the same way on its first use: for what is per model data rather than a
 * route's schema (the API's rows and lists, runtime/api/served-resource.ts).
 */
export function lazySerializer(schema: object): (value: unknown) => string {
  let serialize: Serializer | undefined;
  return (value) =>
    (serialize ??= compileAlone({ schema, method: 'GET', url: '', httpStatus: '200' } as RouteDefinition))(value);
}
