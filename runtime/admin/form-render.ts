/**
 * The admin's record form as HTML: every field with its label, input, help
 * and error, reference pickers, the conflict table of an edit that met a
 * change made meanwhile, and the Save and Delete buttons.
 */
import type { AdminField, AdminPage } from './contract.js';
import { protectedRow } from './delete-page.js';
import type { Reference } from './references.js';
import { attr, html, type SafeHtml } from './html.js';
import { canonical } from './values.js';

/** Prefix of the hidden inputs that carry each field's value as the form was rendered. */
export const ORIGINAL = '_orig.';

export interface Conflict {
  field: AdminField;
  /** When the form was loaded. */
  was: string;
  /** In the database now. */
  now: string;
  /** What the operator entered. */
  yours: string;
}

export interface FormState {
  /** Each field's text as the inputs show it. */
  values: Record<string, string>;
  /** Edit only: the values the form was rendered with. */
  originals?: Record<string, string>;
  errors: Map<string, string>;
  /** Edit only: the stored row (read-only fields are shown from it). */
  row?: Record<string, unknown>;
  conflicts?: Conflict[];
}

/** A reference column's picker data: the relation, the labels of the values shown, the lookup URL. */
export interface FormReferences {
  byField: Map<string, Reference>;
  labels: Map<string, Map<string, string>>;
  lookup: (field: string) => string;
}

/**
 * A reference column: the plain id input with the referenced row's label and
 * a link to the target's list (all that works without JavaScript), wrapped
 * with what the script needs to turn it into a search-as-you-type picker.
 */
function referenceInput(
  field: AdminField,
  reference: Reference,
  references: FormReferences,
  value: string,
  plainInput: SafeHtml,
): SafeHtml {
  const labels = references.labels.get(field.name);
  // Text that is no id at all (a validation error shows) gets no label.
  const key = canonical(field, value.trim()).startsWith('invalid:') ? '' : value.trim();
  const label = key === '' ? '' : labels?.get(canonical(field, key));
  const noun = reference.targetPage?.title.toLowerCase() ?? reference.target.name;
  const shown = key === '' ? '' : label === undefined ? `no such ${noun}` : label || `#${key}`;
  const picker = reference.label
    ? html` data-lookup="${references.lookup(field.name)}" data-label="${label ?? ''}" data-label-name="${reference.label.name}" data-nullable="${field.nullable ? 'true' : 'false'}"`
    : '';
  return html`<div class="reference"${picker}>
    ${plainInput}
    <span class="reference-label${label === undefined && key !== '' ? ' missing' : ''}" aria-live="polite">${shown}</span>
    ${reference.targetPage && html`<a class="lookup-link" href="/admin/${reference.target.name}/" target="_blank" rel="noopener">Look up ${reference.targetPage.plural.toLowerCase()} ↗</a>`}
  </div>`;
}

/** One field with its label, input, error and help (the action pages ask for values with it too). */
export function fieldInput(
  field: AdminField,
  state: FormState,
  editing: boolean,
  references: FormReferences,
): SafeHtml {
  const id = `field-${field.name}`;
  const value = state.values[field.name] ?? '';
  if (field.writeOnly) {
    // A secret is never shown, nor sent back after a failed save: say so, the same way on every form.
    const note = editing
      ? 'Never shown: unchanged unless filled.'
      : field.required
        ? 'Required. Never shown, so after a failed save type it again.'
        : 'Never shown, so after a failed save type it again.';
    field = { ...field, help: [note, field.help].filter(Boolean).join(' ') };
  }
  const error = state.errors.get(field.name);
  const describedBy = [field.help && `${id}-help`, error && `${id}-error`].filter(Boolean).join(' ') || undefined;
  const required = field.required && !(editing && field.writeOnly);
  const common = html` id="${id}" name="${field.name}"${attr('aria-describedby', describedBy)}${attr('aria-invalid', error ? 'true' : undefined)}`;
  let input: SafeHtml;
  if (field.readOnly) {
    const shown = state.row?.[field.name];
    input = html`<div class="static" id="${id}">${shown === null || shown === undefined ? html`<span class="muted">—</span>` : String(shown)}</div>`;
  } else if (field.input === 'select') {
    const choices = field.choices ?? [];
    const known = choices.some((choice) => choice.value === value);
    input = html`<select${common}${attr('required', required)}>
      ${(field.nullable || (!known && value === '')) && html`<option value="">${field.nullable ? '— none —' : '— choose —'}</option>`}
      ${!known && value !== '' && html`<option value="${value}" selected>${value} (not a known choice)</option>`}
      ${choices.map((choice) => html`<option value="${choice.value}"${attr('selected', choice.value === value)}>${choice.label}</option>`)}
    </select>`;
  } else if (field.input === 'textarea') {
    input = html`<textarea${common}${attr('maxlength', field.maxLength)}${attr('required', required)}>${value}</textarea>`;
  } else if (field.input === 'password') {
    input = html`<input${common} type="password" value="" autocomplete="new-password"${attr('maxlength', field.maxLength)}${attr('required', required)}${attr(
      'placeholder',
      editing ? 'unchanged' : undefined,
    )}>`;
  } else {
    const reference = references.byField.get(field.name);
    input = html`<input${common}${attr('class', reference ? 'reference-id' : undefined)} type="${field.input}" value="${value}"${attr('step', field.step)}${attr('min', field.min)}${attr('max', field.max)}${attr(
      'maxlength',
      field.maxLength,
    )}${attr('required', required)}${attr('inputmode', field.input === 'text' && field.rule.kind === 'decimal' ? 'decimal' : undefined)}>`;
    if (reference) input = referenceInput(field, reference, references, value, input);
  }
  const original =
    editing && !field.readOnly && !field.writeOnly
      ? html`<input type="hidden" name="${ORIGINAL}${field.name}" value="${state.originals?.[field.name] ?? ''}">`
      : '';
  const wide = field.input === 'textarea' || (field.maxLength ?? 0) > 60;
  return html`<div class="field${wide ? ' wide' : ''}${error ? ' has-error' : ''}">
  <label for="${id}"${attr('class', required ? 'required' : undefined)}>${field.label}</label>
  ${input}${original}
  ${error && html`<div class="error" id="${id}-error">${error}</div>`}
  ${field.help && html`<div class="help" id="${id}-help">${field.help}</div>`}
</div>`;
}

