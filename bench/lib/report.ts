/**
 * Medians of the runs, the ratio table, the targets of issue 5, the cold
 * start table; as terminal text or markdown.
 */
import type { Scenario } from './scenarios.js';

/** 'before': the other checkout that --compare names. */
export type Side = 'a2gen' | 'baseline' | 'embedded' | 'before';

export interface Run {
  scenario: string;
  connections: number;
  side: Side;
  round: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  rssMb: number;
  /** Share of the machine's CPU that other processes used during the run (0 … 1). */
  otherCpu: number;
  /** CPU time of the server process per completed request, in µs: steady even when the machine is shared. */
  cpuUsPerRequest: number;
}

export interface Cell {
  scenario: Scenario;
  connections: number;
  side: Side;
  runs: Run[];
  rps: number;
  p50: number;
  p99: number;
  cpuUsPerRequest: number;
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
  rssMb: number;
}

export interface ColdStart {
  side: Side;
  listening: number[];
  seconds: number[];
  cpuSeconds: number[];
  rssMb: number[];
}

export interface Target {
  name: string;
  wanted: string;
  measured: string;
  /** The verdict as issue 5 defines it (req/s ratios, wall-clock times). */
  pass: boolean;
  /**
   * The same target judged on CPU time (server CPU per request, CPU time to ready), which other
   * processes on the machine hardly move; undefined where there is no CPU form.
   */
  cpuPass?: boolean;
}

export function median(values: number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export function cellOf(scenario: Scenario, connections: number, side: Side, runs: Run[]): Cell | undefined {
  const mine = runs.filter(
    (run) => run.scenario === scenario.key && run.connections === connections && run.side === side,
  );
  if (mine.length === 0) return undefined;
  const statusCodes: Record<string, number> = {};
  for (const run of mine) {
    for (const [code, count] of Object.entries(run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + count;
  }
  return {
    scenario,
    connections,
    side,
    runs: mine,
    rps: median(mine.map((run) => run.rps)),
    p50: median(mine.map((run) => run.p50)),
    p99: median(mine.map((run) => run.p99)),
    cpuUsPerRequest: median(mine.map((run) => run.cpuUsPerRequest)),
    errors: mine.reduce((sum, run) => sum + run.errors, 0),
    non2xx: mine.reduce((sum, run) => sum + run.non2xx, 0),
    statusCodes,
    rssMb: Math.max(...mine.map((run) => run.rssMb)),
  };
}

/** Cell formatting, shared with the --compare report. */
export const number = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
export const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');
export const otherCpu = (runs: Run[]) =>
  runs.length > 0 ? fixed(Math.max(...runs.map((run) => run.otherCpu)) * 100, 0) : 'n/a';
export const latency = (cell: Cell | undefined) => (cell ? `${cell.p50} / ${cell.p99}` : 'n/a');
export const failures = (cell: Cell | undefined) => {
  if (!cell) return 'n/a';
  const codes = Object.entries(cell.statusCodes)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, count]) => `${count}×${code}`);
  return `${cell.non2xx}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}${cell.errors > 0 ? ` + ${cell.errors} err` : ''}`;
};

export interface Table {
  header: string[];
  rows: string[][];
}

export function comparisonTable(scenarios: readonly Scenario[], concurrencies: number[], runs: Run[]): Table {
  const header = [
    'scenario',
    'c',
    'a2gen req/s',
    'baseline req/s',
    'ratio',
    'a2gen p50/p99 ms',
    'baseline p50/p99 ms',
    'a2gen non-2xx',
    'baseline non-2xx',
    'CPU µs/req a2gen / baseline',
    'CPU ratio',
    'other CPU, max %',
  ];
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const connections of concurrencies) {
      const a = cellOf(scenario, connections, 'a2gen', runs);
      const b = cellOf(scenario, connections, 'baseline', runs);
      if (!a && !b) continue;
      rows.push([
        scenario.title,
        String(connections),
        number(a?.rps ?? Number.NaN),
        number(b?.rps ?? Number.NaN),
        fixed((a?.rps ?? Number.NaN) / (b?.rps ?? Number.NaN)),
        latency(a),
        latency(b),
        failures(a),
        failures(b),
        `${fixed(a?.cpuUsPerRequest ?? Number.NaN, 0)} / ${fixed(b?.cpuUsPerRequest ?? Number.NaN, 0)}`,
        fixed((b?.cpuUsPerRequest ?? Number.NaN) / (a?.cpuUsPerRequest ?? Number.NaN)),
        otherCpu([...(a?.runs ?? []), ...(b?.runs ?? [])]),
      ]);
    }
  }
  return { header, rows };
}

export function embeddedTable(scenarios: readonly Scenario[], runs: Run[]): Table {
  const header = [
    'scenario',
    'c',
    'a2gen (SQLite) req/s',
    'p50/p99 ms',
    'non-2xx',
    'CPU µs/req',
    'RSS after, MB',
    'other CPU, max %',
  ];
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    const cell = cellOf(scenario, 10, 'embedded', runs);
    if (!cell) continue;
    rows.push([
      scenario.title,
      '10',
      number(cell.rps),
      latency(cell),
      failures(cell),
      fixed(cell.cpuUsPerRequest, 0),
      fixed(cell.rssMb, 0),
      otherCpu(cell.runs),
    ]);
  }
  return { header, rows };
}

