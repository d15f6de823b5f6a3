/**
 * The OpenAPI document, read and parsed on its first request instead of at
 * startup: with every A2Billing table it is 3 MB of JSON, ~0.1-0.2 s of a
 * start that most processes never pay back (bench/profile-notes.md).
 */
import { readFileSync } from 'node:fs';

/** The document's text, read once, when first asked for. */
export function lazyText(file: string): () => string {
  let text: string | undefined;
  return () => (text ??= readFileSync(file, 'utf8'));
}

/**
 * An object that stands for `load()`'s until something looks at it: @fastify/swagger in static mode wants
 * the document at registration, but only reads it to answer /docs/json or /docs/yaml.
 */
export function lazyObject<T extends object>(load: () => T): T {
  let target: T | undefined;
  const real = () => (target ??= load());
  return new Proxy({} as T, {
    get: (_empty, key) => Reflect.get(real(), key),
    has: (_empty, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_empty, key) => Reflect.getOwnPropertyDescriptor(real(), key),
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
  });
}
