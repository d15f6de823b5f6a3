/**
 * /admin/<resource>/export/?format=csv|json&<the list's filters>: the whole
 * filtered selection, streamed in batches (never all rows in memory).
 * CSV cells that a spreadsheet would run as a formula are defused.
 */
import { Readable } from 'node:stream';
import { rawQuery } from '../http/request.js';
import type { ApiErrorWithFields } from '../http/errors.js';
import { callerOf, pageFor, sendPage, type AdminContext } from './context.js';
import type { Access } from '../access/access.js';
import type { AdminField, AdminPage } from './contract.js';
import { html } from './html.js';
import { buildListQuery, readListRequest, type AdminListRequest } from './list-query.js';
import { relatedSearchesOf, type RelatedSearch } from './search.js';
import type { PageRoutes } from './page-routes.js';

const BATCH = 500;

/** A cell starting with = + - @ (or a tab or CR) would be a formula in a spreadsheet: prefix a quote. */
export function csvCell(value: unknown, numeric: boolean): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (!numeric && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) || /^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The columns of referencing rows the search looks in, as on the list. */
function related(context: AdminContext, page: AdminPage): RelatedSearch[] {
  return relatedSearchesOf(context.pages, page);
}

async function* batches(
  context: AdminContext,
  caller: Access,
  page: AdminPage,
  request: AdminListRequest,
): AsyncGenerator<Record<string, unknown>[]> {
  const view = caller.on(page.model);
  for (let number = 1; ; number++) {
    const query = buildListQuery(page, request, context.db.adapter, number, BATCH, view, related(context, page));
    const rows = await caller.list(page.model, query, 'export');
    yield rows.slice(0, BATCH);
    if (rows.length <= BATCH) return;
  }
}

/** A JSON column's value is its JSON text; a SET's words read "a,b", as MySQL stores them. */
function cellValue(field: AdminField, value: unknown): unknown {
  return field.rule.kind === 'json' && value !== null && value !== undefined ? JSON.stringify(value) : value;
}

async function* csv(
  context: AdminContext,
  caller: Access,
  page: AdminPage,
  request: AdminListRequest,
): AsyncGenerator<string> {
  const fields = page.fields.filter((field) => !field.writeOnly);
  const numeric = fields.map((field) => ['integer', 'decimal', 'float', 'double'].includes(field.rule.kind));
  // The byte-order mark makes spreadsheets read the file as UTF-8.
  yield `\uFEFF${fields.map((field) => csvCell(field.name, false)).join(',')}\r\n`;
  for await (const rows of batches(context, caller, page, request)) {
    if (rows.length > 0)
      yield rows
        .map(
          (row) =>
            `${fields.map((field, index) => csvCell(cellValue(field, row[field.name]), numeric[index]!)).join(',')}\r\n`,
        )
        .join('');
  }
}

async function* json(
  context: AdminContext,
  caller: Access,
  page: AdminPage,
  request: AdminListRequest,
): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const rows of batches(context, caller, page, request)) {
    for (const row of rows) {
      yield `${first ? '\n' : ',\n'}${JSON.stringify(row)}`;
      first = false;
    }
  }
  yield first ? ']\n' : '\n]\n';
}

export function registerExport(routes: PageRoutes, context: AdminContext, fullPage: AdminPage): void {
  routes.get('/export/', async (request, reply) => {
    const caller = callerOf(context, request);
    caller.on(fullPage.model).require('export');
    // The columns the role hides are not exported.
    const page = pageFor(caller, fullPage);
    const search = new URLSearchParams(rawQuery(request));
    const format = search.get('format') ?? 'csv';
    const listRequest = readListRequest(search);
    try {
      // Parse once up front: a bad filter is a page saying so, not a broken download.
      buildListQuery(page, listRequest, context.db.adapter, 1, BATCH, caller.on(page.model), related(context, page));
    } catch (error) {
      const fields = (error as ApiErrorWithFields).fields;
      if (fields === undefined) throw error;
      return sendPage(context, request, reply, {
        title: 'Export',
        status: 400,
        flashes: [
          {
            kind: 'error',
            text: `These filters cannot be used: ${fields.map((problem) => `${problem.field} ${problem.message}`).join('; ')}`,
          },
        ],
        body: () =>
          html`<p><a class="button" href="/admin/${page.resource}/">Back to ${page.plural.toLowerCase()}</a></p>`,
      });
    }
    if (format !== 'csv' && format !== 'json') {
      return sendPage(context, request, reply, {
        title: 'Export',
        status: 400,
        flashes: [{ kind: 'error', text: 'format must be csv or json' }],
        body: () =>
          html`<p><a class="button" href="/admin/${page.resource}/">Back to ${page.plural.toLowerCase()}</a></p>`,
      });
    }
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
    reply
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
      .header('content-disposition', `attachment; filename="${page.resource}-${stamp}.${format}"`);
    return reply.send(
      Readable.from(
        format === 'csv' ? csv(context, caller, page, listRequest) : json(context, caller, page, listRequest),
      ),
    );
  });
}
