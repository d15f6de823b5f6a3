/**
 * Prints a JSON value as a TypeScript literal the way a person would write
 * it: bare keys, single quotes, short objects on one line, long ones broken.
 */

const LINE_WIDTH = 110;

function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : quote(name);
}

export function quote(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

/** A value already written as code (a reference to a constant, say). */
export class Code {
  constructor(readonly text: string) {}
}

export function tsLiteral(value: unknown, indent = 0): string {
  if (value instanceof Code) return value.text;
  if (value === null) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const pad = '  '.repeat(indent + 1);
  const close = '  '.repeat(indent);
  if (Array.isArray(value)) {
    const items = value.map((item) => tsLiteral(item, indent + 1));
    const inline = `[${items.join(', ')}]`;
    if (inline.length + indent * 2 <= LINE_WIDTH && !inline.includes('\n')) return inline;
    if (value.every((item) => item === null || typeof item !== 'object')) return `[\n${fill(items, pad)}\n${close}]`;
    return `[\n${items.map((item) => `${pad}${item},`).join('\n')}\n${close}]`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    if (entries.length === 0) return '{}';
    const items = entries.map(([name, item]) => `${key(name)}: ${tsLiteral(item, indent + 1)}`);
    const inline = `{ ${items.join(', ')} }`;
    if (inline.length + indent * 2 <= LINE_WIDTH && !inline.includes('\n')) return inline;
    return `{\n${items.map((item) => `${pad}${item},`).join('\n')}\n${close}}`;
  }
  throw new Error(`cannot print ${typeof value} as a literal`);
}

/** Scalars of a long array, as many to a line as fit. */
function fill(items: string[], pad: string): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line} ${item},` : `${item},`;
    if ((pad + next).length > LINE_WIDTH && line) {
      lines.push(pad + line);
      line = `${item},`;
    } else {
      line = next;
    }
  }
  if (line) lines.push(pad + line);
  return lines.join('\n');
}
