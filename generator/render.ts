/**
 * Renders the handlebars templates in templates/ into the files of generated/.
 * Output is a sorted map of relative path → content: no timestamps, no
 * machine-dependent text, so two builds of the same schemas are identical.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { TableModel } from './model.js';
import { projectView, type TableView } from './views.js';

export type OutputFiles = Map<string, string>;

interface TemplateSet {
  perTable: { template: string; output: (view: TableView) => string }[];
  perProject: { template: string; output: string }[];
}

const TEMPLATES: TemplateSet = {
  perTable: [
    { template: 'types.ts.hbs', output: (view) => `${view.resource}/types.ts` },
    { template: 'spec.ts.hbs', output: (view) => `${view.resource}/spec.ts` },
    { template: 'queries.ts.hbs', output: (view) => `${view.resource}/queries.ts` },
    { template: 'routes.ts.hbs', output: (view) => `${view.resource}/routes.ts` },
    { template: 'module.ts.hbs', output: (view) => `${view.resource}/index.ts` },
  ],
  perProject: [
    { template: 'index.ts.hbs', output: 'index.ts' },
    { template: 'ddl-mysql.sql.hbs', output: 'ddl/mysql.sql' },
    { template: 'ddl-sqlite.sql.hbs', output: 'ddl/sqlite.sql' },
  ],
};

export async function renderProject(models: TableModel[], templateDir: string): Promise<OutputFiles> {
  // An isolated instance: generated code is not HTML, so nothing is escaped.
  const handlebars = Handlebars.create();
  const compile = async (name: string) =>
    handlebars.compile(await readFile(path.join(templateDir, name), 'utf8'), { noEscape: true, strict: true });

  const view = projectView(models);
  const files: OutputFiles = new Map();
  for (const { template, output } of TEMPLATES.perTable) {
    const render = await compile(template);
    for (const table of view.tables) files.set(output(table), render(table));
  }
  for (const { template, output } of TEMPLATES.perProject) {
    files.set(output, (await compile(template))(view));
  }
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}
