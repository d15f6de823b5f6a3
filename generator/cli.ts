/**
 * `a2gen build [--check] [--watch] [--templates DIR]`: the generator's command-line face.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { BuildOptions } from './build.js';
import { reportSchemaError, runBuild, runCheck } from './build-report.js';
import { SchemaValidationError } from './load-schemas.js';
import { templateNames } from './render.js';
import { watchAndBuild } from './watch.js';

interface BuildFlags {
  check?: boolean;
  watch?: boolean;
  templates?: string;
  project: string;
}

/** A file in the override directory that matches no built-in template is almost certainly a typo. */
async function warnUnknownOverrides(directory: string): Promise<void> {
  const known = new Set(templateNames());
  const entries = await readdir(directory, { recursive: true, withFileTypes: true }).catch(() => {
    throw new SchemaValidationError([{ file: directory, pointer: '', message: 'templates directory not found' }]);
  });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const relative = path
      .relative(directory, path.join(entry.parentPath ?? directory, entry.name))
      .split(path.sep)
      .join('/');
    if (!known.has(relative))
      console.warn(
        `a2gen build: ${path.join(directory, relative)} replaces no built-in template (known: ${[...known].join(', ')})`,
      );
  }
}

export function registerBuildCommand(program: Command): void {
  program
    .command('build')
    .description('validate schema/*.json and write generated/ (routes, queries, types, DDL)')
    .option('--check', 'write nothing; exit 1 naming every generated file that is out of date')
    .option('--watch', 'rebuild whenever a schema or template changes')
    .option('--templates <dir>', 'your own templates: a file there replaces the built-in template of the same name')
    .option('--project <dir>', 'project root holding schema/, templates/ and generated/', process.cwd())
    .action(async (flags: BuildFlags) => {
      const options: BuildOptions = { projectDir: flags.project, templateOverrideDir: flags.templates };
      try {
        if (flags.templates !== undefined) await warnUnknownOverrides(path.resolve(flags.project, flags.templates));
        if (flags.check) {
          if (!(await runCheck(options))) process.exitCode = 1;
          return;
        }
        if (flags.watch) {
          await watchAndBuild(options);
          return;
        }
        await runBuild(options);
      } catch (error) {
        reportSchemaError(error);
        process.exitCode = 1;
      }
    });
}
