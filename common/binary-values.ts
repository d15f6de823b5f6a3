/**
 * BINARY, VARBINARY and the BLOB family: bytes that travel as base64 in JSON
 * and are bound as bytes, so keys, filters and writes compare the same bytes
 * on both databases.
 */
import type { Checked } from './checked.js';

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The bytes of standard base64 (padding required, no line breaks); undefined when the text is not that. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** `maxBytes`: of the decoded value. BINARY(n) stores exactly n bytes, zero-padded, as MySQL does. */
export function checkBinary(rule: { maxBytes: number; fixed?: true }, value: unknown): Checked {
  if (typeof value !== 'string') return { ok: false, message: 'must be a base64 string' };
  const bytes = fromBase64(value);
  if (bytes === undefined) return { ok: false, message: 'is not valid base64 (A-Z, a-z, 0-9, +, / and = padding)' };
  if (bytes.length > rule.maxBytes)
    return { ok: false, message: `is ${bytes.length} bytes long; at most ${rule.maxBytes} allowed` };
  if (rule.fixed && bytes.length < rule.maxBytes) {
    const padded = Buffer.alloc(rule.maxBytes);
    padded.set(bytes);
    return { ok: true, value: padded };
  }
  return { ok: true, value: bytes };
}
