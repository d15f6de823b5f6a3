/**
 * /admin/<resource>/add/ and /admin/<resource>/<pk>/: forms generated from
 * the schema, validated by the API's own body schemas. An edit writes only
 * the fields the operator changed, judged against the values the form was
 * rendered with (carried in hidden `_orig.<field>` inputs); a changed field
 * that also changed in the database since is a conflict, never an overwrite.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorObject } from 'ajv';
import { type ApiErrorWithFields, type FieldProblem } from '../http/errors.js';
import { StoreError } from '../store/errors.js';
import { formatKey } from '../store/keys.js';
import { keyOf } from '../http/request.js';
import { bodyProblems, compileLazily, type LazyValidateFunction } from '../http/validation.js';
import { InvalidValueError } from '../db/errors.js';
import {
  adminWriteContext,
  callerOf,
  fieldText,
  flash,
  pageFor,
  rowKey,
  seeOther,
  sendPage,
  type AdminContext,
} from './context.js';
import type { AdminPage } from './contract.js';
import { ORIGINAL, renderForm, type Conflict, type FormReferences, type FormState } from './form-render.js';
import { labelsForRows, lookupUrl, referencesOf } from './references.js';
import { referrersOf, relatedSection } from './related.js';
import { historyLink } from './history-page.js';
import { rowActionLinks } from './actions-page.js';
import { lastList } from './list-memory.js';
import { html } from './html.js';
import type { Flash } from './layout.js';
import { bodyValue, canonical, formValue } from './values.js';
import type { PageRoutes } from './page-routes.js';

function errorMessage(problem: FieldProblem): string {
  const text = `${problem.message}${problem.hint ? ` (${problem.hint})` : ''}`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Validates a body with the API's schema; the validator normalises values in place. */
function validate(check: LazyValidateFunction, body: Record<string, unknown>): FieldProblem[] {
  if (check(body)) return [];
  return bodyProblems((check.errors ?? []) as ErrorObject[]);
}

function afterSave(request: FastifyRequest, page: AdminPage, action: string | undefined, id: string): string {
  if (action === 'continue') return `/admin/${page.resource}/${id}/`;
  if (action === 'add') return `/admin/${page.resource}/add/`;
  // Back to the list as the operator left it: its filters, search and page.
  return lastList(request, page.resource);
}

/** The write's condition: the row is exactly as the edit handler read it. */
function unchangedSince(read: Record<string, unknown>): (current: object) => boolean {
  const expected = JSON.stringify(read);
  return (current) => JSON.stringify(current) === expected;
}

/** The 409s a save can meet that the operator can act on: a value taken, a reference to no row, a row in use. */
const REFUSALS = new Set(['conflict', 'reference_not_found', 'still_referenced']);

/** Duplicate keys, references to no row (409) and values the database refused become field errors. */
function writeProblems(error: unknown): FieldProblem[] | undefined {
  const fields = (error as ApiErrorWithFields).fields;
  if (error instanceof StoreError && REFUSALS.has(error.code) && fields) return fields;
  if (error instanceof InvalidValueError)
    return [{ field: error.column ?? 'body', message: `is not accepted by the database: ${error.message}` }];
  return undefined;
}

/** A refusal that names no field (a row others refer to): its message, shown above the form. */
function refusalText(error: unknown): string | undefined {
  return error instanceof StoreError && REFUSALS.has(error.code) ? error.message : undefined;
}

