/**
 * Runs a build or a check and prints what happened, for the CLI and --watch.
 */
import { build, check, type BuildOptions } from './build.js';
import { SchemaValidationError } from './load-schemas.js';
import { ModelError } from './model.js';

/** Prints a schema problem and returns false; anything else is a bug and propagates. */
export function reportSchemaError(error: unknown): false {
  if (error instanceof SchemaValidationError || error instanceof ModelError) {
    console.error(`a2gen build: invalid schema, nothing written\n${error.message}`);
    return false;
  }
  throw error;
}

export async function runCheck(options: BuildOptions): Promise<boolean> {
  const report = await check(options);
  const problems = [
    ...report.stale.map((file) => `generated/${file} is out of date`),
    ...report.extra.map((file) => `generated/${file} is no longer generated`),
  ];
  if (problems.length === 0) {
    console.log('generated/ is up to date');
    return true;
  }
  for (const problem of problems) console.error(problem);
  console.error('run `npx a2gen build` and commit the result');
  return false;
}

export async function runBuild(options: BuildOptions): Promise<void> {
  const report = await build(options);
  for (const file of report.written) console.log(`wrote generated/${file}`);
  for (const file of report.deleted) console.log(`deleted generated/${file}`);
  console.log(
    `a2gen build: ${report.written.length} written, ${report.unchanged.length} unchanged, ${report.deleted.length} deleted`,
  );
}
