/**
 * How much of the machine's CPU went to processes outside the benchmark
 * (this process with autocannon, the server under test and MariaDB) while a
 * run lasted: on a shared box, the figure that says whether a run is trustworthy.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface CpuSnapshot {
  busy: number;
  total: number;
  ours: number;
}

function readSafe(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Clock ticks a second in /proc (USER_HZ, 100 on Linux). */
export const TICKS_PER_SECOND = 100;

/** utime + stime of a process, in clock ticks (all its threads). */
export function processTicks(pid: number): number {
  const stat = readSafe(`/proc/${pid}/stat`);
  if (stat === undefined) return 0;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** The database server's pids (mariadbd or mysqld), found by command name. */
export function databasePids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const comm = readSafe(`/proc/${entry}/comm`)?.trim();
    if (comm === 'mariadbd' || comm === 'mysqld') pids.push(Number(entry));
  }
  return pids;
}

export function cpuSnapshot(pids: readonly (number | undefined)[]): CpuSnapshot {
  const line = readSafe('/proc/stat')?.split('\n')[0] ?? 'cpu 0 0 0 0';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  let ours = 0;
  for (const pid of pids) if (pid !== undefined) ours += processTicks(pid);
  return { busy, total: busy + idle + iowait, ours };
}

/** Share of the whole machine's CPU (0 … 1) used by other processes between two snapshots. */
export function otherLoad(before: CpuSnapshot, after: CpuSnapshot): number {
  const total = after.total - before.total;
  if (total <= 0) return 0;
  return Math.max(0, (after.busy - before.busy - (after.ours - before.ours)) / total);
}
