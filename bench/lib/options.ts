/** The command line of bench/run.ts (documented in its header comment). */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS as ALL_SCENARIOS, type Scenario } from './scenarios.js';

export interface Settings {
  rounds: number;
  duration: number;
  warmup: number;
  coldStarts: number;
  concurrencies: number[];
}

export interface BenchOptions {
  quick: boolean;
  settings: Settings;
  /** The scenarios to run: all, or those --only names. */
  scenarios: readonly Scenario[];
  /** --only or --a2gen-env: the run cannot stand for the targets, so results.md is left alone. */
  partial: boolean;
  /** Diagnostic settings for the a2gen children (say, A2B_LOG_LEVEL=warn); the targets are judged without any. */
  a2genEnv: Record<string, string>;
  waitIdleSeconds: number;
  /** Off with --skip-footprint: no start and memory figures per schema size (the A2Billing dump, its build). */
  footprint: boolean;
  /** --compare DIR: another built checkout of a2gen, benchmarked as "before" alongside this one. */
  compareDir: string | undefined;
  /** --compare REF: a git commit of this repository, checked out and built for the run as "before". */
  compareRef: string | undefined;
  /** How the run was started, for the results files. */
  command: string;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

export function readOptions(argv: string[] = process.argv.slice(2)): BenchOptions {
  const { values: options } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      'wait-idle': { type: 'string' },
      'a2gen-env': { type: 'string', multiple: true },
      compare: { type: 'string' },
      'skip-footprint': { type: 'boolean', default: false },
    },
  });
  const quick = options.quick ?? false;
  const settings: Settings = {
    rounds: Number(options.rounds ?? (quick ? 1 : 3)),
    duration: Number(options.duration ?? (quick ? 1.5 : 6)),
    warmup: Number(options.warmup ?? (quick ? 0.5 : 2)),
    coldStarts: quick ? 1 : 3,
    concurrencies: [10, 100],
  };
  const only = options.only?.split(',').filter(Boolean);
  const unknownScenarios = (only ?? []).filter((key) => !ALL_SCENARIOS.some((scenario) => scenario.key === key));
  if (unknownScenarios.length > 0) {
    fail(
      `unknown scenario ${unknownScenarios.join(', ')}; known: ${ALL_SCENARIOS.map((scenario) => scenario.key).join(', ')}`,
    );
  }
  const a2genEnv: Record<string, string> = {};
  for (const pair of options['a2gen-env'] ?? []) {
    const separator = pair.indexOf('=');
    if (separator < 1) fail(`--a2gen-env wants KEY=VALUE (got "${pair}")`);
    a2genEnv[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  // A directory is a built checkout; anything else is taken for a git ref (checked when the run starts).
  const isDir = options.compare !== undefined && existsSync(path.resolve(options.compare));
  const compareDir = isDir ? path.resolve(options.compare!) : undefined;
  const compareRef = isDir ? undefined : options.compare;
  if (compareDir !== undefined && !existsSync(path.join(compareDir, 'dist/runtime/main.js'))) {
    fail(
      `--compare: ${compareDir}/dist/runtime/main.js does not exist; build that checkout first (cd ${compareDir} && npx tsc -p tsconfig.json)`,
    );
  }
  return {
    quick,
    settings,
    scenarios: ALL_SCENARIOS.filter((scenario) => only === undefined || only.includes(scenario.key)),
    partial: only !== undefined || Object.keys(a2genEnv).length > 0,
    a2genEnv,
    waitIdleSeconds: Number(options['wait-idle'] ?? 0),
    footprint: !(options['skip-footprint'] ?? false),
    compareDir,
    compareRef,
    command: ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' '),
  };
}