function conflictTable(conflicts: Conflict[]): SafeHtml {
  return html`<div class="flash warning" role="alert"><strong>${conflicts.length === 1 ? 'A field you changed was' : `${conflicts.length} fields you changed were`} also changed by someone else while you were editing; nothing was saved.</strong>
  Check the values below; saving again writes your values over the new ones.
  <div class="table-wrap conflicts-wrap"><table class="conflicts"><thead><tr><th>Field</th><th>When you opened the form</th><th>In the database now</th><th>Yours</th></tr></thead>
  <tbody>${conflicts.map(
    (conflict) =>
      html`<tr><td>${conflict.field.label}</td><td>${conflict.was}</td><td><strong>${conflict.now}</strong></td><td>${conflict.yours}</td></tr>`,
  )}</tbody></table></div></div>`;
}

/** The Delete… button, or why this row cannot be deleted (the schema's protectedRows). */
function deleteAction(page: AdminPage, id: string): SafeHtml {
  const guarded = protectedRow(page, id);
  if (guarded) return html`<span class="spacer muted protected-note">Cannot be deleted: ${guarded.reason}</span>`;
  return html`<a class="button danger spacer" href="/admin/${page.resource}/delete/?id=${id}">Delete…</a>`;
}

/** Save buttons: at the top of a long form too, so a change near the top is saved without scrolling. */
function saveButtons(page: AdminPage, id: string | undefined, top: boolean, deletable: boolean): SafeHtml {
  return html`<div class="actions${top ? ' top' : ''}">
    <button class="primary" type="submit" name="_action" value="save">Save</button>
    ${!top && html`<button type="submit" name="_action" value="add">Save and add another</button>`}
    <button type="submit" name="_action" value="continue">Save and continue editing</button>
    ${!top && id !== undefined && deletable && deleteAction(page, id)}
  </div>`;
}

function groupId(index: number): string {
  return `group-${index + 1}`;
}

export function renderForm(
  page: AdminPage,
  state: FormState,
  id: string | undefined,
  csrf: string,
  references: FormReferences,
  /** The signed-in user's role may delete the row: the Delete… button is shown. */
  deletable = true,
): SafeHtml {
  const editing = id !== undefined;
  const byName = new Map(page.fields.map((field) => [field.name, field]));
  const input = (field: AdminField) =>
    fieldInput(editing && field.key ? { ...field, readOnly: true } : field, state, editing, references);
  // A field the role hides is not on the page; a read-only one is not on the add form.
  const groups = page.groups
    .map((group) => ({
      ...group,
      fields: group.fields.flatMap((name) => {
        const field = byName.get(name);
        return field !== undefined && (editing || !field.readOnly) ? [field] : [];
      }),
    }))
    .filter((group) => group.fields.length > 0);
  const titled = groups.length > 1 || (groups.length === 1 && groups[0]!.title !== '');
  const action = editing ? `/admin/${page.resource}/${id}/` : `/admin/${page.resource}/add/`;
  const errorIn = (fields: readonly AdminField[]) => fields.some((field) => state.errors.has(field.name));
  return html`${state.conflicts && state.conflicts.length > 0 && conflictTable(state.conflicts)}
${
  titled &&
  html`<nav class="group-index" aria-label="Sections of the form">${groups.map(
    (group, index) =>
      html`<a href="#${groupId(index)}"${attr('class', errorIn(group.fields) ? 'has-error' : undefined)}>${group.title}</a>`,
  )}</nav>`
}
<form class="record panel${titled ? ' grouped' : ''}" method="post" action="${action}" novalidate>
  <input type="hidden" name="_csrf" value="${csrf}">
  ${titled && saveButtons(page, id, true, deletable)}
  ${
    titled
      ? groups.map(
          (group, index) => html`<fieldset class="group" id="${groupId(index)}">
    <legend>${group.title}</legend>
    ${group.description && html`<p class="group-help">${group.description}</p>`}
    <div class="group-fields">${group.fields.map(input)}</div>
  </fieldset>`,
        )
      : groups.flatMap((group) => group.fields).map(input)
  }
  ${saveButtons(page, id, false, deletable)}
</form>`;
}
