/**
 * The --compare report: this checkout's a2gen and the "before" checkout, each
 * against the baseline and against each other, judged by the 5 % rule (no
 * benchmark ratio more than 5 % worse: a2gen ÷ before ≥ 0.95), with the text
 * of bench/compare-results.md.
 */
import { footprintMarkdown, footprintText, type Footprint } from './footprint.js';
import type { BenchOptions } from './options.js';
import {
  cellOf,
  coldStartTable,
  failures,
  fixed,
  latency,
  markdownTable,
  median,
  number,
  otherCpu,
  textTable,
  type ColdStart,
  type Run,
  type Side,
  type Table,
} from './report.js';
import type { Scenario } from './scenarios.js';

/** a2gen ÷ before at or above this passes: at most 5 % worse. */
export const MIN_RATIO_TO_BEFORE = 0.95;

export type ComparedSide = 'a2gen' | 'before' | 'baseline';

export interface Comparison {
  options: BenchOptions;
  runs: Run[];
  cold: ColdStart[];
  rssAfter: Record<ComparedSide, number>;
  /** How each side is named in the report (before → before@<short commit>). */
  labels: Record<ComparedSide, string>;
  /** One line per checkout: what "a2gen" and "before" are. */
  checkouts: { a2gen: string; before: string };
  problems: string[];
  /** Start and memory per schema size of both checkouts; empty with --skip-footprint. */
  footprint: Footprint[];
}

export interface ScenarioVerdict {
  scenario: Scenario;
  /** a2gen ÷ before req/s, and before ÷ a2gen CPU µs/req (above 1: a2gen spends less), per concurrency. */
  ratios: { connections: number; rps: number; cpu: number }[];
  /** Non-2xx answers and errors of this checkout's a2gen: faster failures must not pass as a speed-up. */
  failed: number;
  pass: boolean;
  cpuPass: boolean;
}

function throughputTable(scenarios: readonly Scenario[], concurrencies: number[], runs: Run[]): Table {
  const header = [
    'scenario',
    'c',
    'a2gen req/s',
    'before req/s',
    'baseline req/s',
    'a2gen ÷ baseline',
    'before ÷ baseline',
    'a2gen ÷ before',
    'CPU µs/req a2gen / before / baseline',
    'CPU ratio a2gen vs before',
    'p50/p99 ms a2gen, before',
    'non-2xx a2gen / before / baseline',
    'other CPU, max %',
  ];
  const rows: string[][] = [];
  for (const scenario of scenarios) {
    for (const connections of concurrencies) {
      const [a, b, base] = (['a2gen', 'before', 'baseline'] as const).map((side) =>
        cellOf(scenario, connections, side, runs),
      );
      if (!a && !b && !base) continue;
      const rps = (cell: typeof a) => cell?.rps ?? Number.NaN;
      const cpu = (cell: typeof a) => cell?.cpuUsPerRequest ?? Number.NaN;
      rows.push([
        scenario.title,
        String(connections),
        number(rps(a)),
        number(rps(b)),
        number(rps(base)),
        fixed(rps(a) / rps(base)),
        fixed(rps(b) / rps(base)),
        fixed(rps(a) / rps(b)),
        `${fixed(cpu(a), 0)} / ${fixed(cpu(b), 0)} / ${fixed(cpu(base), 0)}`,
        fixed(cpu(b) / cpu(a)),
        `${latency(a).replaceAll(' ', '')}, ${latency(b).replaceAll(' ', '')}`,
        `${failures(a)} / ${failures(b)} / ${failures(base)}`,
        otherCpu([...(a?.runs ?? []), ...(b?.runs ?? []), ...(base?.runs ?? [])]),
      ]);
    }
  }
  return { header, rows };
}

