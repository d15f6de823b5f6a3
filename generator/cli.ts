/**
 * `a2gen build [--check]`: the generator's command-line face.
 */
import type { Command } from 'commander';
import { build, check } from './build.js';
import { SchemaValidationError } from './load-schemas.js';
import { ModelError } from './model.js';

interface BuildFlags {
  check?: boolean;
  project: string;
}

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description('validate schema/*.json and write generated/ (routes, queries, types, DDL)')
    .option('--check', 'write nothing; exit 1 naming every generated file that is out of date')
    .option('--project <dir>', 'project root holding schema/, templates/ and generated/', process.cwd())
    .action(async (flags: BuildFlags) => {
      try {
        if (flags.check) {
          const report = await check({ projectDir: flags.project });
          const problems = [
            ...report.stale.map((file) => `generated/${file} is out of date`),
            ...report.extra.map((file) => `generated/${file} is no longer generated`),
          ];
          if (problems.length === 0) {
            console.log('generated/ is up to date');
            return;
          }
          for (const problem of problems) console.error(problem);
          console.error('run `npx a2gen build` and commit the result');
          process.exitCode = 1;
          return;
        }
        const report = await build({ projectDir: flags.project });
        for (const file of report.written) console.log(`wrote generated/${file}`);
        for (const file of report.deleted) console.log(`deleted generated/${file}`);
        console.log(
          `a2gen build: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.deleted.length} deleted`,
        );
      } catch (error) {
        if (error instanceof SchemaValidationError || error instanceof ModelError) {
          console.error(`a2gen build: invalid schema, nothing written\n${error.message}`);
          process.exitCode = 1;
          return;
        }
        throw error;
      }
    });
}
