/**
 * The runtime-owned `user` table (the old Flask app's users): who may call
 * /api/ and log into the admin panel. Never exposed under /api/.
 */
import { DEFAULT_ROLE } from '../access/principal.js';
import type { Db, Row } from '../db/db.js';
import { addColumnIfMissing } from './add-column.js';
import { hashPassword } from './password.js';
import { attributesJson, readAttributes, type Attributes } from './role-attributes.js';

/**
 * Same columns as the old table, so an existing A2Billing database keeps its
 * users. SQLite compares usernames and emails case-insensitively (NOCASE) to
 * behave like MySQL's default utf8mb4 collation.
 */
export const USER_TABLE_DDL: { mysql: string; sqlite: string } = {
  mysql: `CREATE TABLE IF NOT EXISTS \`user\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`username\` varchar(255) NOT NULL,
  \`password\` varchar(255) NOT NULL,
  \`email\` varchar(255) NOT NULL,
  \`active\` tinyint(1) NOT NULL DEFAULT 1,
  \`admin\` tinyint(1) NOT NULL DEFAULT 0,
  \`session_version\` int(11) NOT NULL DEFAULT 0,
  \`role\` varchar(64) NULL,
  \`attributes\` text NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`user_username\` (\`username\`),
  UNIQUE KEY \`user_email\` (\`email\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  sqlite: `CREATE TABLE IF NOT EXISTS \`user\` (
  \`id\` INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  \`username\` varchar(255) NOT NULL COLLATE NOCASE UNIQUE,
  \`password\` varchar(255) NOT NULL,
  \`email\` varchar(255) NOT NULL COLLATE NOCASE UNIQUE,
  \`active\` tinyint(1) NOT NULL DEFAULT 1,
  \`admin\` tinyint(1) NOT NULL DEFAULT 0,
  \`session_version\` int(11) NOT NULL DEFAULT 0,
  \`role\` varchar(64) NULL,
  \`attributes\` text NULL
)`,
};

/**
 * `session_version` is this runtime's addition to the old table: a counter
 * bumped when a user's password changes or the user is deactivated, which
 * ends every admin session signed in under an older value. Tables created
 * before it get the column (with its default) at startup.
 */
const ADDED_COLUMNS: ReadonlyArray<[name: string, definition: string]> = [
  ['session_version', 'int(11) NOT NULL DEFAULT 0'],
  // The user's role (NULL: DEFAULT_ROLE, everything, as before roles existed) and its attributes, a JSON
  // object of strings (NULL: none). Nullable, so adding them changes nothing for existing users.
  ['role', 'varchar(64) NULL'],
  ['attributes', 'text NULL'],
];
const BUMP_SESSION_VERSION = 'UPDATE `user` SET `session_version` = `session_version` + 1 WHERE `id` = ?';

const FIND_BY_USERNAME =
  'SELECT `id`, `username`, `password`, `email`, `active`, `admin`, `role`, `attributes` FROM `user` WHERE `username` = ? LIMIT 1';
const COUNT_USERS = 'SELECT COUNT(*) AS `n` FROM `user`';
const LIST_USERS =
  'SELECT `id`, `username`, `email`, `active`, `admin`, `role`, `attributes` FROM `user` ORDER BY `id`';
const SET_ROLE = 'UPDATE `user` SET `role` = ?, `attributes` = ? WHERE `id` = ?';
const INSERT_USER = 'INSERT INTO `user` (`username`, `password`, `email`, `active`, `admin`) VALUES (?, ?, ?, 1, 1)';
// A password reset or a deactivation also ends the user's admin sessions (session_version).
const RESET_ADMIN =
  'UPDATE `user` SET `password` = ?, `active` = 1, `admin` = 1, `session_version` = `session_version` + 1 WHERE `id` = ?';
const RESET_ADMIN_WITH_EMAIL =
  'UPDATE `user` SET `password` = ?, `email` = ?, `active` = 1, `admin` = 1, `session_version` = `session_version` + 1 WHERE `id` = ?';
const DEACTIVATE = 'UPDATE `user` SET `active` = 0, `session_version` = `session_version` + 1 WHERE `username` = ?';
const SET_PASSWORD = 'UPDATE `user` SET `password` = ? WHERE `id` = ?';

/** A user as listed: everything but the password hash. */
export interface UserSummary {
  id: number;
  username: string;
  email: string;
  active: boolean;
  admin: boolean;
  /** Its role in the roles file; null or absent: the admin role. */
  role?: string | null;
  /** The role's parameters (an agent's `agent`). */
  attributes?: Readonly<Record<string, string>>;
}

/** A user as the admin panel's session check reads it. */
export interface SessionUser extends UserSummary {
  /** Sessions signed in under another value have ended. */
  sessionVersion: number;
}

/** What a user may do: its role and the role's attributes, as stored. */
export interface UserRole {
  /** NULL in the table reads as DEFAULT_ROLE. */
  role: string;
  /** The role was set (not NULL): DEFAULT_ROLE by default only otherwise. */
  roleSet: boolean;
  /** Undefined when the stored text is not a JSON object of strings (a hand-made UPDATE): such a user is refused. */
  attributes: Attributes | undefined;
}

/** A user as listed with its role. */
export type UserWithRole = UserSummary & UserRole;

