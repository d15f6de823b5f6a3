/**
 * What deleting rows would do to the rows that reference them (the schema's
 * x-references), counted by model with one GROUP BY query per relation:
 * a reference marked `onDelete: "protect"` keeps a referenced row from being
 * deleted while rows refer to it (a card group its cards use); any other
 * reference is left pointing at no row, and the confirmation says how many.
 *
 * Counted over the whole table, whatever the caller's scope: a row in use by
 * rows the caller cannot see is still in use.
 */
import type { Db, SqlValue } from '../db/db.js';
import { parseKey } from '../store/keys.js';
import type { AdminContext } from './context.js';
import type { AdminPage } from './contract.js';
import { html, lowerFirst, type SafeHtml } from './html.js';
import { referrersOf, type Referrer } from './related.js';

export interface Consequence {
  readonly referrer: Referrer;
  /** The referenced rows may not be deleted while this model's rows refer to them. */
  readonly protect: boolean;
  /** Referring rows, by the selected row's key (URL form); keys without any are absent. */
  readonly byKey: ReadonlyMap<string, number>;
  readonly total: number;
}

/** Every model referring to the rows `ids` (keys in URL form), with how many of its rows do; none left out. */
export async function consequencesOf(
  context: AdminContext,
  page: AdminPage,
  ids: readonly string[],
  db: Db = context.db,
): Promise<Consequence[]> {
  const keys = new Map<string, SqlValue>();
  for (const id of ids) {
    const key = parseKey(page.model, id);
    if (key?.length === 1) keys.set(id, key[0]!);
  }
  if (keys.size === 0) return [];
  const byValue = new Map([...keys].map(([id, value]) => [String(value), id]));
  return Promise.all(
    referrersOf(context, page).map(async (referrer) => {
      const { model } = referrer.page;
      const column = model.byName.get(referrer.field)!;
      const rows = await db.all(
        `SELECT ${column.sql} AS \`k\`, COUNT(*) AS \`n\` FROM ${model.table} WHERE ${column.sql} IN (${[...keys.values()].map(() => '?').join(', ')}) GROUP BY ${column.sql}`,
        [...keys.values()],
      );
      const byKey = new Map<string, number>();
      for (const row of rows) {
        const id = byValue.get(String(row.k));
        if (id !== undefined) byKey.set(id, Number(row.n));
      }
      return {
        referrer,
        protect: column.spec.references?.onDelete === 'protect',
        byKey,
        total: [...byKey.values()].reduce((sum, n) => sum + n, 0),
      };
    }),
  );
}

/** The selected keys that may not be deleted, each with why: "12 cards refer to it". */
export function protectedBy(consequences: readonly Consequence[]): Map<string, string> {
  const reasons = new Map<string, string[]>();
  for (const consequence of consequences) {
    if (!consequence.protect) continue;
    for (const [id, count] of consequence.byKey) {
      const noun = lowerFirst(count === 1 ? consequence.referrer.page.title : consequence.referrer.page.plural);
      reasons.set(id, [...(reasons.get(id) ?? []), `${count} ${noun}`]);
    }
  }
  return new Map(
    [...reasons].map(([id, parts]) => [
      id,
      `${parts.join(' and ')} ${parts.length === 1 && /^1 /.test(parts[0]!) ? 'refers' : 'refer'} to it`,
    ]),
  );
}

function filteredList(referrer: Referrer, ids: readonly string[]): string {
  const [only] = ids;
  const search =
    ids.length === 1 && only !== undefined
      ? new URLSearchParams([[referrer.field, only]])
      : new URLSearchParams([[`${referrer.field}__in`, ids.join(',')]]);
  return `/admin/${referrer.page.resource}/?${search}`;
}

/** The confirmation's account of the consequences, by model; nothing when no row refers to the selection. */
export function consequencesPanel(page: AdminPage, consequences: readonly Consequence[]): SafeHtml | '' {
  const affecting = consequences.filter((consequence) => consequence.total > 0);
  if (affecting.length === 0) return '';
  const target = lowerFirst(page.title);
  return html`<section class="panel consequences" aria-labelledby="consequences-title">
  <h2 id="consequences-title">What else this affects</h2>
  <ul>${affecting.map((consequence) => {
    const { referrer, total } = consequence;
    const noun = lowerFirst(total === 1 ? referrer.page.title : referrer.page.plural);
    const field = referrer.page.fields.find((candidate) => candidate.name === referrer.field)?.label ?? referrer.field;
    const link = html`<a href="${filteredList(referrer, [...consequence.byKey.keys()])}">${total} ${noun}</a>`;
    return consequence.protect
      ? html`<li class="protected">${link} (by ${field}) ${total === 1 ? 'refers' : 'refer'} to it: a ${target} is not deleted while ${lowerFirst(referrer.page.plural)} refer to it.</li>`
      : html`<li>${link} (by ${field}) will be left pointing at no ${target}.</li>`;
  })}</ul>
</section>`;
}
