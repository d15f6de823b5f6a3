/**
 * /admin/<resource>/import/: rows from a CSV file (a header row of field
 * names), checked and previewed before anything is written. The preview
 * lists every problem by row and field, as the API's bulk create would name
 * it; only a file without problems can be imported, and then all of it or
 * none (Store.createMany), each row audited as the signed-in admin.
 */
import type { FastifyRequest } from 'fastify';
import type { CsvRows } from '../http/csv-body.js';
import { statusOf } from '../http/errors.js';
import { bodyProblems, compileLazily } from '../http/validation.js';
import { StoreError, type FieldProblem } from '../store/errors.js';
import { adminWriteContext, callerOf, fieldText, flash, seeOther, sendPage, type AdminContext } from './context.js';
import type { AdminPage } from './contract.js';
import { html, type SafeHtml } from './html.js';
import type { PageRoutes } from './page-routes.js';

/** Rows shown in the preview table; the count says how many more there are. */
const PREVIEWED_ROWS = 10;

interface Checked {
  csv: string;
  /** The file's columns, in its order. */
  columns: string[];
  rows: Record<string, unknown>[];
  problems: FieldProblem[];
}

/** `[3].credit` → row 3 of the file counted from 1 (its line is one more, after the header). */
function rowOf(field: string): { row: string; field: string } {
  const match = /^\[(\d+)\]\.?(.*)$/.exec(field);
  return match ? { row: String(Number(match[1]) + 1), field: match[2] || '(the row)' } : { row: '', field };
}

function problemTable(problems: readonly FieldProblem[]): SafeHtml {
  return html`<div class="table-wrap"><table>
  <caption>Problems: nothing has been written</caption>
  <thead><tr><th scope="col">Row</th><th scope="col">Field</th><th scope="col">Problem</th></tr></thead>
  <tbody>${problems.map((problem) => {
    const { row, field } = rowOf(problem.field);
    return html`<tr><td class="num">${row}</td><td>${field}</td><td>${problem.message}${problem.hint ? ` (${problem.hint})` : ''}</td></tr>`;
  })}</tbody>
</table></div>`;
}

function previewTable(checked: Checked): SafeHtml {
  const shown = checked.rows.slice(0, PREVIEWED_ROWS);
  return html`<div class="table-wrap"><table>
  <caption>The first ${shown.length} of ${checked.rows.length} rows</caption>
  <thead><tr><th scope="col">Row</th>${checked.columns.map((name) => html`<th scope="col">${name}</th>`)}</tr></thead>
  <tbody>${shown.map((row, index) => html`<tr><td class="num">${index + 1}</td>${checked.columns.map((name) => html`<td>${row[name] === undefined ? '' : String(row[name])}</td>`)}</tr>`)}</tbody>
</table></div>`;
}

function uploadForm(page: AdminPage, csrf: string, csv: string): SafeHtml {
  return html`<form method="post" action="/admin/${page.resource}/import/" class="import">
  <input type="hidden" name="_csrf" value="${csrf}">
  <p><label for="csv-file">CSV file</label> <input type="file" id="csv-file" accept=".csv,text/csv" data-fills="csv"></p>
  <p><label for="csv">or paste its text: a header row of field names (${page.fields
    .filter((field) => !field.readOnly)
    .map((field) => field.name)
    .join(', ')}), then one row a ${page.title.toLowerCase()}; an empty cell takes the column's default.</label></p>
  <textarea id="csv" name="csv" rows="12" required>${csv}</textarea>
  <p><button type="submit" name="step" value="preview" class="primary">Check and preview</button>
  <a class="button" href="/admin/${page.resource}/">Cancel</a></p>
</form>`;
}

export function registerImportPage(routes: PageRoutes, context: AdminContext, page: AdminPage, maxRows: number): void {
  const listPath = `/admin/${page.resource}/`;
  const checkRow = compileLazily(context.validator, page.createBodySchema);

  /** Every problem a bulk create of the file would meet before writing: its CSV, each row's values, unique keys. */
  async function check(request: FastifyRequest): Promise<Checked> {
    const csv = fieldText(request.body, 'csv') ?? '';
    let parsed: CsvRows;
    // csv-parse is loaded with the first file checked: most processes never import one.
    const { parseCsvText } = await import('../http/csv-text.js');
    try {
      parsed = parseCsvText(csv, maxRows);
    } catch (error) {
      return { csv, columns: [], rows: [], problems: [{ field: 'file', message: (error as Error).message }] };
    }
    const rows = parsed.rows(page.model);
    const columns = Object.keys(parsed.records[0] ?? {});
    const problems: FieldProblem[] = [];
    if (rows.length === 0) problems.push({ field: 'file', message: 'has no rows after its header' });
    rows.forEach((row, index) => {
      if (!checkRow(row))
        for (const problem of bodyProblems(checkRow.errors ?? []))
          problems.push({ ...problem, field: `[${index}].${problem.field}` });
    });
    if (problems.length === 0) {
      try {
        await callerOf(context, request).checkMany(page.model, rows);
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        problems.push(...(error.fields ?? [{ field: 'file', message: error.message }]));
      }
    }
    return { csv, columns, rows, problems };
  }

  routes.get('/import/', async (request, reply) =>
    sendPage(context, request, reply, {
      title: `Import ${page.plural.toLowerCase()}`,
      current: listPath,
      body: (csrf) => html`<div class="head"><h1>Import ${page.plural.toLowerCase()} from CSV</h1></div>
<p class="lead">Up to ${maxRows} rows. They are checked and shown before anything is written, and then written all together or not at all.</p>
${uploadForm(page, csrf, '')}`,
    }),
  );

  routes.post('/import/', async (request, reply) => {
    const checked = await check(request);
    if (checked.problems.length === 0 && fieldText(request.body, 'step') === 'import') {
      try {
        const created = await callerOf(context, request).createMany(
          adminWriteContext(request),
          page.model,
          checked.rows,
        );
        flash(
          request,
          'success',
          `Imported ${created.length} ${created.length === 1 ? page.title.toLowerCase() : page.plural.toLowerCase()}.`,
        );
        return seeOther(reply, listPath);
      } catch (error) {
        // Someone took a unique value since the preview: shown as the preview shows it.
        if (!(error instanceof StoreError) || statusOf(error) >= 500) throw error;
        checked.problems.push(...(error.fields ?? [{ field: 'file', message: error.message }]));
      }
    }
    const ready = checked.problems.length === 0;
    return sendPage(context, request, reply, {
      title: `Import ${page.plural.toLowerCase()}`,
      current: listPath,
      status: ready ? 200 : 400,
      flashes: ready
        ? [{ kind: 'info', text: `${checked.rows.length} rows are ready to import. Nothing has been written yet.` }]
        : [
            {
              kind: 'error',
              text: `${checked.problems.length} problem${checked.problems.length === 1 ? '' : 's'} in the file: nothing was written.`,
            },
          ],
      body: (csrf) => html`<div class="head"><h1>Import ${page.plural.toLowerCase()} from CSV</h1></div>
${ready ? previewTable(checked) : problemTable(checked.problems)}
${
  ready &&
  html`<form method="post" action="/admin/${page.resource}/import/">
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="csv" value="${checked.csv}">
  <p><button type="submit" name="step" value="import" class="primary">Import ${checked.rows.length} rows</button>
  <a class="button" href="${listPath}">Cancel</a></p>
</form>`
}
${uploadForm(page, csrf, checked.csv)}`,
    });
  });
}
