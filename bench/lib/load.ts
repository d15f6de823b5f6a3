/**
 * One measured run: autocannon against a server for one scenario and
 * concurrency after a warm-up, with the server's CPU per request and how
 * much of the machine other processes took meanwhile.
 */
import autocannon from 'autocannon';
import { trackLoad } from './cleanup.js';
import { cpuSnapshot, databasePids, otherLoad, processTicks, TICKS_PER_SECOND } from './cpu.js';
import type { Settings } from './options.js';
import { rssMb, type Server } from './processes.js';
import { progress } from './progress.js';
import type { Run, Side } from './report.js';
import type { Scenario } from './scenarios.js';

/** What every run of a benchmark shares. */
export interface LoadContext {
  settings: Settings;
  authorization: string;
  cards: number;
}

async function load(
  server: Server,
  scenario: Scenario,
  connections: number,
  seconds: number,
  context: LoadContext,
): Promise<autocannon.Result> {
  const instance = autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections,
    duration: seconds,
    timeout: 10,
    headers: { authorization: context.authorization, ...(scenario.json && { 'content-type': 'application/json' }) },
    requests: scenario.requests(context.cards),
  });
  trackLoad(instance);
  try {
    return await instance;
  } finally {
    trackLoad(undefined);
  }
}

/** Load that is not measured (settings.warmup seconds; none when that is 0). */
export async function warmUp(
  server: Server,
  scenario: Scenario,
  connections: number,
  context: LoadContext,
): Promise<void> {
  if (context.settings.warmup > 0) await load(server, scenario, connections, context.settings.warmup, context);
}

/** `label` names the server in the progress line (the side when absent), padded to 8 characters or more. */
export async function measure(
  server: Server,
  side: Side,
  scenario: Scenario,
  connections: number,
  round: number,
  context: LoadContext,
  label: string = side,
): Promise<Run> {
  const { settings } = context;
  await warmUp(server, scenario, connections, context);
  const pids = [process.pid, server.child.pid, ...databasePids()];
  const before = cpuSnapshot(pids);
  const serverTicks = processTicks(server.child.pid!);
  const result = await load(server, scenario, connections, settings.duration, context);
  const serverSeconds = (processTicks(server.child.pid!) - serverTicks) / TICKS_PER_SECOND;
  const otherCpu = otherLoad(before, cpuSnapshot(pids));
  if (server.child.exitCode !== null) throw new Error(`${label.trimEnd()} exited during ${scenario.title}`);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = count;
  const run: Run = {
    scenario: scenario.key,
    connections,
    side,
    round,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    statusCodes,
    rssMb: rssMb(server.child.pid),
    otherCpu,
    cpuUsPerRequest: result.requests.total > 0 ? (serverSeconds * 1e6) / result.requests.total : Number.NaN,
  };
  const failed =
    run.non2xx + run.errors > 0 ? `  ${run.non2xx} non-2xx, ${run.errors} errors ${JSON.stringify(statusCodes)}` : '';
  progress(
    `${scenario.title}, c=${connections}, round ${round}/${settings.rounds}, ${label.padEnd(8)} ` +
      `${Math.round(run.rps).toLocaleString('en-US').padStart(7)} req/s  p50 ${run.p50} ms  p99 ${run.p99} ms  CPU ${run.cpuUsPerRequest.toFixed(0)} µs/req  RSS ${run.rssMb.toFixed(0)} MB  other CPU ${(otherCpu * 100).toFixed(0)} %${failed}`,
  );
  return run;
}
