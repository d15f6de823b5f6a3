/**
 * Admin sessions kept in the database (`a2gen_session`), so that signing
 * out, deactivating a user or changing a password ends a session for good,
 * however the change was made: the cookie only carries a random token, and
 * a token whose row is gone, or whose user no longer matches what it was
 * signed in as, opens nothing. Shared by every worker and instance.
 */
import { hash, randomBytes } from 'node:crypto';
import { readAttributes } from './role-attributes.js';
import type { Db } from '../db/db.js';
import { MissingTableError } from '../db/errors.js';
import type { SessionUser } from './user-store.js';

export const SESSION_TABLE_DDL: { mysql: string; sqlite: string } = {
  // `id` is the SHA-256 of the cookie's token: the table never holds a token that would open a session.
  mysql: `CREATE TABLE IF NOT EXISTS \`a2gen_session\` (
  \`id\` char(64) NOT NULL,
  \`user_id\` int(11) NOT NULL,
  \`session_version\` int(11) NOT NULL,
  \`password_digest\` char(64) NOT NULL,
  \`created_at\` bigint NOT NULL,
  \`expires_at\` bigint NOT NULL,
  PRIMARY KEY (\`id\`),
  KEY \`a2gen_session_user\` (\`user_id\`)
) ENGINE=InnoDB DEFAULT CHARSET=ascii`,
  sqlite: `CREATE TABLE IF NOT EXISTS \`a2gen_session\` (
  \`id\` char(64) NOT NULL PRIMARY KEY,
  \`user_id\` int(11) NOT NULL,
  \`session_version\` int(11) NOT NULL,
  \`password_digest\` char(64) NOT NULL,
  \`created_at\` bigint NOT NULL,
  \`expires_at\` bigint NOT NULL
)`,
};
const SESSION_USER_INDEX_SQLITE = 'CREATE INDEX IF NOT EXISTS `a2gen_session_user` ON `a2gen_session` (`user_id`)';

// The user's session version is copied from its row in the same statement, so no change slips in between.
const INSERT_SESSION =
  'INSERT INTO `a2gen_session` (`id`, `user_id`, `session_version`, `password_digest`, `created_at`, `expires_at`) ' +
  'SELECT ?, `id`, `session_version`, ?, ?, ? FROM `user` WHERE `id` = ?';
const FIND_SESSION =
  'SELECT `u`.`id`, `u`.`username`, `u`.`email`, `u`.`active`, `u`.`admin`, `u`.`session_version`, `u`.`password`, ' +
  '`u`.`role`, `u`.`attributes`, ' +
  '`s`.`session_version` AS `signed_in_version`, `s`.`password_digest`, `s`.`expires_at` ' +
  'FROM `a2gen_session` `s` JOIN `user` `u` ON `u`.`id` = `s`.`user_id` WHERE `s`.`id` = ?';
const EXTEND_SESSION = 'UPDATE `a2gen_session` SET `expires_at` = ? WHERE `id` = ?';
const RENEW_SESSION =
  'UPDATE `a2gen_session` SET `session_version` = (SELECT `session_version` FROM `user` WHERE `id` = ?), ' +
  '`password_digest` = ? WHERE `id` = ?';
const DELETE_SESSION = 'DELETE FROM `a2gen_session` WHERE `id` = ?';
const DELETE_USER_SESSIONS = 'DELETE FROM `a2gen_session` WHERE `user_id` = ?';
const DELETE_EXPIRED = 'DELETE FROM `a2gen_session` WHERE `expires_at` <= ?';

/** How often at most a session's expiry is pushed back: not a write on every page. */
const EXTEND_EVERY_MS = 60_000;

/** What a token opens: the user as now stored, and whether the session still holds. */
export interface FoundSession {
  user: SessionUser;
  /** Unexpired, the user active with the admin flag, the same password and session version as at sign-in. */
  valid: boolean;
  /** When the session ends unless extended (ms since the epoch). */
  expiresAt: number;
}

/** A stored password hash, hashed again: enough to notice it changed, useless for anything else. */
export function passwordDigest(passwordHash: string): string {
  return hash('sha256', passwordHash, 'hex');
}

function tokenId(token: string): string {
  return hash('sha256', token, 'hex');
}

export class SessionStore {
  constructor(
    private readonly db: Db,
    /** How long a session lasts without activity. */
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async ensureTable(): Promise<void> {
    await this.db.run(SESSION_TABLE_DDL[this.db.dialect]);
    if (this.db.dialect === 'sqlite') await this.db.run(SESSION_USER_INDEX_SQLITE);
  }

  /**
   * A new session for the user; the token goes into the cookie. Expired sessions are cleared on the way.
   * The table is created by the first sign-in that finds it missing (a database that was down at startup).
   */
  async create(userId: number, passwordHash: string): Promise<string> {
    const now = this.now();
    try {
      await this.db.run(DELETE_EXPIRED, [now]);
    } catch (error) {
      if (!(error instanceof MissingTableError)) throw error;
      await this.ensureTable();
    }
    const token = randomBytes(32).toString('base64url');
    await this.db.run(INSERT_SESSION, [tokenId(token), passwordDigest(passwordHash), now, now + this.ttlMs, userId]);
    return token;
  }

  /** Undefined when no session has this token (signed out, ended, or never made). */
  async find(token: string): Promise<FoundSession | undefined> {
    let rows;
    try {
      rows = await this.db.all(FIND_SESSION, [tokenId(token)]);
    } catch (error) {
      // No table yet: nobody has signed in since it was introduced.
      if (error instanceof MissingTableError) return undefined;
      throw error;
    }
    const [row] = rows;
    if (row === undefined) return undefined;
    const user: SessionUser = {
      id: Number(row.id),
      username: String(row.username),
      email: String(row.email),
      active: Number(row.active) !== 0,
      admin: Number(row.admin) !== 0,
      // What the signed-in user may do in the panel: its role (NULL: the admin role) and attributes.
      role: row.role === null || row.role === undefined ? null : String(row.role),
      attributes: readAttributes(row.attributes),
      sessionVersion: Number(row.session_version),
    };
    const expiresAt = Number(row.expires_at);
    const valid =
      expiresAt > this.now() &&
      user.active &&
      user.admin &&
      Number(row.signed_in_version) === user.sessionVersion &&
      row.password_digest === passwordDigest(String(row.password));
    return { user, valid, expiresAt };
  }

  /** Pushes the expiry back after activity, at most once a minute. */
  async extend(token: string, session: FoundSession): Promise<void> {
    const expiresAt = this.now() + this.ttlMs;
    if (expiresAt - session.expiresAt >= EXTEND_EVERY_MS)
      await this.db.run(EXTEND_SESSION, [expiresAt, tokenId(token)]);
  }

  /** Keeps this session after its own user's password or session version changed (the user changed it here). */
  async renew(token: string, userId: number, passwordHash: string): Promise<void> {
    await this.db.run(RENEW_SESSION, [userId, passwordDigest(passwordHash), tokenId(token)]);
  }

  async end(token: string): Promise<void> {
    await this.db.run(DELETE_SESSION, [tokenId(token)]);
  }

  async endAllOf(userId: number): Promise<void> {
    await this.db.run(DELETE_USER_SESSIONS, [userId]);
  }
}
