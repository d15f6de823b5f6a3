#!/usr/bin/env node
/**
 * The a2gen command: generator commands (build) and runtime commands
 * (serve, user management) behind one entry point.
 */
import { Command } from 'commander';
import { registerBuildCommand } from '../generator/cli.js';

const program = new Command();
program.name('a2gen').description('REST API and admin panel generator for the A2Billing database').showHelpAfterError();
registerBuildCommand(program);

await program.parseAsync(process.argv);
