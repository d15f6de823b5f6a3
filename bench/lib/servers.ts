/**
 * Starting the servers under test on their defaults, timing spawn → first
 * authenticated 200 (cold start), with the CPU and memory that took.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROJECT_ROOT } from '../load-data.js';
import { processTicks, TICKS_PER_SECOND } from './cpu.js';
import { freePort, rssMb, startServer, stopServer, waitUntilServing, type Server } from './processes.js';
import { progress } from './progress.js';
import type { ColdStart, Side } from './report.js';

/** The a2gen service of a built checkout (this one, or the one --compare names). */
export const a2genMain = (checkoutDir: string) => path.join(checkoutDir, 'dist/runtime/main.js');
export const BASELINE_MAIN = path.join(PROJECT_ROOT, 'dist/bench/baseline/server.js');

/** Node flags for the children from an environment variable (A2B_BENCH_NODE_ARGS, …). */
export function nodeArgsFrom(variable: string): string[] {
  return (process.env[variable] ?? '').split(/\s+/).filter(Boolean);
}

export interface ServerSpec {
  side: Side;
  /** The name in progress lines; the side when absent. */
  label?: string;
  args: string[];
  env: Record<string, string>;
}

export interface Started {
  server: Server;
  /** Wall time from spawn to the first answer of any kind. */
  listening: number;
  /** Wall time from spawn to the first authenticated 200. */
  seconds: number;
  /** CPU time the child used until then: what the start costs, however busy the machine is. */
  cpuSeconds: number;
  rssMb: number;
}

/** The parent's environment without anything that would configure a2gen: the children run on defaults. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      key.startsWith('A2B_') ||
      key.startsWith('npm_') ||
      ['PORT', 'HOST', 'NODE_OPTIONS', 'DATABASE_URL'].includes(key)
    )
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

export async function start(spec: ServerSpec, workDir: string, authorization: string): Promise<Started> {
  const port = await freePort();
  const cwd = path.join(workDir, `${spec.side}-cwd`);
  mkdirSync(cwd, { recursive: true });
  const startedAt = performance.now();
  const server = startServer({
    name: spec.side,
    args: spec.args,
    env: childEnv({ ...spec.env, PORT: String(port), HOST: '127.0.0.1' }),
    cwd,
    port,
    logFile: path.join(workDir, `${spec.side}.log`),
  });
  const { listening, ready: seconds } = await waitUntilServing(server, '/api/card/1/', authorization, startedAt);
  return {
    server,
    listening,
    seconds,
    cpuSeconds: processTicks(server.child.pid!) / TICKS_PER_SECOND,
    rssMb: rssMb(server.child.pid),
  };
}

/** Starts each server `times` times in turn (a2gen, baseline, a2gen, …); the last instance of each keeps running. */
export async function coldStarts(
  specs: ServerSpec[],
  times: number,
  workDir: string,
  authorization: string,
): Promise<{ servers: Map<Side, Server>; results: ColdStart[] }> {
  const results = new Map<Side, ColdStart>(
    specs.map((spec) => [spec.side, { side: spec.side, listening: [], seconds: [], cpuSeconds: [], rssMb: [] }]),
  );
  const servers = new Map<Side, Server>();
  for (let round = 1; round <= times; round++) {
    for (const spec of specs) {
      const started = await start(spec, workDir, authorization);
      const entry = results.get(spec.side)!;
      entry.listening.push(started.listening);
      entry.seconds.push(started.seconds);
      entry.cpuSeconds.push(started.cpuSeconds);
      entry.rssMb.push(started.rssMb);
      progress(
        `cold start ${round}/${times} ${spec.label ?? spec.side}: answering after ${started.listening.toFixed(3)} s, ` +
          `first authenticated 200 after ${started.seconds.toFixed(3)} s ` +
          `(${started.cpuSeconds.toFixed(2)} s of CPU), RSS ${started.rssMb.toFixed(0)} MB`,
      );
      if (round < times) await stopServer(started.server);
      else servers.set(spec.side, started.server);
    }
  }
  return { servers, results: [...results.values()] };
}
