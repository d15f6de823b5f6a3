/**
 * The service as users run it: a child process (`node dist/runtime/main.js`
 * or `a2gen serve`), its output captured, waited for until it says what the
 * test needs (a banner), killed when the test ends.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROJECT_ROOT } from './backends.js';

export interface SpawnedService {
  /** Everything it printed so far, stdout and stderr together. */
  output(): string;
  /** Its exit code once it exits. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export interface SpawnOptions {
  /** Arguments after `node`, relative to the project root: ['dist/runtime/main.js'] by default. */
  args?: readonly string[];
  /** The project the script is relative to: this checkout by default (a scratch copy's directory). */
  root?: string;
  /** Added to this process's environment, after the defaults: port 0 on loopback, the embedded database, no secret. */
  env?: Record<string, string>;
  /** Resolves once the output matches this (or, with `count`, matches it that many times). */
  ready: RegExp;
  count?: number;
  timeoutMs?: number;
}

export async function spawnService(
  t: { teardown(fn: () => unknown): void },
  options: SpawnOptions,
): Promise<SpawnedService> {
  const [script = 'dist/runtime/main.js', ...rest] = options.args ?? [];
  const child = spawn(process.execPath, [path.join(options.root ?? PROJECT_ROOT, script), ...rest], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', A2B_DATABASE_URL: '', A2B_SECRET: '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const global = new RegExp(
    options.ready.source,
    options.ready.flags.includes('g') ? options.ready.flags : `${options.ready.flags}g`,
  );
  const timeoutMs = options.timeoutMs ?? 15_000;
  for (let waited = 0; [...output.matchAll(global)].length < (options.count ?? 1); waited += 50) {
    if (waited > timeoutMs)
      throw new Error(`the service did not print ${options.ready} in ${timeoutMs} ms:\n${output}`);
    await sleep(50);
  }
  return { output: () => output, exited, kill: (signal) => child.kill(signal) };
}
