/**
 * The schema's actions (x-admin.actions: a card's Block, Unblock, Lock,
 * Move to group…) on one row or on the rows selected in the list:
 *
 *   GET  /admin/<resource>/action/<name>/?id=…&id=…&next=…  what will change, on which rows; asks for values
 *   POST the same (CSRF)                                    each row through caller.update: role, scope, audit
 *
 * A role that may not update the model, or may not write a column the action
 * writes, sees no such button and gets a 403 here.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import type { Access } from '../access/access.js';
import { statusOf } from '../http/errors.js';
import { rawQuery } from '../http/request.js';
import { bodyProblems, compileLazily } from '../http/validation.js';
import { forbidden, StoreError } from '../store/errors.js';
import { parseKey } from '../store/keys.js';
import type { AdminActionHint } from '../store/model.js';
import {
  adminWriteContext,
  callerOf,
  fieldText,
  fieldTexts,
  flash,
  pageFor,
  rowKey,
  seeOther,
  sendPage,
  type AdminContext,
} from './context.js';
import type { AdminField, AdminPage } from './contract.js';
import { parseIds } from './delete-page.js';
import { fieldInput, type FormState } from './form-render.js';
import { html, lowerFirst, type SafeHtml } from './html.js';
import { labelsForRows, lookupUrl, referenceContent, referencesOf } from './references.js';
import { bodyValue, displayValue } from './values.js';
import type { PageRoutes } from './page-routes.js';

export function actionUrl(page: AdminPage, action: AdminActionHint): string {
  return `/admin/${page.resource}/action/${action.name}/`;
}

/** The actions the caller may take here: its role updates the model and writes every column they write. */
export function allowedActions(caller: Access, page: AdminPage): AdminActionHint[] {
  if (page.actions.length === 0 || !caller.allows(page.model, 'update')) return [];
  const writable = new Set(
    pageFor(caller, page)
      .fields.filter((field) => !field.readOnly)
      .map((field) => field.name),
  );
  return page.actions.filter((action) =>
    [...Object.keys(action.set ?? {}), ...(action.ask ?? [])].every((name) => writable.has(name)),
  );
}

/** The per-row buttons of an object page. */
export function rowActionLinks(caller: Access, page: AdminPage, id: string): SafeHtml {
  const next = `/admin/${page.resource}/${id}/`;
  return html`${allowedActions(caller, page).map(
    (action) =>
      html`<a class="button" href="${actionUrl(page, action)}?${new URLSearchParams([
        ['id', id],
        ['next', next],
      ])}">${action.label}…</a>`,
  )}`;
}

/** Where to go afterwards: a page of this model (the list with its filters, or the row), never elsewhere. */
function nextOf(page: AdminPage, text: string | undefined | null): string {
  const prefix = `/admin/${page.resource}/`;
  return text && text.startsWith(prefix) && !/[\\\s]/.test(text) && !text.includes('//') ? text : prefix;
}

/** "Status becomes SUSPENDED FOR LITIGATION, Locked becomes Yes". */
function setText(page: AdminPage, values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([name, value]) => {
      const field = page.fields.find((candidate) => candidate.name === name);
      const shown = value === null || value === '' ? 'empty' : displayValue(field, value);
      return `${field?.label ?? name} becomes ${shown}`;
    })
    .join(', ');
}

export function registerActions(routes: PageRoutes, context: AdminContext, page: AdminPage): void {
  if (page.actions.length === 0 || page.readOnly) return;
  const checkUpdate = compileLazily(context.validator, page.updateBodySchema);
  const byField = referencesOf(context, page);
  const noun = (count: number) => lowerFirst(count === 1 ? page.title : page.plural);
  const listPath = `/admin/${page.resource}/`;

  for (const action of page.actions) {
    const asked = (action.ask ?? []).map((name) => page.fields.find((field) => field.name === name)!);
    const allowed = (caller: Access) => {
      if (!allowedActions(caller, page).includes(action))
        throw forbidden(`your role may not ${lowerFirst(action.label)} ${page.plural.toLowerCase()}`);
    };

    const confirm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      ids: string[],
      next: string,
      state: FormState,
      status = 200,
    ) => {
      const caller = callerOf(context, request);
      allowed(caller);
      const rows = (
        await Promise.all(ids.map((id) => caller.get(page.model, parseKey(page.model, id)!, 'update')))
      ).filter((row) => row !== undefined);
      if (rows.length === 0) {
        flash(request, 'error', `None of the selected ${page.plural.toLowerCase()} exist any more.`);
        return seeOther(reply, next);
      }
      const shown = pageFor(caller, page);
      const columns = shown.list.slice(0, 4).flatMap((name) => shown.fields.filter((field) => field.name === name));
      const view = caller.on(page.model);
      const labels = await labelsForRows(
        context.db,
        byField,
        [...columns.map((field) => field.name), ...asked.map((field) => field.name)],
        [...rows, state.values],
        view,
      );
      const cellOf = (field: AdminField, value: unknown) => {
        const reference = byField.get(field.name);
        if (reference?.label === undefined || value === null || value === undefined) return displayValue(field, value);
        return referenceContent(reference, labels.get(field.name), value, false);
      };
      const title = `${action.label}: ${rows.length} ${noun(rows.length)}`;
      const references = { byField, labels, lookup: (field: string) => lookupUrl(page, field) };
      return sendPage(context, request, reply, {
        title,
        current: listPath,
        status,
        body: (csrf) => html`<div class="head"><h1>${action.label} ${rows.length} ${noun(rows.length)}?</h1></div>