export function registerFormPages(routes: PageRoutes, context: AdminContext, page: AdminPage): void {
  const checkCreate = compileLazily(context.validator, page.createBodySchema);
  const checkUpdate = compileLazily(context.validator, page.updateBodySchema);
  const editable = page.fields.filter((field) => !field.readOnly);
  // A key is chosen on create and never changed afterwards.
  const updatable = editable.filter((field) => !field.key);
  const noun = page.title.toLowerCase();
  const byField = referencesOf(context, page);
  const referenced = editable.filter((field) => byField.has(field.name)).map((field) => field.name);
  const referrers = referrersOf(context, page);

  const show = async (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { state: FormState; id?: string; status?: number; flashes?: Flash[] },
  ) => {
    const caller = callerOf(context, request);
    // The labels of the values the form shows (stored or entered): one query per reference column.
    const references: FormReferences = {
      byField,
      labels: await labelsForRows(context.db, byField, referenced, [options.state.values], caller.on(page.model)),
      lookup: (field) => lookupUrl(page, field),
    };
    const related =
      options.id === undefined ? undefined : await relatedSection(context, request, referrers, options.id);
    return sendPage(context, request, reply, {
      title: options.id ? `${page.title} ${options.id}` : `Add ${noun}`,
      current: `/admin/${page.resource}/`,
      status: options.status,
      flashes: options.flashes,
      body: (csrf) => html`<div class="head"><h1>${options.id ? `${page.title} ${options.id}` : `Add ${noun}`}</h1>
  ${options.id !== undefined && (context.rowActions.get(page.resource) ?? []).map((action) => html`<a class="button" href="/admin/${page.resource}/${options.id}/${action.path}/">${action.label}</a>`)}
  ${options.id !== undefined && rowActionLinks(caller, page, options.id)}
  ${options.id !== undefined && historyLink(context, caller, page, options.id)}
  <a class="button" href="${lastList(request, page.resource)}">Back to ${page.plural.toLowerCase()}</a></div>
${related?.index}
${renderForm(pageFor(caller, page), options.state, options.id, csrf, references, caller.allows(page.model, 'delete'))}
${related?.panels}`,
    });
  };

  // The add form starts from the defaults, or from values the link gives (a related panel's Add: ?id_cc_card=10).
  const initialValues = (query: unknown = {}) =>
    Object.fromEntries(
      editable.map((field) => [field.name, (!field.writeOnly && fieldText(query, field.name)) || field.initial]),
    );
  const submitted = (body: unknown) =>
    Object.fromEntries(
      editable.map((field) => [field.name, field.writeOnly ? '' : (fieldText(body, field.name) ?? '')]),
    );
  const invalid = (problems: FieldProblem[]) => {
    const text =
      problems.length === 1
        ? 'Please correct the field marked below.'
        : `Please correct the ${problems.length} fields marked below.`;
    const general = problems.filter((problem) => !page.fields.some((field) => field.name === problem.field));
    return [
      { kind: 'error' as const, text },
      ...general.map((problem) => ({ kind: 'error' as const, text: `${problem.field}: ${errorMessage(problem)}` })),
    ];
  };
  const errorsOf = (problems: FieldProblem[]) =>
    new Map(problems.map((problem) => [problem.field, errorMessage(problem)]));

  routes.get('/add/', async (request, reply) =>
    show(request, reply, { state: { values: initialValues(request.query), errors: new Map() } }),
  );

  routes.post('/add/', async (request, reply) => {
    const body: Record<string, unknown> = {};
    for (const field of editable) {
      const text = fieldText(request.body, field.name);
      // A field the form did not send is left to its default, as when the API is not sent it.
      if (text === undefined) continue;
      if (field.writeOnly || (text === '' && field.required)) {
        // Empty write-only inputs set nothing; an empty required field is "required", in the API's words.
        if (text !== '') body[field.name] = text;
        continue;
      }
      // Unchanged from the column's default: let the default apply, exactly as when the API is not sent the field.
      if (!field.required && canonical(field, text) === canonical(field, field.initial)) continue;
      body[field.name] = bodyValue(field, text);
    }
    const problems = validate(checkCreate, body);
    const state = (errors: FieldProblem[]): FormState => ({
      values: submitted(request.body),
      errors: errorsOf(errors),
    });
    if (problems.length > 0)
      return show(request, reply, { state: state(problems), status: 400, flashes: invalid(problems) });
    let id: string;
    try {
      id = rowKey(page, await callerOf(context, request).create(adminWriteContext(request), page.model, body));
    } catch (error) {
      const refused = writeProblems(error);
      if (refused) return show(request, reply, { state: state(refused), status: 409, flashes: invalid(refused) });
      const text = refusalText(error);
      if (text === undefined) throw error;
      return show(request, reply, { state: state([]), status: 409, flashes: [{ kind: 'error', text }] });
    }
    flash(request, 'success', `Created ${noun} ${id}.`);
    return seeOther(reply, afterSave(request, page, fieldText(request.body, '_action'), id));
  });

  routes.get('/:id/', async (request, reply) => {
    const key = keyOf(request, page.model);
    const id = formatKey(key);
    const row = await callerOf(context, request).get(page.model, key);
    if (row === undefined) {
      flash(request, 'error', `There is no ${noun} ${id}; it may have been deleted.`);
      return seeOther(reply, `/admin/${page.resource}/`);
    }
    const values = Object.fromEntries(
      updatable.map((field) => [field.name, field.writeOnly ? '' : formValue(field, row[field.name])]),
    );
    return show(request, reply, { id: String(id), state: { values, originals: values, errors: new Map(), row } });
  });

  routes.post('/:id/', async (request, reply) => {
    const key = keyOf(request, page.model);
    const id = formatKey(key);
    const row = await callerOf(context, request).get(page.model, key, 'update');
    if (row === undefined) {
      flash(request, 'error', `There is no ${noun} ${id} any more; it was deleted while you were editing.`);
      return seeOther(reply, `/admin/${page.resource}/`);
    }
    const stored = Object.fromEntries(
      updatable.map((field) => [field.name, field.writeOnly ? '' : formValue(field, row[field.name])]),
    );
    const changes: Record<string, unknown> = {};
    const conflicts: Conflict[] = [];
    const originals: Record<string, string> = {};
    for (const field of updatable) {
      const text = fieldText(request.body, field.name);
      if (field.writeOnly) {
        if (text) changes[field.name] = text;
        continue;
      }
      // A form without the hidden original (hand-made) compares against the database: no silent overwrite either way.
      const was = fieldText(request.body, ORIGINAL + field.name) ?? stored[field.name]!;
      originals[field.name] = was;
      if (text === undefined || canonical(field, text) === canonical(field, was)) continue;
      changes[field.name] = bodyValue(field, text);
      const now = stored[field.name]!;
      if (canonical(field, now) !== canonical(field, was) && canonical(field, now) !== canonical(field, text)) {
        conflicts.push({ field, was, now, yours: text });
      }
    }
    const values = { ...submitted(request.body) };
    const problems = validate(checkUpdate, changes);
    if (problems.length > 0) {
      return show(request, reply, {
        id: String(id),
        status: 400,
        flashes: invalid(problems),
        state: { values, originals, errors: errorsOf(problems), row },
      });
    }
    if (conflicts.length > 0) {
      // Saving again is a deliberate choice made with the new values in view: they become the originals.
      const seen = {
        ...originals,
        ...Object.fromEntries(conflicts.map((conflict) => [conflict.field.name, conflict.now])),
      };
      const errors = new Map(
        conflicts.map((conflict) => [
          conflict.field.name,
          `Changed meanwhile: now ${conflict.now || '(empty)'}. Save again to replace it with yours.`,
        ]),
      );
      return show(request, reply, {
        id: String(id),
        status: 409,
        state: { values, originals: seen, errors, row, conflicts },
      });
    }
    const names = Object.keys(changes);
    if (names.length === 0) {
      flash(request, 'info', `No changes to ${noun} ${id}.`);
      return seeOther(reply, afterSave(request, page, fieldText(request.body, '_action'), id));
    }
    try {
      // Applies only while the row is still as read above, checked inside the UPDATE itself: no change slips in between.
      await callerOf(context, request).update(
        adminWriteContext(request),
        page.model,
        key,
        changes,
        unchangedSince(row),
      );
    } catch (error) {
      if (error instanceof StoreError && error.code === 'precondition_failed') {
        const text = `${page.title} ${id} changed while you were saving; nothing was saved. Review the values and save again.`;
        return show(request, reply, {
          id: String(id),
          status: 409,
          flashes: [{ kind: 'error', text }],
          state: { values, originals, errors: new Map(), row },
        });
      }
      const refused = writeProblems(error);
      const text = refusalText(error);
      if (refused === undefined && text === undefined) throw error;
      return show(request, reply, {
        id: String(id),
        status: 409,
        flashes: refused ? invalid(refused) : [{ kind: 'error', text: text! }],
        state: { values, originals, errors: errorsOf(refused ?? []), row },
      });
    }
    const labels = names.map((name) => page.fields.find((field) => field.name === name)?.label ?? name);
    flash(request, 'success', `Saved ${noun} ${id}: ${labels.join(', ')}.`);
    return seeOther(reply, afterSave(request, page, fieldText(request.body, '_action'), id));
  });
}