/** A user with the stored password hash and role, for verification only. */
export interface UserRecord extends UserWithRole {
  password: string;
}

export interface AdminInput {
  username: string;
  /** Defaults to `<username>@localhost` for a new user; an existing user's is changed only when given. */
  email?: string;
  password: string;
}

function toSummary(row: Row): UserSummary {
  return {
    id: Number(row.id),
    username: String(row.username),
    email: String(row.email),
    // tinyint(1) reads as a number on both drivers.
    active: Number(row.active) !== 0,
    admin: Number(row.admin) !== 0,
  };
}

function toRole(row: Row): UserRole {
  const stored = row.role === null || row.role === undefined ? undefined : String(row.role);
  return { role: stored ?? DEFAULT_ROLE, roleSet: stored !== undefined, attributes: readAttributes(row.attributes) };
}

export class UserStore {
  constructor(private readonly db: Db) {}

  /** The only DDL the service runs on MySQL: create the table when missing. */
  async ensureTable(): Promise<void> {
    await this.db.run(USER_TABLE_DDL[this.db.dialect]);
    for (const [name, definition] of ADDED_COLUMNS) await addColumnIfMissing(this.db, 'user', name, definition);
  }

  async findByUsername(username: string): Promise<UserRecord | undefined> {
    const [row] = await this.db.all(FIND_BY_USERNAME, [username]);
    if (row === undefined) return undefined;
    return { ...toSummary(row), ...toRole(row), password: String(row.password) };
  }

  async count(): Promise<number> {
    const [row] = await this.db.all(COUNT_USERS);
    return Number(row?.n ?? 0);
  }

  async list(): Promise<UserWithRole[]> {
    return (await this.db.all(LIST_USERS)).map((row) => ({ ...toSummary(row), ...toRole(row) }));
  }

  /**
   * Sets a user's role and attributes (a null role: back to DEFAULT_ROLE, and no attributes); false when
   * no user has that id. Every process drops the user's cached credentials within the watch's interval.
   */
  async setRole(id: number, role: string | null, attributes: Attributes = {}): Promise<boolean> {
    const { affectedRows } = await this.db.run(SET_ROLE, [
      role,
      role === null || Object.keys(attributes).length === 0 ? null : attributesJson(attributes),
      id,
    ]);
    return affectedRows > 0;
  }

  /** Creates an active admin, or gives an existing user a new password and makes it an active admin. */
  async createOrResetAdmin(input: AdminInput): Promise<'created' | 'reset'> {
    const hash = await hashPassword(input.password);
    const existing = await this.findByUsername(input.username);
    if (existing === undefined) {
      await this.db.run(INSERT_USER, [input.username, hash, input.email ?? `${input.username}@localhost`]);
      return 'created';
    }
    if (input.email === undefined) await this.db.run(RESET_ADMIN, [hash, existing.id]);
    else await this.db.run(RESET_ADMIN_WITH_EMAIL, [hash, input.email, existing.id]);
    return 'reset';
  }

  /** False when no user has that name. */
  async deactivate(username: string): Promise<boolean> {
    const { affectedRows } = await this.db.run(DEACTIVATE, [username]);
    return affectedRows > 0;
  }

  async setPasswordHash(id: number, hash: string): Promise<void> {
    await this.db.run(SET_PASSWORD, [hash, id]);
  }

  // For the admin panel's users page (runtime/admin/users.ts).

  /** With the session version, which the admin panel checks on every request, and the role. */
  async findById(id: number): Promise<(SessionUser & UserRole) | undefined> {
    const [row] = await this.db.all(FIND_BY_ID, [id]);
    return row === undefined
      ? undefined
      : { ...toSummary(row), ...toRole(row), sessionVersion: Number(row.session_version) };
  }

  /** Ends every admin session of the user (password changed, deactivated); returns the new version. */
  async endSessions(id: number): Promise<number> {
    await this.db.run(BUMP_SESSION_VERSION, [id]);
    return (await this.findById(id))?.sessionVersion ?? 0;
  }

  /** Creates a user; a taken username or email throws the database's DuplicateKeyError. */
  async create(input: NewUser): Promise<number> {
    const hash = await hashPassword(input.password);
    const { insertId } = await this.db.run(INSERT_NEW_USER, [
      input.username,
      hash,
      input.email,
      input.active ? 1 : 0,
      input.admin ? 1 : 0,
    ]);
    return insertId;
  }

  /** Sets email, active and admin; the password only through setPasswordHash. */
  async update(id: number, changes: UserChanges): Promise<void> {
    await this.db.run(UPDATE_USER, [changes.email, changes.active ? 1 : 0, changes.admin ? 1 : 0, id]);
  }
}

const FIND_BY_ID =
  'SELECT `id`, `username`, `email`, `active`, `admin`, `session_version`, `role`, `attributes` FROM `user` WHERE `id` = ? LIMIT 1';
const INSERT_NEW_USER =
  'INSERT INTO `user` (`username`, `password`, `email`, `active`, `admin`) VALUES (?, ?, ?, ?, ?)';
const UPDATE_USER = 'UPDATE `user` SET `email` = ?, `active` = ?, `admin` = ? WHERE `id` = ?';

export interface NewUser {
  username: string;
  email: string;
  password: string;
  active: boolean;
  admin: boolean;
}

export interface UserChanges {
  email: string;
  active: boolean;
  admin: boolean;
}
