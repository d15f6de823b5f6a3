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
import { loadConfig } from '../runtime/config.js';
import { openDatabase } from '../runtime/database.js';

const program = new Command();
program.name('a2gen').description('REST API and admin panel generator for the A2Billing database').showHelpAfterError();
registerBuildCommand(program);
registerIntrospectCommands(program);
// Same configuration as the server (A2B_DATABASE_URL, A2B_DATA_DIR, .env), so users land where the server looks.
// generated/ is loaded only here, so `a2gen build` runs even while generated/ is broken or stale.
registerUserCommands(program, async () => {
  const { resources } = await import('../generated/index.js');
  return (await openDatabase(loadConfig(), resources)).db;
});

await program.parseAsync(process.argv);
