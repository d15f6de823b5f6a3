/**
 * --compare: this checkout's a2gen, another built checkout's ("before") and
 * the baseline on one database, interleaved in each round, so a re-cut is
 * judged against the commit before it at the same hour on the same machine.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../load-data.js';
import { compareReport, type ComparedSide } from './compare-report.js';
import { measure, warmUp, type LoadContext } from './load.js';
import { describeCommit, machine, shortCommit } from './machine.js';
import type { BenchOptions } from './options.js';
import { parity } from './parity.js';
import { rssMb, stopServer } from './processes.js';
import { progress } from './progress.js';
import type { Run } from './report.js';
import { a2genMain, BASELINE_MAIN, coldStarts, nodeArgsFrom, type ServerSpec } from './servers.js';
import { schemaSizeFigures } from './schema-sizes.js';
import { prepare } from './setup.js';

export const COMPARE_RESULTS_FILE = path.join(PROJECT_ROOT, 'bench/compare-results.md');

const SIDES: readonly ComparedSide[] = ['a2gen', 'before', 'baseline'];

/**
 * The order of the servers in a round: a2gen, before, baseline, then rotated by one for each round and each
 * scenario × concurrency cell, so that even a one-round (quick) run does not always time the same server first.
 */
function runOrder(turn: number): ComparedSide[] {
  const shift = turn % SIDES.length;
  return [...SIDES.slice(shift), ...SIDES.slice(0, shift)];
}

export async function runComparison(options: BenchOptions, beforeDir: string, workDir: string): Promise<void> {
  const { settings, scenarios } = options;
  const beforeMain = a2genMain(beforeDir); // readOptions checked it exists
  const labels: Record<ComparedSide, string> = {
    a2gen: 'a2gen',
    before: `before@${shortCommit(beforeDir) ?? path.basename(beforeDir)}`,
    baseline: 'baseline',
  };
  const checkouts = {
    a2gen: `${describeCommit(PROJECT_ROOT)} (${PROJECT_ROOT})`,
    before: `${describeCommit(beforeDir)} (${beforeDir})`,
  };
  progress(`--compare: a2gen is this checkout, ${checkouts.a2gen}; ${labels.before} is ${checkouts.before}`);

  const loadRuns = scenarios.length * settings.concurrencies.length * settings.rounds * SIDES.length;
  const { otherAtStart, password, authorization, database } = await prepare(options, loadRuns);
  const cards = database.cards;
  const context: LoadContext = { settings, authorization, cards };

  // Both a2gens alike: the same node flags, the same environment, the same database.
  const nodeArgs = nodeArgsFrom('A2B_BENCH_NODE_ARGS');
  const a2genEnv = { ...options.a2genEnv, A2B_DATABASE_URL: database.url };
  const specs: ServerSpec[] = [
    { side: 'a2gen', args: [...nodeArgs, a2genMain(PROJECT_ROOT)], env: a2genEnv },
    { side: 'before', label: labels.before, args: [...nodeArgs, beforeMain], env: a2genEnv },
    {
      side: 'baseline',
      args: [...nodeArgsFrom('A2B_BENCH_BASELINE_NODE_ARGS'), BASELINE_MAIN],
      env: { DATABASE_URL: database.url },
    },
  ];
  const { servers: started, results: cold } = await coldStarts(specs, settings.coldStarts, workDir, authorization);
  const servers = new Map(SIDES.map((side) => [side, started.get(side)!]));
  const server = (side: ComparedSide) => servers.get(side)!;

  const problems = [
    ...(await parity(server('a2gen'), server('baseline'), authorization, cards)).map(
      (problem) => `a2gen vs baseline: ${problem}`,
    ),
    ...(await parity(server('a2gen'), server('before'), authorization, cards, ['a2gen', labels.before])).map(
      (problem) => `a2gen vs before: ${problem}`,
    ),
  ];
  if (problems.length === 0) progress('JSON parity: the three servers answer the same JSON for the checked requests');
  else progress(`JSON parity: ${problems.length} difference(s):\n  ${problems.join('\n  ')}`);

  // Same-commit quick runs timed the very first load of the run (a2gen's) at a third to two thirds of the
  // same build's rate, whatever its own warm-up: one untimed load of every server first spares whichever goes first.
  for (const side of SIDES) await warmUp(server(side), scenarios[0]!, settings.concurrencies[0]!, context);
  progress('warmed up the three servers once before the measured runs');

  const runs: Run[] = [];
  const labelWidth = Math.max(...SIDES.map((side) => labels[side].length)); // aligned progress lines
  let cell = 0;
  for (const scenario of scenarios) {
    for (const connections of settings.concurrencies) {
      for (let round = 1; round <= settings.rounds; round++) {
        for (const side of runOrder(cell + round - 1)) {
          runs.push(
            await measure(server(side), side, scenario, connections, round, context, labels[side].padEnd(labelWidth)),
          );
        }
      }
      cell++;
    }
  }
  const rssAfter = {
    a2gen: rssMb(server('a2gen').child.pid),
    before: rssMb(server('before').child.pid),
    baseline: rssMb(server('baseline').child.pid),
  };
  progress(`RSS after the load: ${SIDES.map((side) => `${labels[side]} ${rssAfter[side].toFixed(0)} MB`).join(', ')}`);
  for (const side of SIDES) await stopServer(server(side));

  // Start and memory of both checkouts with their own tables and with every A2Billing table (issue 16).
  const footprint = options.footprint
    ? await schemaSizeFigures(
        [
          { side: 'a2gen', label: 'a2gen', dir: PROJECT_ROOT },
          { side: 'before', label: labels.before, dir: beforeDir },
        ],
        options,
        database.url,
        password,
        authorization,
        workDir,
      )
    : [];

  const info = { ...machine(database.version, PROJECT_ROOT), 'before commit': describeCommit(beforeDir) };
  const report = compareReport(
    { options, runs, cold, rssAfter, labels, checkouts, problems, footprint },
    info,
    otherAtStart,
  );
  console.log(report.text);
  writeFileSync(COMPARE_RESULTS_FILE, report.markdown);
  progress(`wrote ${path.relative(process.cwd(), COMPARE_RESULTS_FILE)} (results.md left as it was)`);
}
