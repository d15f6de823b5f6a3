/** The text of bench/results.md: a2gen against the baseline, the targets of issue 5, cold start, SQLite. */
import { footprintMarkdown, type Footprint } from './footprint.js';
import type { BenchOptions } from './options.js';
import { markdownTable, targetTable, type Table, type Target } from './report.js';

export interface ResultsPage {
  options: BenchOptions;
  info: Record<string, string>;
  otherAtStart: number;
  cards: number;
  comparison: Table;
  problems: string[];
  rssAfter: { a2gen: number; baseline: number };
  rssPeak: { a2gen: number; baseline: number };
  verdicts: string;
  targetList: Target[];
  coldTable: Table;
  embedded: Table;
  /** Start and memory per schema size; empty with --skip-footprint. */
  footprint: Footprint[];
}

export function resultsMarkdown(page: ResultsPage): string {
  const { options, info, problems, rssAfter, rssPeak } = page;
  const { settings, quick } = options;
  return [
    '# a2gen benchmark results',
    '',
    `Written by \`${options.command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC ` +
      `(${quick ? 'quick mode: one short round, indicative only' : 'full mode'}): ${settings.rounds} round(s) of ${settings.duration} s per ` +
      `server and cell after a ${settings.warmup} s warm-up, interleaved a2gen, baseline, a2gen, …; every figure is the median of the rounds ` +
      '(non-2xx: the sum). Load generator (autocannon, in the bench process), MariaDB and both servers share the machine; loopback only.',
    '',
    '## Machine',
    '',
    ...Object.entries(info).map(([key, value]) => `- ${key}: ${value}`),
    `- other processes' share of the CPU just before the run: ${(page.otherAtStart * 100).toFixed(0)} % ` +
      '(the "other CPU" columns give the most seen during any run of a row: anything above a few % makes that row noisy)',
    '',
    '## a2gen (MariaDB) against the hand-written baseline',
    '',
    `Same database (${page.cards.toLocaleString('en-US')} cards), same requests, HTTP Basic auth on every request. a2gen runs with its defaults ` +
      '(`A2B_LOG_LEVEL` info: one access log line per request, written in 4 KB blocks, to a file); the baseline ' +
      '(`bench/baseline/`: Fastify 5, mysql2 `execute`, response schemas, cached scrypt Basic auth) logs warnings and errors only. ' +
      'Ratio = a2gen req/s ÷ baseline req/s. Latencies in ms (autocannon resolution: 1 ms). CPU µs/req: user + system CPU ' +
      'time of the server process per completed request (/proc/<pid>/stat); CPU ratio = baseline ÷ a2gen (above 1: a2gen ' +
      'spends less). Unlike req/s, it hardly moves when other processes share the machine.',
    '',
    markdownTable(page.comparison),
    '',
    `JSON parity before the load: ${problems.length === 0 ? 'identical answers for every checked request.' : `${problems.length} difference(s):`}`,
    ...problems.map((problem) => `- ${problem}`),
    '',
    `RSS after the load: a2gen ${rssAfter.a2gen.toFixed(0)} MB (most after any run ${rssPeak.a2gen.toFixed(0)} MB), ` +
      `baseline ${rssAfter.baseline.toFixed(0)} MB (most ${rssPeak.baseline.toFixed(0)} MB).`,
    '',
    '## Targets (issue 5)',
    '',
    page.verdicts,
    '',
    markdownTable(targetTable(page.targetList)),
    '',
    '## Cold start',
    '',
    'From spawning `node` to the first answer of any kind (a 401 to a request without credentials: the server listens), ' +
      'and to the first `200` for an authenticated `GET /api/card/1/` (polled every 5 ms; includes the scrypt verification ' +
      'of the first request), with the CPU time the server used until then (steady on a busy machine; scrypt and GC ' +
      'threads count, so it can exceed the wall time). The target is judged on the authenticated 200.',
    '',
    markdownTable(page.coldTable),
    '',
    ...(page.footprint.length > 0 ? footprintMarkdown(page.footprint) : []),
    '## Embedded default (SQLite)',
    '',
    'a2gen with no `A2B_DATABASE_URL`: the SQLite file in a temporary `A2B_DATA_DIR`, loaded with the same 10,000 cards. No baseline.',
    '',
    markdownTable(page.embedded),
    '',
  ].join('\n');
}