export function scenarioVerdicts(
  scenarios: readonly Scenario[],
  concurrencies: number[],
  runs: Run[],
): ScenarioVerdict[] {
  return scenarios.map((scenario) => {
    const ratios = concurrencies.map((connections) => {
      const a = cellOf(scenario, connections, 'a2gen', runs);
      const b = cellOf(scenario, connections, 'before', runs);
      return {
        connections,
        rps: (a?.rps ?? Number.NaN) / (b?.rps ?? Number.NaN),
        cpu: (b?.cpuUsPerRequest ?? Number.NaN) / (a?.cpuUsPerRequest ?? Number.NaN),
      };
    });
    const mine = runs.filter((run) => run.scenario === scenario.key && run.side === 'a2gen');
    const failed = mine.reduce((sum, run) => sum + run.non2xx + run.errors, 0);
    // NaN (a cell without runs) compares false: no figure is no pass.
    const pass = failed === 0 && ratios.every((ratio) => ratio.rps >= MIN_RATIO_TO_BEFORE);
    const cpuPass = failed === 0 && ratios.every((ratio) => ratio.cpu >= MIN_RATIO_TO_BEFORE);
    return { scenario, ratios, failed, pass, cpuPass };
  });
}

function verdictLine(verdict: ScenarioVerdict): string {
  const rps = verdict.ratios.map((ratio) => `${fixed(ratio.rps)} (c=${ratio.connections})`).join(', ');
  const cpu = verdict.ratios.map((ratio) => fixed(ratio.cpu)).join(', ');
  const failed = verdict.failed > 0 ? ` (a2gen: ${verdict.failed} failed responses)` : '';
  return `${verdict.scenario.title}: a2gen ÷ before ${rps}: ${verdict.pass ? 'PASS' : 'FAIL'}${failed}; on CPU time ${cpu}: ${verdict.cpuPass ? 'PASS' : 'FAIL'}`;
}

/** Cold start and memory of the two checkouts side by side. */
function startAndMemoryTable(comparison: Comparison): Table {
  const { runs, rssAfter } = comparison;
  const coldOf = (side: Side) => comparison.cold.find((entry) => entry.side === side);
  const peak = (side: ComparedSide) =>
    Math.max(rssAfter[side], ...runs.filter((run) => run.side === side).map((run) => run.rssMb));
  const rows: [string, (side: ComparedSide) => number, (value: number) => string][] = [
    [
      'spawn → first authenticated 200, median',
      (side) => median(coldOf(side)?.seconds ?? []),
      (value) => `${fixed(value, 3)} s`,
    ],
    ['CPU used by then, median', (side) => median(coldOf(side)?.cpuSeconds ?? []), (value) => `${fixed(value, 2)} s`],
    ['RSS when ready, median', (side) => median(coldOf(side)?.rssMb ?? []), (value) => `${fixed(value, 0)} MB`],
    ['RSS after the load', (side) => rssAfter[side], (value) => `${fixed(value, 0)} MB`],
    ['RSS, most after any run', peak, (value) => `${fixed(value, 0)} MB`],
  ];
  return {
    header: ['measure', 'a2gen', 'before', 'a2gen ÷ before (above 1: a2gen takes more)', 'baseline'],
    rows: rows.map(([name, value, format]) => [
      name,
      format(value('a2gen')),
      format(value('before')),
      fixed(value('a2gen') / value('before')),
      format(value('baseline')),
    ]),
  };
}

export interface CompareReport {
  text: string;
  markdown: string;
}

