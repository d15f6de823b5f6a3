/**
 * The servers under test as child processes: spawn with output to a log
 * file, poll until an authenticated request answers 200, read RSS, stop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { request } from './http.js';

export interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  logFile: string;
  exited: Promise<number | null>;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  port: number;
  logFile: string;
}

const running = new Set<Server>();

/** A port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function startServer(options: SpawnOptions): Server {
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const server = { name: options.name, child, port: options.port, logFile: options.logFile, exited };
  running.add(server);
  void exited.then(() => running.delete(server));
  return server;
}

/** Resident memory of a process, in MB, from /proc/<pid>/status. */
export function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

export function logTail(server: Server, lines = 20): string {
  try {
    return readFileSync(server.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface Readiness {
  /** Seconds from spawn to the first HTTP answer of any kind (a 401 to a request without credentials). */
  listening: number;
  /** Seconds from spawn to the first 200 for an authenticated request. */
  ready: number;
}

/**
 * Polls `path` until the server answers at all (without credentials), then
 * with Basic auth until it answers 200. `startedAt` is a performance.now()
 * value taken just before spawning.
 */
export async function waitUntilServing(
  server: Server,
  path: string,
  authorization: string,
  startedAt: number,
  timeoutMs = 30_000,
): Promise<Readiness> {
  let exitCode: number | null | undefined;
  void server.exited.then((code) => (exitCode = code));
  const elapsed = () => (performance.now() - startedAt) / 1000;
  let listening: number | undefined;
  let lastStatus = 'no answer';
  while (performance.now() - startedAt < timeoutMs) {
    if (exitCode !== undefined)
      throw new Error(`${server.name} exited (code ${exitCode}) before serving:\n${logTail(server)}`);
    try {
      const response = await request({
        port: server.port,
        path,
        headers: listening === undefined ? {} : { authorization },
      });
      if (listening === undefined) {
        listening = elapsed();
        continue;
      }
      if (response.status === 200) return { listening, ready: elapsed() };
      lastStatus = `HTTP ${response.status}: ${response.body.slice(0, 200)}`;
      if (response.status === 401 || response.status === 429) {
        throw new Error(`${server.name} refused the benchmark credentials (${lastStatus})`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(
    `${server.name} did not serve ${path} within ${timeoutMs / 1000} s (${lastStatus}):\n${logTail(server)}`,
  );
}

/** SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopServer(server: Server, graceMs = 5000): Promise<void> {
  if (server.child.exitCode !== null || server.child.signalCode !== null) return;
  server.child.kill('SIGTERM');
  const timer = setTimeout(() => server.child.kill('SIGKILL'), graceMs);
  await server.exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => stopServer(server)));
}

/** Last resort on process exit: synchronous kill of whatever is still running. */
export function killAllNow(): void {
  for (const server of running) {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  }
}
