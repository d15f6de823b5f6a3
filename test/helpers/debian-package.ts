/**
 * System tools a test drives (nginx, shellcheck): installed from Debian's
 * packages when missing and the test runs as root, as .ci/run does; never
 * skipped. Without them, and without a way to install them, the test fails
 * saying what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function locate(command: string): string | undefined {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin']
    .map((directory) => `${directory}/${command}`)
    .find((file) => existsSync(file));
}

/** The command's path, after installing its package if need be. */
export function ensureDebianCommand(command: string, debianPackage: string): string {
  const found = locate(command);
  if (found !== undefined) return found;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    throw new Error(
      `${command} is missing: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { env, stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', debianPackage], { env, stdio: 'inherit' });
  const installed = locate(command);
  if (installed === undefined) throw new Error(`installing ${debianPackage} did not provide ${command}`);
  return installed;
}
