#!/usr/bin/env node
/**
 * The a2gen command: generator commands (build) and runtime commands
 * (user management) behind one entry point. Like runtime/main.ts, this is a
 * wiring point, so it may import both the generator and the runtime.
 */
import { Command } from 'commander';
import { registerBuildCommand } from '../generator/cli.js';
import { registerIntrospectCommands } from '../generator/introspect/cli.js';
import { registerUserCommands } from '../runtime/commands/user-commands.js';
import { registerKeyCommands } from '../runtime/commands/key-commands.js';
import { fileURLToPath } from 'node:url';
import { parseWorkerCount, runPrimary } from '../runtime/cluster.js';
import { ConfigError, loadConfig } from '../runtime/config.js';
import { openDatabase } from '../runtime/database.js';
import { readRolesFile, roleChecker } from '../runtime/access/roles-file.js';
import type { RoleCheck } from '../runtime/auth/role-attributes.js';

const program = new Command();
program.name('a2gen').description('REST API and admin panel generator for the A2Billing database').showHelpAfterError();
registerBuildCommand(program);
registerIntrospectCommands(program);
// Same configuration as the server (A2B_DATABASE_URL, A2B_DATA_DIR, .env), so users land where the server looks.
// generated/ is loaded only here, so `a2gen build` runs even while generated/ is broken or stale.
const openConfiguredDb = async () => {
  const { models } = await import('../generated/index.js');
  return (await openDatabase(loadConfig(), models)).db;
};
// A role given to a user or a key must be one of the roles file's, with the attributes it needs.
const checkRole: RoleCheck = (role, attributes) => {
  const config = loadConfig();
  return roleChecker(readRolesFile(config.rolesFile, config.rolesFileRequired))(role, attributes);
};
registerUserCommands(program, openConfiguredDb, undefined, checkRole);
registerKeyCommands(program, openConfiguredDb, { checkRole });

program
  .command('serve')
  .description('start the service (same configuration as npm start); several worker processes with --workers')
  .option('--workers <n>', 'worker processes on one port: a number, or 0 / auto for one per CPU core', '1')
  .action(async ({ workers }: { workers: string }) => {
    const count = workerCountOrExit(workers);
    // One worker: the plain single-process service, exactly what `npm start` runs.
    if (count === 1) return void (await import('../runtime/main.js'));
    const [{ models }, { prepareFirstStart }] = await Promise.all([
      import('../generated/index.js'),
      import('../runtime/first-start.js'),
    ]);
    try {
      await prepareFirstStart(loadConfig(), models);
    } catch (error) {
      if (error instanceof ConfigError) return program.error(`a2gen: ${error.message}`);
      throw error;
    }
    process.exitCode = await runPrimary({
      workers: count,
      exec: fileURLToPath(new URL('../runtime/main.js', import.meta.url)),
    });
  });

function workerCountOrExit(text: string): number {
  try {
    return parseWorkerCount(text);
  } catch (error) {
    return program.error((error as Error).message);
  }
}

await program.parseAsync(process.argv);
