/**
 * Which columns a table's rows are addressed by (URLs, ETags, the audit
 * trail's row_key, the admin's links): its primary key; without one, the
 * first unique index in index order whose columns are all NOT NULL (the
 * key InnoDB itself takes in place of a missing primary key); else none,
 * and the resource serves its list only.
 */
export interface IndexCandidate {
  readonly name: string;
  readonly unique?: boolean;
  readonly columns: readonly string[];
}

export interface RowKey {
  readonly columns: readonly string[];
  /** The unique index standing in for a missing primary key. */
  readonly index?: string;
}

/** `usable`: the column can identify a row (NOT NULL, and its value reads back as stored). */
export function chooseRowKey(
  primaryKey: readonly string[],
  indexes: readonly IndexCandidate[],
  usable: (column: string) => boolean,
): RowKey {
  if (primaryKey.length > 0) return { columns: primaryKey };
  const index = indexes.find((candidate) => candidate.unique === true && candidate.columns.every(usable));
  return index === undefined ? { columns: [] } : { columns: index.columns, index: index.name };
}
