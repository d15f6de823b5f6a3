/**
 * A strict reader of Prometheus' text exposition format (version 0.0.4), so
 * tests check that /metrics really parses: every line a comment or a sample,
 * every sample of a declared family, histogram buckets cumulative.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** Family name → its declared type. */
  types: Map<string, string>;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const COMMENT = new RegExp(`^# (HELP|TYPE) (${NAME})(?: (.*))?$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(,|$)/y;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split('\n').forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line === '') return;
    const comment = COMMENT.exec(line);
    if (comment) {
      if (comment[1] === 'TYPE') {
        if (!TYPES.has(comment[3] ?? '')) throw new Error(`${where}: unknown type`);
        types.set(comment[2]!, comment[3]!);
      }
      return;
    }
    if (line.startsWith('#')) throw new Error(`${where}: malformed comment`);
    const sample = SAMPLE.exec(line);
    if (!sample) throw new Error(`${where}: not a sample`);
    const [, name, labelText = '', valueText] = sample;
    const value = parseValue(valueText!);
    if (value === undefined) throw new Error(`${where}: bad value`);
    if (familyOf(name!, types) === undefined) throw new Error(`${where}: sample of an undeclared family`);
    samples.push({ name: name!, labels: parseLabels(labelText, where), value });
  });
  checkHistograms(samples, types);
  return { samples, types };
}

/** As Prometheus reads values (Go's ParseFloat): NaN and Inf in any case, as prom-client writes "Nan". */
function parseValue(text: string): number | undefined {
  if (/^nan$/i.test(text)) return NaN;
  const infinity = /^([+-]?)inf(inity)?$/i.exec(text);
  if (infinity) return infinity[1] === '-' ? -Infinity : Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return undefined;
  return Number(text);
}

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const match = LABEL.exec(text);
    if (!match || match.index !== start) throw new Error(`${where}: malformed labels`);
    labels[match[1]!] = match[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return labels;
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return types.has(base) && ['histogram', 'summary'].includes(types.get(base)!) ? base : undefined;
}

/** Buckets never decrease with `le`, and the +Inf bucket equals _count. */
function checkHistograms(samples: Sample[], types: Map<string, string>): void {
  const series = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const sample of samples) {
    const family = familyOf(sample.name, types)!;
    if (types.get(family) !== 'histogram' || sample.name === family) continue;
    const { le, ...rest } = sample.labels;
    const key = `${family}${JSON.stringify(rest)}`;
    const entry = series.get(key) ?? { buckets: [] };
    series.set(key, entry);
    if (sample.name.endsWith('_bucket')) entry.buckets.push([le === '+Inf' ? Infinity : Number(le), sample.value]);
    if (sample.name.endsWith('_count')) entry.count = sample.value;
  }
  for (const [key, { buckets, count }] of series) {
    buckets.sort((a, b) => a[0] - b[0]);
    buckets.forEach(([, value], index) => {
      if (index > 0 && value < buckets[index - 1]![1]) throw new Error(`${key}: buckets decrease`);
    });
    if (buckets.at(-1)?.[0] !== Infinity || buckets.at(-1)![1] !== count)
      throw new Error(`${key}: +Inf bucket is not _count`);
  }
}

/**
 * The value of the one sample `name` with these labels (among others). A
 * missing series fails, naming it: read as 0, a check for 0 would pass on a
 * metric that is not there at all.
 */
export function sampleValue(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  const sample = findSample(exposition, name, labels);
  if (sample === undefined) throw new Error(`no series ${name}${JSON.stringify(labels)} in the exposition`);
  return sample.value;
}

/** The same, 0 when there is none yet: for a scrape before the fact, as a labelled counter appears once first counted. */
export function sampleValueOrZero(exposition: Exposition, name: string, labels: Record<string, string> = {}): number {
  return findSample(exposition, name, labels)?.value ?? 0;
}

function findSample(exposition: Exposition, name: string, labels: Record<string, string>): Sample | undefined {
  const found = exposition.samples.filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${name} ${JSON.stringify(labels)} matches ${found.length} samples`);
  return found[0];
}
