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
