/**
 * What the admin shell knows of one model's page: the columns it lists and
 * searches, the filters it offers, every form field with its label, input
 * type, limits, help text and choices (page-model.ts derives them).
 */
import type { ValueRule } from '../../common/value-rules.js';
import type { Resource } from '../store/resource.js';
import type { AdminActionHint } from '../store/model.js';

/** A labelled value; `value` is written as the form sends it. */
export interface AdminChoice {
  readonly value: string;
  readonly label: string;
}

export type AdminInput = 'text' | 'email' | 'textarea' | 'number' | 'select' | 'datetime-local' | 'date' | 'password';

export interface AdminField {
  /** JSON property name; also the form field's name. */
  readonly name: string;
  readonly label: string;
  /** Help text shown under the input. */
  readonly help: string;
  readonly input: AdminInput;
  /** For number inputs: `1`, `0.00001` (from the scale) or `any`. */
  readonly step?: string;
  readonly min?: string;
  readonly max?: string;
  readonly maxLength?: number;
  /** A create must give it. */
  readonly required: boolean;
  /** An empty input stores NULL (or the zero date); otherwise it stores "". */
  readonly nullable: boolean;
  readonly readOnly: boolean;
  /** Part of the primary key: set on create, shown read-only when editing. */
  readonly key: boolean;
  /** Set-only: the stored value is never shown. */
  readonly writeOnly: boolean;
  /** Kept up to date by something else (the telephony engine's counters): shown, never edited here. */
  readonly maintained?: boolean;
  readonly choices?: readonly AdminChoice[];
  /** The create form's starting value (the column's default, as the form shows it). */
  readonly initial: string;
  readonly rule: ValueRule;
}

export interface AdminFilter {
  readonly name: string;
  readonly label: string;
  /** The operators offered, the default first; runtime/admin/operator-words.ts says them in words. */
  readonly operators: readonly string[];
  /** A date column: comparisons read as before/after. */
  readonly dates?: boolean;
  /** Offered as two boxes, from and to (`__gte`, `__lte`): date pickers for dates, number boxes for numbers. */
  readonly range?: 'date' | 'datetime' | 'number';
  /** A reference filtered through the referenced row's label: that label's name ("name"), its operators `name`, `name__icontains`. */
  readonly reference?: string;
  readonly choices?: readonly AdminChoice[];
  /** Example of a value, shown as the placeholder. */
  readonly placeholder: string;
}

export interface AdminGroup {
  readonly title: string;
  readonly description?: string;
  /** Field names, in the schema's order. */
  readonly fields: readonly string[];
}

export interface AdminProtectedRow {
  readonly key: string;
  readonly reason: string;
}

/** A model's page in the admin panel, derived from its column model (page-model.ts). */
export interface AdminPage {
  readonly resource: string;
  /** "Card", "Card group". */
  readonly title: string;
  /** "Cards", "Card groups". */
  readonly plural: string;
  readonly description: string;
  /** Columns of the list, in order; the first links to the edit page. */
  readonly list: readonly string[];
  /** Columns the search box looks in (case-insensitive, anywhere in the value). */
  readonly search: readonly string[];
  /** The filters the list page offers (the schema's `x-admin.filter`). */
  readonly filters: readonly AdminFilter[];
  /** Rows that may not be deleted here, by key in URL form, with the reason shown. */
  readonly protectedRows: readonly AdminProtectedRow[];
  /** Every column, in table order. */
  readonly fields: readonly AdminField[];
  /** The edit form's fieldsets, in order, every field in one (those the schema groups in none last, as "Other"). */
  readonly groups: readonly AdminGroup[];
  /** No add, edit, delete or import here: a read-only model, or one the schema keeps read-only in the admin. */
  readonly readOnly: boolean;
  /** The list's ordering when the URL names none (`-id`: newest first); empty: by key. */
  readonly ordering: string;
  /** The schema's actions on one row or the rows selected (x-admin.actions). */
  readonly actions: readonly AdminActionHint[];
  /** The model as the store works with it. */
  readonly model: Resource;
  /** The API's own body schemas: the admin validates by exactly the same rules. */
  readonly createBodySchema: object;
  readonly updateBodySchema: object;
}
