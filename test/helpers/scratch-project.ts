/**
 * A copy of a2gen in a temporary directory with a schema/ of the test's
 * choosing, taken the way a user takes a checkout to another database:
 * `a2gen introspect`/`build` write its schema/ and generated/, `npm run
 * build` (tsconfig.app.json: the runtime and generated/ only) compiles it,
 * and the service starts from it. The copy shares this checkout's
 * node_modules; nothing of this checkout is changed.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from './backends.js';
import { spawnService, type SpawnedService, type SpawnOptions } from './spawned-service.js';

const run = promisify(execFile);

/** What a checkout holds besides tests, benchmarks and the A2Billing schema. */
const APP_ENTRIES = [
  'bin',
  'common',
  'generator',
  'introspection',
  'runtime',
  'templates',
  'package.json',
  'tsconfig.json',
  'tsconfig.app.json',
];

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ScratchProject {
  dir: string;
  /** Writes schema/<name>.json. */
  writeSchema(name: string, schema: unknown): void;
  /** Runs `a2gen <args>` (this checkout's compiled CLI) with `--project` set to the copy. */
  a2gen(args: readonly string[], env?: Record<string, string>): Promise<CommandResult>;
  /** Runs a shell command line in the copy, as a user would type it there; `input` goes to its stdin. */
  shell(line: string, options?: { input?: string; env?: Record<string, string> }): Promise<CommandResult>;
  /** `a2gen build`, then the copy's `npm run build`: fails the test with the compiler's words. */
  build(): Promise<void>;
  /** Starts the copy's compiled service (`node dist/runtime/main.js`). */
  start(options: Omit<SpawnOptions, 'args' | 'root'>): Promise<SpawnedService>;
}

/** What a clone holds on top: the A2Billing schema and its generated code, tests, benchmarks. */
const CLONE_ENTRIES = ['schema', 'generated', 'test', 'bench', 'README.md'];

export interface ScratchOptions {
  /** Schema files of this checkout to keep (a2gen's own audit trail by default). */
  keep?: readonly string[];
  /** A copy as a user's clone is after `npm install`: every schema file, generated/, tests and benchmarks. */
  clone?: boolean;
}

export function createScratchProject(
  t: { teardown(fn: () => unknown): void },
  options: ScratchOptions = {},
): ScratchProject {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-scratch-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const entry of APP_ENTRIES) cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  if (options.clone) {
    for (const entry of CLONE_ENTRIES)
      cpSync(path.join(PROJECT_ROOT, entry), path.join(dir, entry), { recursive: true });
  } else {
    mkdirSync(path.join(dir, 'schema'));
    const keep = new Set(options.keep ?? ['a2gen_audit.json']);
    for (const file of readdirSync(path.join(PROJECT_ROOT, 'schema')))
      if (keep.has(file)) cpSync(path.join(PROJECT_ROOT, 'schema', file), path.join(dir, 'schema', file));
  }

  async function command(
    file: string,
    args: readonly string[],
    env: Record<string, string> = {},
    input?: string,
  ): Promise<CommandResult> {
    try {
      const running = run(file, args, { cwd: dir, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
      running.child.stdin?.end(input ?? '');
      const { stdout, stderr } = await running;
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof failed.code === 'number' ? failed.code : 1,
        stdout: failed.stdout ?? '',
        stderr: failed.stderr ?? '',
      };
    }
  }

  return {
    dir,
    writeSchema(name, schema) {
      writeFileSync(path.join(dir, 'schema', `${name}.json`), `${JSON.stringify(schema, null, 2)}\n`);
    },
    shell(line, { input, env } = {}) {
      return command('sh', ['-c', line], env, input);
    },
    a2gen(args, env) {
      return command(process.execPath, [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), ...args, '--project', dir], env);
    },
    async build() {
      const generated = await this.a2gen(['build']);
      if (generated.code !== 0) throw new Error(`a2gen build failed:\n${generated.stdout}${generated.stderr}`);
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
      const compiled = await command(npm, ['run', '-s', 'build']);
      if (compiled.code !== 0) throw new Error(`npm run build failed:\n${compiled.stdout}${compiled.stderr}`);
    },
    start(spawnOptions) {
      return spawnService(t, { ...spawnOptions, root: dir });
    },
  };
}
