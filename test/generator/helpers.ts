/**
 * Shared helpers of the generator tests: a throwaway copy of the project,
 * the a2gen CLI as a child process, and directory snapshots.
 *
 * This file holds no tests; tap reports it as a file with no assertions.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout: this file runs as dist/test/generator/helpers.js. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The compiled CLI, run exactly as `npx a2gen` runs it. */
export const cliPath = path.join(repoRoot, 'dist/bin/a2gen.js');

/** The part of tap's Test object these helpers need. */
interface TeardownHost {
  teardown(fn: () => unknown): void;
}

export interface CliResult {
  /** The process exit code; null only when it was killed. */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * A copy of the project's schema/, templates/ and (unless `generated: false`)
 * generated/ in a fresh directory under os.tmpdir(), removed when `t` ends.
 */
export async function tempProject(t: TeardownHost, options: { generated?: boolean } = {}): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-test-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const parts = options.generated === false ? ['schema', 'templates'] : ['schema', 'templates', 'generated'];
  for (const part of parts) await cp(path.join(repoRoot, part), path.join(dir, part), { recursive: true });
  return dir;
}

/** Runs `node dist/bin/a2gen.js <args>` from the checkout and reports how it ended. */
export function runCli(args: string[]): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [cliPath, ...args],
      // NO_COLOR keeps the output plain; the generous timeout absorbs a busy machine.
      { cwd: repoRoot, env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** `a2gen build [--check] --project <dir>`. */
export function build(projectDir: string, ...flags: string[]): Promise<CliResult> {
  return runCli(['build', ...flags, '--project', projectDir]);
}

/** Every file below `dir` (relative, forward slashes, sorted). */
export async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(dir, entry.name), relative)));
    else files.push(relative);
  }
  return files.sort();
}

/** Every directory below `dir` (relative, sorted). */
export async function listDirectories(dir: string, prefix = ''): Promise<string[]> {
  const dirs: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    dirs.push(relative, ...(await listDirectories(path.join(dir, entry.name), relative)));
  }
  return dirs.sort();
}

/** Relative path → exact bytes (as a Buffer) of every file below `dir`. */
export async function readTree(dir: string): Promise<Map<string, Buffer>> {
  const tree = new Map<string, Buffer>();
  for (const file of await listFiles(dir)) tree.set(file, await readFile(path.join(dir, file)));
  return tree;
}

/**
 * What a write would change: every directory, and every file with its size,
 * SHA-256 and modification time. Two equal snapshots mean nothing was
 * created, deleted or rewritten (a rewrite with the same bytes still moves
 * the mtime).
 */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const directory of await listDirectories(dir)) result[`${directory}/`] = 'directory';
  for (const file of await listFiles(dir)) {
    const full = path.join(dir, file);
    const [content, info] = await Promise.all([readFile(full), stat(full)]);
    result[file] = `${content.length} bytes, sha256 ${createHash('sha256').update(content).digest('hex')}, mtime ${info.mtimeMs}`;
  }
  return result;
}

/** Reads a JSON file of the temp project. */
export async function readJson(projectDir: string, relative: string): Promise<any> {
  return JSON.parse(await readFile(path.join(projectDir, relative), 'utf8'));
}

/** Writes a JSON file of the temp project (two-space indent, trailing newline). */
export async function writeJson(projectDir: string, relative: string, value: unknown): Promise<void> {
  await writeFile(path.join(projectDir, relative), `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads, changes and writes back a schema file of the temp project. */
export async function editSchema(projectDir: string, name: string, edit: (schema: any) => void): Promise<void> {
  const relative = `schema/${name}`;
  const schema = await readJson(projectDir, relative);
  edit(schema);
  await writeJson(projectDir, relative, schema);
}
