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