<div class="flash warning">${action.set ? `${setText(page, action.set)}.` : ''} ${action.description ?? ''}${rows.length < ids.length ? ` ${ids.length - rows.length} of the selected rows no longer exist.` : ''}</div>
<div class="table-wrap"><table>
  <thead><tr>${columns.map((field) => html`<th scope="col">${field.label}</th>`)}</tr></thead>
  <tbody>${rows.map((row) => html`<tr>${columns.map((field) => html`<td>${cellOf(field, row[field.name])}</td>`)}</tr>`)}</tbody>
</table></div>
<form method="post" action="${actionUrl(page, action)}" class="panel action-form" novalidate>
  <input type="hidden" name="_csrf" value="${csrf}">
  <input type="hidden" name="next" value="${next}">
  ${rows.map((row) => html`<input type="hidden" name="id" value="${rowKey(page, row)}">`)}
  ${asked.map((field) => fieldInput({ ...field, required: true }, state, false, references))}
  <div class="actions">
    <button type="submit" class="primary">${action.label} ${rows.length} ${noun(rows.length)}</button>
    <a class="button" href="${next}">Cancel</a>
  </div>
</form>`,
      });
    };

    routes.get(`/action/${action.name}/`, async (request, reply) => {
      const search = new URLSearchParams(rawQuery(request));
      const next = nextOf(page, search.get('next'));
      const ids = parseIds(page, search.getAll('id'));
      if (ids.length === 0) {
        flash(request, 'info', `Select the ${page.plural.toLowerCase()} to ${lowerFirst(action.label)} first.`);
        return seeOther(reply, next);
      }
      const values = Object.fromEntries(asked.map((field) => [field.name, '']));
      return confirm(request, reply, ids, next, { values, errors: new Map() });
    });

    routes.post(`/action/${action.name}/`, async (request, reply) => {
      const caller = callerOf(context, request);
      allowed(caller);
      const next = nextOf(page, fieldText(request.body, 'next'));
      const ids = parseIds(page, fieldTexts(request.body, 'id'));
      const texts = Object.fromEntries(asked.map((field) => [field.name, fieldText(request.body, field.name) ?? '']));
      const values: Record<string, unknown> = { ...action.set };
      for (const field of asked) values[field.name] = bodyValue(field, texts[field.name]!);
      const problems = asked.flatMap((field) =>
        texts[field.name] === '' ? [{ field: field.name, message: 'is required' }] : [],
      );
      if (problems.length === 0 && !checkUpdate(values))
        problems.push(...bodyProblems((checkUpdate.errors ?? []) as ErrorObject[]));
      if (problems.length > 0) {
        const errors = new Map(
          problems.map((problem) => [
            problem.field,
            `${problem.message.charAt(0).toUpperCase()}${problem.message.slice(1)}`,
          ]),
        );
        return confirm(request, reply, ids, next, { values: texts, errors }, 400);
      }
      const write = adminWriteContext(request);
      let changed = 0;
      let missing = 0;
      const refusals: string[] = [];
      for (const id of ids) {
        try {
          // One row at a time through the caller's Access: its role and scope are checked, and each change is audited.
          await caller.update(write, page.model, parseKey(page.model, id)!, values);
          changed += 1;
        } catch (error) {
          if (!(error instanceof StoreError) || statusOf(error) >= 500) throw error;
          if (error.code === 'not_found') missing += 1;
          else refusals.push(`${page.title} ${id}: ${error.message}`);
        }
      }
      const what = setText(page, values);
      if (changed > 0) flash(request, 'success', `${action.label}: ${changed} ${noun(changed)} changed (${what}).`);
      if (missing > 0)
        flash(request, 'info', `${missing} of the selected ${page.plural.toLowerCase()} no longer exist.`);
      for (const text of refusals) flash(request, 'error', text);
      return seeOther(reply, next);
    });
  }
}