export function compareReport(
  comparison: Comparison,
  info: Record<string, string>,
  otherAtStart: number,
): CompareReport {
  const { options, runs, labels, problems } = comparison;
  const { settings, quick, scenarios } = options;
  const throughput = throughputTable(scenarios, settings.concurrencies, runs);
  const verdicts = scenarioVerdicts(scenarios, settings.concurrencies, runs);
  const startAndMemory = startAndMemoryTable(comparison);
  const coldTable = coldStartTable(comparison.cold, labels);
  const passed = verdicts.filter((verdict) => verdict.pass).length;
  const cpuPassed = verdicts.filter((verdict) => verdict.cpuPass).length;
  const busiest = Math.max(0, ...runs.map((run) => run.otherCpu));
  const summary =
    `${passed} of ${verdicts.length} scenario(s) pass the 5 % rule (a2gen ÷ before req/s ≥ ${MIN_RATIO_TO_BEFORE} at every concurrency, ` +
    `no failed responses); on CPU time, ${cpuPassed} of ${verdicts.length}. Other processes took up to ${(busiest * 100).toFixed(0)} % ` +
    `of the machine's CPU during a run` +
    (busiest > 0.1 ? ': req/s figures are disturbed, the CPU verdicts are the steadier ones.' : '.');
  const lines = verdicts.map(verdictLine);
  const who = [
    `a2gen: this checkout, ${comparison.checkouts.a2gen}`,
    `${labels.before}: the checkout --compare names, ${comparison.checkouts.before}`,
  ];
  const parityLine = `JSON parity before the load: ${problems.length === 0 ? 'identical answers for every checked request.' : `${problems.length} difference(s):`}`;

  const text = [
    `\nthis checkout's a2gen against ${labels.before} and the baseline (medians of ${settings.rounds} interleaved run(s) of ${settings.duration} s)`,
    ...who.map((line) => `  ${line}`),
    '',
    textTable(throughput),
    `\n5 % rule: ${summary}\n`,
    ...lines.map((line) => `  ${line}`),
    `\ncold start and memory\n\n${textTable(startAndMemory)}\n\n${textTable(coldTable)}\n`,
    ...(comparison.footprint.length > 0
      ? [`start and memory per schema size\n\n${footprintText(comparison.footprint)}\n`]
      : []),
  ].join('\n');

  const markdown = [
    '# a2gen against an earlier checkout',
    '',
    `Written by \`${options.command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC ` +
      `(${quick ? 'quick mode: one short round, indicative only' : 'full mode'}): ${settings.rounds} round(s) of ${settings.duration} s per ` +
      `server and cell after a ${settings.warmup} s warm-up, interleaved a2gen, before, baseline (the order rotates each round and each scenario × concurrency); ` +
      'every figure is the median of the rounds (non-2xx: the sum). The three servers share one database, the machine and the load ' +
      'generator (autocannon, in the bench process); loopback only.',
    '',
    ...who.map((line) => `- ${line}`),
    '',
    '## The 5 % rule',
    '',
    summary,
    '',
    ...lines.map((line) => `- ${line}`),
    '',
    '## Throughput',
    '',
    "Ratios of req/s medians; a2gen ÷ before is the same as a2gen's ratio to the baseline divided by before's. CPU µs/req: " +
      'user + system CPU time of the server process per completed request; CPU ratio a2gen vs before = before ÷ a2gen ' +
      '(above 1: a2gen spends less), steadier than req/s when other processes share the machine. Latencies in ms.',
    '',
    markdownTable(throughput),
    '',
    parityLine,
    ...problems.map((problem) => `- ${problem}`),
    '',
    '## Cold start and memory',
    '',
    'Cold start: spawning `node` to the first `200` for an authenticated `GET /api/card/1/`, with the CPU used by then. ' +
      'RSS when ready jumps between about 92 and 124 MB from one start of the same build to the next (measured: ten ' +
      'alternating starts of two checkouts of one commit): a difference of that size between single starts (quick mode) ' +
      'says nothing; look at the medians of a full run (three starts each) and at RSS after the load.',
    '',
    markdownTable(startAndMemory),
    '',
    markdownTable(coldTable),
    '',
    ...(comparison.footprint.length > 0 ? footprintMarkdown(comparison.footprint) : []),
    '## Machine',
    '',
    ...Object.entries(info).map(([key, value]) => `- ${key}: ${value}`),
    `- other processes' share of the CPU just before the run: ${(otherAtStart * 100).toFixed(0)} %`,
    '',
  ].join('\n');
  return { text, markdown };
}