/** The targets of issue 5, judged on this run. */
export function targets(
  scenarios: readonly Scenario[],
  concurrencies: number[],
  runs: Run[],
  coldStart: ColdStart | undefined,
  rss: { a2gen: number; baseline: number },
): Target[] {
  const list: Target[] = [];
  const ratioTarget = (kind: Scenario['kind'], minimum: number, label: string) => {
    for (const scenario of scenarios.filter((candidate) => candidate.kind === kind)) {
      for (const connections of concurrencies) {
        const a = cellOf(scenario, connections, 'a2gen', runs);
        const b = cellOf(scenario, connections, 'baseline', runs);
        if (!a || !b) continue;
        const ratio = a.rps / b.rps;
        const cpuRatio = b.cpuUsPerRequest / a.cpuUsPerRequest;
        list.push({
          name: `${label}: ${scenario.title}, c=${connections}`,
          wanted: `≥ ${minimum} × baseline`,
          measured: `${fixed(ratio)} × (CPU ratio ${fixed(cpuRatio)})`,
          pass: ratio >= minimum,
          cpuPass: cpuRatio >= minimum,
        });
      }
    }
  };
  ratioTarget('get-one', 0.9, 'GET one');
  ratioTarget('get-page', 0.9, 'GET page');
  ratioTarget('filtered', 0.85, 'filtered list');
  ratioTarget('write', 0.8, 'writes');

  const a2genRuns = runs.filter((run) => run.side === 'a2gen');
  const bad = a2genRuns.reduce((sum, run) => sum + run.non2xx + run.errors, 0);
  list.push({
    name: 'no failed responses (a2gen, every scenario)',
    wanted: '0 non-2xx, 0 errors',
    measured: `${bad}`,
    pass: a2genRuns.length > 0 && bad === 0,
  });

  const getOne = scenarios.find((scenario) => scenario.kind === 'get-one');
  const getOneCell = getOne && cellOf(getOne, 10, 'a2gen', runs);
  if (getOneCell) {
    list.push({
      name: 'GET one p99 at c=10 (a2gen)',
      wanted: '< 5 ms',
      measured: `${getOneCell.p99} ms`,
      pass: getOneCell.p99 < 5,
    });
  }
  list.push({
    name: 'RSS after the load (a2gen, MySQL)',
    wanted: '< 120 MB',
    measured: `${fixed(rss.a2gen, 0)} MB (baseline ${fixed(rss.baseline, 0)} MB)`,
    pass: rss.a2gen < 120,
  });
  if (coldStart) {
    const seconds = median(coldStart.seconds);
    list.push({
      name: 'ready to serve after start (a2gen, MySQL)',
      wanted: '< 0.5 s',
      measured: `${fixed(seconds, 3)} s (${fixed(median(coldStart.cpuSeconds), 2)} s of CPU; answering after ${fixed(median(coldStart.listening), 3)} s)`,
      pass: seconds < 0.5,
      cpuPass: median(coldStart.cpuSeconds) < 0.5,
    });
  }
  return list;
}

/** `labels` renames sides in the first column (say, before → before@1a2b3c4). */
export function coldStartTable(coldStarts: ColdStart[], labels: Partial<Record<Side, string>> = {}): Table {
  return {
    header: [
      'server',
      'spawn → first answer',
      'spawn → first authenticated 200, median (each)',
      'CPU used by then',
      'RSS then, MB',
    ],
    rows: coldStarts.map((entry) => [
      labels[entry.side] ?? (entry.side === 'embedded' ? 'a2gen (SQLite)' : entry.side),
      `${fixed(median(entry.listening), 3)} s`,
      `${fixed(median(entry.seconds), 3)} s (${entry.seconds.map((value) => fixed(value, 3)).join(', ')})`,
      `${fixed(median(entry.cpuSeconds), 2)} s`,
      fixed(median(entry.rssMb), 0),
    ]),
  };
}

export function targetTable(list: Target[]): Table {
  return {
    header: ['target', 'wanted', 'measured', 'verdict', 'on CPU time'],
    rows: list.map((target) => [
      target.name,
      target.wanted,
      target.measured,
      target.pass ? 'PASS' : 'FAIL',
      target.cpuPass === undefined ? '' : target.cpuPass ? 'PASS' : 'FAIL',
    ]),
  };
}

/** Aligned plain text for the terminal. */
export function textTable(table: Table): string {
  const widths = table.header.map((cell, index) =>
    Math.max(cell.length, ...table.rows.map((row) => row[index]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index]!))
      .join('  ')
      .trimEnd();
  return [line(table.header), line(widths.map((width) => '-'.repeat(width))), ...table.rows.map(line)].join('\n');
}

export function markdownTable(table: Table): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${table.header.map(escape).join(' | ')} |`,
    `|${table.header.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}
