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
  /**
   * A shell command line to run in `root` instead of a node script (`npm start`, as a user types it);
   * its whole process group is killed when the test ends.
   */
  shell?: string;
  /** The project the script is relative to: this checkout by default (a scratch copy's directory). */
  root?: string;
  /** Added to this process's environment, after the defaults: port 0 on loopback, the embedded database, no secret. */
  env?: Record<string, string | undefined>;
  /** Resolves once the output matches this (or, with `count`, matches it that many times). */
  ready: RegExp;
  count?: number;
  timeoutMs?: number;
}

/** SIGKILL to a process group that may have ended already. */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left of it.
  }
}

export async function spawnService(
  t: { teardown(fn: () => unknown): void },
  options: SpawnOptions,
): Promise<SpawnedService> {
  const [script = 'dist/runtime/main.js', ...rest] = options.args ?? [];
  const root = options.root ?? PROJECT_ROOT;
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: '0',
    HOST: '127.0.0.1',
    A2B_DATABASE_URL: '',
    A2B_SECRET: '',
    ...options.env,
  };
  // undefined unsets a default: the service then reads the variable from the project's .env.
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  const child =
    options.shell === undefined
      ? spawn(process.execPath, [path.join(root, script), ...rest], { env, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('sh', ['-c', options.shell], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  t.teardown(() => {
    if (options.shell === undefined) child.kill('SIGKILL');
    else killGroup(child.pid!);
  });
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
  return {
    output: () => output,
    exited,
    kill: (signal) => (options.shell === undefined ? child.kill(signal) : process.kill(-child.pid!, signal)),
  };
}
