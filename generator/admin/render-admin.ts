/**
 * Renders generated/admin/: one page module per model and an index of them.
 */
import type { TableModel } from '../model.js';
import { HEADER_TEXT } from '../views.js';
import { adminView } from './admin-view.js';

/** The admin templates, relative to the templates directory. */
export const ADMIN_TEMPLATES = ['admin/index.ts.hbs', 'admin/page.ts.hbs'];

type Compile = (name: string) => Promise<(view: unknown) => string>;

const header = (source: string) => `// ${HEADER_TEXT}. Source: ${source}. Rebuild with \`npx a2gen build\`.`;

export async function renderAdmin(models: TableModel[], compile: Compile): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const page = await compile('admin/page.ts.hbs');
  const pages = models.map((model) => ({ ...adminView(model, models), header: header(model.source), title: model.title }));
  for (const view of pages) files.set(`admin/${view.resource}.ts`, page(view));
  const index = await compile('admin/index.ts.hbs');
  files.set('admin/index.ts', index({ header: header(models.map((model) => model.source).join(', ')), pages }));
  return files;
}
