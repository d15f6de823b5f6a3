/**
 * JSON printed for people and for small diffs: two-space indentation, an
 * object or array on one line when that line stays within the width, and
 * long lists of plain values (enums of field names) filled across lines
 * rather than one value per line, as generated TypeScript prints them.
 */

function inline(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inline).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${inline(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** Object entries as JSON.stringify keeps them (undefined values left out). */
function entries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, item]) => item !== undefined);
}

function fill(items: string[], pad: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const item of items) {
    const next = line ? `${line} ${item}` : item;
    if (line && pad.length + next.length + 1 > width) {
      lines.push(`${pad}${line}`);
      line = item;
    } else {
      line = next;
    }
    line += ',';
  }
  lines.push(`${pad}${line.slice(0, -1)}`);
  return lines.join('\n');
}

function print(value: unknown, pad: string, used: number, width: number): string {
  const flat = inline(value);
  // +1 leaves room for the comma that may follow.
  if (value === null || typeof value !== 'object' || pad.length + used + flat.length + 1 <= width) return flat;
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((item) => item === null || typeof item !== 'object')) {
      return `[\n${fill(
        value.map((item) => JSON.stringify(item)),
        inner,
        width,
      )}\n${pad}]`;
    }
    return `[\n${value.map((item) => `${inner}${print(item, inner, 0, width)}`).join(',\n')}\n${pad}]`;
  }
  const members = entries(value);
  if (members.length === 0) return '{}';
  const lines = members.map(([key, item]) => {
    const label = `${JSON.stringify(key)}: `;
    return `${inner}${label}${print(item, inner, label.length, width)}`;
  });
  return `{\n${lines.join(',\n')}\n${pad}}`;
}

export function compactJson(value: unknown, width: number): string {
  return print(value, '', 0, width);
}
