/**
 * HTML built with a tagged template that escapes every interpolated value.
 * Only SafeHtml (the result of another `html` template, or `raw` for
 * constant markup) passes through unescaped, so a value from the database
 * can never become markup.
 */

export class SafeHtml {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
};

export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"'`]/g, (character) => ENTITIES[character]!);
}

/** An interpolated value: SafeHtml as it is, arrays joined, null/undefined/false as nothing, the rest escaped. */
function part(value: unknown): string {
  if (value instanceof SafeHtml) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(value);
}

export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let text = strings[0]!;
  values.forEach((value, index) => {
    text += part(value) + strings[index + 1]!;
  });
  return new SafeHtml(text);
}

/** Constant markup written in the source, never data. */
export function raw(text: string): SafeHtml {
  return new SafeHtml(text);
}

/** ` name="value"` when the condition holds. */
export function attr(name: string, value: unknown): SafeHtml {
  if (value === undefined || value === null || value === false) return raw('');
  if (value === true) return raw(` ${name}`);
  return raw(` ${name}="${escapeHtml(value)}"`);
}

/** A title inside a sentence: "Caller ID" → "caller ID", "SIP account" stays as it is (an acronym keeps its case). */
export function lowerFirst(title: string): string {
  return /^[A-Z][A-Z]/.test(title) ? title : title.charAt(0).toLowerCase() + title.slice(1);
}
