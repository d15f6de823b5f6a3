/**
 * Driver-neutral database errors. Each driver translates its own error codes
 * into these so the HTTP layer can answer 409, 400 or 503 without knowing
 * which database is behind it.
 */

/** A UNIQUE or PRIMARY key would be violated. */
export class DuplicateKeyError extends Error {
  constructor(
    /** The index name as the database reports it (MySQL), when known. */
    readonly key: string | undefined,
    /** The columns of that key, when the database names them (SQLite). */
    readonly columns: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`duplicate value for key ${key ?? columns.join(', ')}`, options);
    this.name = 'DuplicateKeyError';
  }
}

/** The database cannot be reached or dropped the connection. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DatabaseUnavailableError';
  }
}

/** A table the service needs does not exist in the database. */
export class MissingTableError extends Error {
  constructor(
    readonly table: string,
    options?: { cause?: unknown },
  ) {
    super(`table ${table} does not exist in the database`, options);
    this.name = 'MissingTableError';
  }
}

/** The database refused a value (range, length, charset) that validation let through. */
export class InvalidValueError extends Error {
  constructor(
    message: string,
    readonly column: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'InvalidValueError';
  }
}

/** What a FOREIGN KEY constraint refused, in the words of the database. */
export interface ForeignKeyDetails {
  /** The referencing table and the constraint's columns there (SQL names). */
  readonly table?: string;
  readonly constraint?: string;
  readonly columns?: readonly string[];
  /** The referenced table and its columns. */
  readonly referencedTable?: string;
  readonly referencedColumns?: readonly string[];
}

/** A FOREIGN KEY constraint refused a write: nothing was written. */
export class ForeignKeyError extends Error {
  constructor(
    /**
     * `missing`: the written row would point at no row of the referenced table; `referenced`: other
     * rows point at the row deleted or re-keyed; undefined: the database did not say which (SQLite).
     */
    readonly violation: 'missing' | 'referenced' | undefined,
    readonly details: ForeignKeyDetails,
    options?: { cause?: unknown },
  ) {
    super(`a foreign key constraint refused the write${details.constraint ? ` (${details.constraint})` : ''}`, options);
    this.name = 'ForeignKeyError';
  }
}
