/**
 * `--compare <git-ref>`: the older commit checked out in a temporary git
 * worktree under the system's temp directory, sharing this checkout's
 * node_modules (only the code differs), compiled, and removed on cleanup
 * (also after a failure or Ctrl-C). What bench/compare.sh does, from inside the run.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { PROJECT_ROOT } from '../load-data.js';
import { onCleanup } from './cleanup.js';
import { progress } from './progress.js';

const run = promisify(execFile);

const git = (...args: string[]) => run('git', ['-C', PROJECT_ROOT, ...args]);

/** The full commit `ref` names, or undefined when it names none. */
export async function commitOf(ref: string): Promise<string | undefined> {
  try {
    return (await git('rev-parse', '--verify', '--quiet', `${ref}^{commit}`)).stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}

/** A built checkout of `commit`; its directory. */
export async function builtCheckout(ref: string, commit: string): Promise<string> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'a2gen-compare-'));
  const dir = path.join(parent, `a2gen-${commit.slice(0, 7)}`);
  onCleanup(async () => {
    await git('worktree', 'remove', '--force', dir).catch(() => undefined);
    rmSync(parent, { recursive: true, force: true });
    await git('worktree', 'prune').catch(() => undefined);
  });
  // --detach: the ref may be a branch checked out elsewhere.
  await git('worktree', 'add', '--detach', '--quiet', dir, commit);
  symlinkSync(realpathSync(path.join(PROJECT_ROOT, 'node_modules')), path.join(dir, 'node_modules'));
  progress(`--compare ${ref}: building ${commit.slice(0, 7)} in ${dir}`);
  await run(process.execPath, [path.join(dir, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
    cwd: dir,
    maxBuffer: 16 * 1024 * 1024,
  });
  return dir;
}
