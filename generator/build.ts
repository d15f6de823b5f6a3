/**
 * The whole build: load and validate every schema, model it, render it,
 * then write (or check) generated/. Nothing is written unless every step
 * before it succeeded.
 */
import path from 'node:path';
import { loadSchemas } from './load-schemas.js';
import { checkModels } from './check-models.js';
import { buildTableModel } from './model.js';
import { renderProject, type OutputFiles } from './render.js';
import { checkOutput, writeOutput, type CheckReport, type WriteReport } from './write-output.js';

export interface BuildOptions {
  /** The project root: schema/, templates/ and generated/ live below it. */
  projectDir: string;
  schemaDir?: string;
  templateDir?: string;
  /** A directory whose templates replace the built-in ones of the same name. */
  templateOverrideDir?: string;
  outputDir?: string;
}

export async function generate(options: BuildOptions): Promise<OutputFiles> {
  const files = await loadSchemas(options.projectDir, options.schemaDir ?? 'schema');
  const models = files.map(buildTableModel);
  checkModels(models);
  const overrides =
    options.templateOverrideDir === undefined
      ? undefined
      : path.resolve(options.projectDir, options.templateOverrideDir);
  return renderProject(models, path.resolve(options.projectDir, options.templateDir ?? 'templates'), overrides);
}

export async function build(options: BuildOptions): Promise<WriteReport> {
  const files = await generate(options);
  return writeOutput(path.resolve(options.projectDir, options.outputDir ?? 'generated'), files);
}

export async function check(options: BuildOptions): Promise<CheckReport> {
  const files = await generate(options);
  return checkOutput(path.resolve(options.projectDir, options.outputDir ?? 'generated'), files);
}
