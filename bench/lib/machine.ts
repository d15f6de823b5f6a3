/**
 * The machine a run happened on (for the results files) and how busy it is:
 * on a shared box the figures only mean something next to those.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { cpuSnapshot, databasePids, otherLoad } from './cpu.js';
import { progress } from './progress.js';

function git(checkoutDir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd: checkoutDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined; // not a git checkout
  }
}

/** `git describe --always --dirty` of a checkout, or 'unknown'. */
export function describeCommit(checkoutDir: string): string {
  return git(checkoutDir, ['describe', '--always', '--dirty']) ?? 'unknown';
}

/** `git rev-parse --short HEAD` of a checkout, or undefined outside git. */
export function shortCommit(checkoutDir: string): string | undefined {
  return git(checkoutDir, ['rev-parse', '--short', 'HEAD']);
}

export function machine(mariadbVersion: string, checkoutDir: string): Record<string, string> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const meminfo = readFileSync('/proc/meminfo', 'utf8');
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(meminfo)?.[1] ?? 0);
  return {
    CPUs: `${os.availableParallelism()} (nproc)`,
    'CPU model': /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown',
    memory: `${(memKb / 1024 / 1024).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    node: process.version,
    MariaDB: mariadbVersion,
    'a2gen commit': describeCommit(checkoutDir),
    'CPU speed probe': `${speedProbeMs().toFixed(0)} ms for 10⁸ additions in one thread (lower is faster; it tells runs on a slow hour of a shared machine from runs on a quick one)`,
  };
}

/** Wall time of a fixed piece of single-threaded work: the best of three. */
function speedProbeMs(): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = performance.now();
    let sum = 0;
    for (let index = 0; index < 100_000_000; index++) sum += index;
    if (sum < 0) throw new Error('unreachable: keeps the loop from being optimised away');
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

async function sampleOtherLoad(seconds: number): Promise<number> {
  const pids = [process.pid, ...databasePids()];
  const before = cpuSnapshot(pids);
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  return otherLoad(before, cpuSnapshot(pids));
}

/** Samples what other processes use; with --wait-idle, waits (up to a limit) until they leave the CPU. */
export async function checkMachine(waitSeconds: number): Promise<number> {
  const deadline = performance.now() + waitSeconds * 1000;
  let other = await sampleOtherLoad(2);
  while (other > 0.1 && performance.now() < deadline) {
    progress(`waiting for an idle machine: other processes use ${(other * 100).toFixed(0)} % of the CPU`);
    other = await sampleOtherLoad(5);
  }
  if (other > 0.1) {
    progress(
      `warning: other processes use ${(other * 100).toFixed(0)} % of the CPU: absolute figures will be low and ratios noisy`,
    );
  }
  return other;
}
