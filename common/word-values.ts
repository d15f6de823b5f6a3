/**
 * ENUM and SET columns. An ENUM holds one of its words; a SET holds some of
 * them, sent as a JSON array without repeats and stored as MySQL stores it
 * ("a,b", in the column's order).
 */
import type { Checked } from './checked.js';

export function checkEnum(rule: { values: readonly string[] }, value: unknown): Checked {
  if (typeof value === 'string' && rule.values.includes(value)) return { ok: true, value };
  return { ok: false, message: `must be one of ${rule.values.map((word) => JSON.stringify(word)).join(', ')}` };
}

/** An array of distinct words of the set, stored in the column's order. */
export function checkSet(rule: { values: readonly string[] }, value: unknown): Checked {
  const allowed = `allowed: ${rule.values.map((word) => JSON.stringify(word)).join(', ')}`;
  if (!Array.isArray(value)) return { ok: false, message: `must be an array of words (${allowed})` };
  const seen = new Set<string>();
  for (const word of value as unknown[]) {
    if (typeof word !== 'string' || !rule.values.includes(word))
      return { ok: false, message: `holds ${JSON.stringify(word)}, which is not a word of the set (${allowed})` };
    if (seen.has(word)) return { ok: false, message: `holds ${JSON.stringify(word)} twice` };
    seen.add(word);
  }
  return { ok: true, value: rule.values.filter((word) => seen.has(word)).join(',') };
}

/** A SET's stored text as the JSON array. */
export function setWords(text: string): string[] {
  return text === '' ? [] : text.split(',');
}
