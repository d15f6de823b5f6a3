/**
 * An audit entry in words: "Changed Status from Active to Blocked, Locked
 * from No to Yes", with the fields' labels and the choices' names of the
 * model's page instead of the raw JSON of codes the trail stores. A create
 * or a delete lists its values under a disclosure, so a 69-field row is not
 * one line thousands of pixels wide.
 */
import { MASKED } from '../store/audit-log.js';
import type { AdminField, AdminPage } from './contract.js';
import { html, type SafeHtml } from './html.js';
import { displayValue } from './values.js';

/** The audit row's columns this needs. */
export interface AuditRow {
  readonly action?: unknown;
  readonly old_values?: unknown;
  readonly new_values?: unknown;
  readonly note?: unknown;
}

function parsed(text: unknown): Record<string, unknown> | null {
  if (typeof text !== 'string' || text === '') return null;
  try {
    const value = JSON.parse(text) as unknown;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** One value as the page shows it: a choice by its name, nothing as "empty". */
function valueText(field: AdminField | undefined, value: unknown): SafeHtml {
  if (value === null || value === undefined || value === '') return html`<span class="muted">empty</span>`;
  if (typeof value === 'object' && !Array.isArray(value)) return html`<q>${JSON.stringify(value)}</q>`;
  return html`<q>${displayValue(field, value)}</q>`;
}

/** The changed fields the page shows (a field the caller's role hides is left out, and counted). */
function fieldsOf(page: AdminPage | undefined, names: readonly string[]) {
  const shown = names.flatMap((name) => {
    const field = page?.fields.find((candidate) => candidate.name === name);
    return page === undefined || field !== undefined ? [{ name, field }] : [];
  });
  return { shown, hidden: names.length - shown.length };
}

function hiddenNote(count: number): SafeHtml | '' {
  return count > 0
    ? html` <span class="muted">(and ${count} field${count === 1 ? '' : 's'} you cannot see)</span>`
    : '';
}

/** "Changed Status from Active to Blocked, Locked from No to Yes". */
function changes(
  page: AdminPage | undefined,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): SafeHtml {
  const names = [...new Set([...Object.keys(after), ...Object.keys(before)])];
  const { shown, hidden } = fieldsOf(page, names);
  if (shown.length === 0) return html`Changed nothing you can see${hiddenNote(hidden)}`;
  return html`Changed ${shown.map(({ name, field }, index) => {
    const label = html`<strong>${field?.label ?? name}</strong>`;
    const separator = index === 0 ? '' : ', ';
    // A secret is never shown, not even masked: that it changed is all there is to say.
    if (field?.writeOnly || before[name] === MASKED || after[name] === MASKED) return html`${separator}${label}`;
    return html`${separator}${label} from ${valueText(field, before[name])} to ${valueText(field, after[name])}`;
  })}${hiddenNote(hidden)}`;
}

/** The values of a created or deleted row, empty ones left out, in a disclosure. */
function rowValues(page: AdminPage | undefined, verb: string, values: Record<string, unknown>): SafeHtml {
  const { shown, hidden } = fieldsOf(
    page,
    Object.keys(values).filter((name) => values[name] !== null && values[name] !== '' && values[name] !== MASKED),
  );
  return html`<details class="history-values"><summary>${verb} with ${shown.length} value${shown.length === 1 ? '' : 's'}</summary>
<dl class="summary">${shown.map(
    ({ name, field }) => html`<dt>${field?.label ?? name}</dt><dd>${displayValue(field, values[name])}</dd>`,
  )}</dl>${hiddenNote(hidden)}</details>`;
}

/** The entry in words, for `page` (the changed row's model page, as the caller sees it; undefined: names as stored). */
export function describeEntry(page: AdminPage | undefined, row: AuditRow): SafeHtml {
  const before = parsed(row.old_values);
  const after = parsed(row.new_values);
  const note =
    typeof row.note === 'string' && row.note !== '' ? html` <span class="history-note">Note: ${row.note}</span>` : '';
  switch (row.action) {
    case 'create':
      return html`${after ? rowValues(page, 'Created', after) : 'Created'}${note}`;
    case 'delete':
      return html`${before ? rowValues(page, 'Deleted', before) : 'Deleted'}${note}`;
    default:
      return html`${changes(page, before ?? {}, after ?? {})}${note}`;
  }
}
