/**
 * Renders the handlebars templates in templates/ into the files of generated/.
 * Output is a sorted map of relative path → content: no timestamps, no
 * machine-dependent text, so two builds of the same schemas are identical.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Handlebars from 'handlebars';
import type { TableModel } from './model.js';
import { openApiJson } from './openapi/document.js';
import { clientView } from './client-view.js';
import { projectView, type TableView } from './views.js';

export type OutputFiles = Map<string, string>;

interface TemplateSet {
  perTable: { template: string; output: (view: TableView) => string }[];
  perProject: { template: string; output: string }[];
}

const TEMPLATES: TemplateSet = {
  perTable: [
    { template: 'types.ts.hbs', output: (view) => `${view.resource}/types.ts` },
    { template: 'statements.ts.hbs', output: (view) => `${view.resource}/statements.ts` },
    { template: 'model.ts.hbs', output: (view) => `${view.resource}/model.ts` },
  ],
  perProject: [
    { template: 'index.ts.hbs', output: 'index.ts' },
    { template: 'ddl-mysql.sql.hbs', output: 'ddl/mysql.sql' },
    { template: 'ddl-sqlite.sql.hbs', output: 'ddl/sqlite.sql' },
  ],
};

/** The OpenAPI document is built as an object (generator/openapi/); its template only frames the JSON. */
const OPENAPI = { template: 'openapi.json.hbs', output: 'openapi.json' };

/** The typed API client: one file that imports nothing, whose view is generator/client-view.ts. */
const CLIENT = { template: 'client.ts.hbs', output: 'client.ts' };

/** Every template a build reads, by file name relative to the templates directory. */
export function templateNames(): string[] {
  return [...TEMPLATES.perTable, ...TEMPLATES.perProject, OPENAPI, CLIENT].map(({ template }) => template).sort();
}

/**
 * @param templateDir the built-in templates
 * @param overrideDir a project's own templates: a file there replaces the built-in one of the same name
 */
export async function renderProject(
  models: TableModel[],
  templateDir: string,
  overrideDir?: string,
): Promise<OutputFiles> {
  // An isolated instance: generated code is not HTML, so nothing is escaped.
  const handlebars = Handlebars.create();
  const compile = async (name: string) =>
    handlebars.compile(await readTemplate(name, templateDir, overrideDir), { noEscape: true, strict: true });

  const view = projectView(models);
  const files: OutputFiles = new Map();
  for (const { template, output } of TEMPLATES.perTable) {
    const render = await compile(template);
    for (const table of view.tables) files.set(output(table), render(table));
  }
  for (const { template, output } of TEMPLATES.perProject) {
    files.set(output, (await compile(template))(view));
  }
  files.set(OPENAPI.output, (await compile(OPENAPI.template))({ document: openApiJson(models) }));
  files.set(CLIENT.output, (await compile(CLIENT.template))({ header: view.header, ...clientView(models) }));
  return new Map([...files.entries()].sort(([a], [b]) => a.localeCompare(b)));
}

async function readTemplate(name: string, templateDir: string, overrideDir: string | undefined): Promise<string> {
  if (overrideDir !== undefined) {
    try {
      return await readFile(path.join(overrideDir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return readFile(path.join(templateDir, name), 'utf8');
}
