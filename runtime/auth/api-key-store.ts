/**
 * The runtime-owned `a2gen_api_key` table: keys that call /api/ with
 * `Authorization: Bearer <token>`, each with a unique name, an owner (free
 * text: who asked for it), a role and its attributes. The token is never
 * stored, only its hash (api-key-token.ts). Never exposed under /api/.
 * Times are milliseconds since the epoch, as in `a2gen_session`: one
 * meaning on both databases, whatever their time zones.
 */
import type { Db, Row } from '../db/db.js';
import { MissingTableError } from '../db/errors.js';
import { newToken, tokenHash } from './api-key-token.js';
import { attributesJson, readAttributes, type Attributes } from './role-attributes.js';

export const API_KEY_TABLE_DDL: { mysql: string; sqlite: string } = {
  mysql: `CREATE TABLE IF NOT EXISTS \`a2gen_api_key\` (
  \`id\` int(11) NOT NULL AUTO_INCREMENT,
  \`name\` varchar(64) NOT NULL,
  \`token_hash\` char(64) CHARACTER SET ascii NOT NULL,
  \`owner\` varchar(255) NOT NULL DEFAULT '',
  \`role\` varchar(64) NOT NULL,
  \`attributes\` text NOT NULL,
  \`created_at\` bigint NOT NULL,
  \`expires_at\` bigint NULL,
  \`last_used_at\` bigint NULL,
  \`revoked_at\` bigint NULL,
  PRIMARY KEY (\`id\`),
  UNIQUE KEY \`a2gen_api_key_name\` (\`name\`),
  UNIQUE KEY \`a2gen_api_key_token\` (\`token_hash\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4`,
  // NOCASE: names compare as on MySQL's default collation, so `CI` and `ci` cannot both exist.
  sqlite: `CREATE TABLE IF NOT EXISTS \`a2gen_api_key\` (
  \`id\` INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
  \`name\` varchar(64) NOT NULL COLLATE NOCASE UNIQUE,
  \`token_hash\` char(64) NOT NULL UNIQUE,
  \`owner\` varchar(255) NOT NULL DEFAULT '',
  \`role\` varchar(64) NOT NULL,
  \`attributes\` text NOT NULL,
  \`created_at\` bigint NOT NULL,
  \`expires_at\` bigint NULL,
  \`last_used_at\` bigint NULL,
  \`revoked_at\` bigint NULL
)`,
};

const COLUMNS = '`id`, `name`, `owner`, `role`, `attributes`, `created_at`, `expires_at`, `last_used_at`, `revoked_at`';
const INSERT_KEY =
  'INSERT INTO `a2gen_api_key` (`name`, `token_hash`, `owner`, `role`, `attributes`, `created_at`, `expires_at`) VALUES (?, ?, ?, ?, ?, ?, ?)';
const LIST_KEYS = `SELECT ${COLUMNS} FROM \`a2gen_api_key\` ORDER BY \`name\``;
const FIND_KEY = `SELECT ${COLUMNS} FROM \`a2gen_api_key\` WHERE \`name\` = ?`;
const REVOKE_KEY = 'UPDATE `a2gen_api_key` SET `revoked_at` = ? WHERE `name` = ? AND `revoked_at` IS NULL';
/** The key watch's reading, every interval: the keys that may still work (an expired one is refused per request). */
export const READ_LIVE_KEYS =
  'SELECT `id`, `name`, `token_hash`, `role`, `attributes`, `expires_at` FROM `a2gen_api_key` WHERE `revoked_at` IS NULL';
// Never back in time: another worker may have recorded a later use already.
const RECORD_USE =
  'UPDATE `a2gen_api_key` SET `last_used_at` = ? WHERE `id` = ? AND (`last_used_at` IS NULL OR `last_used_at` < ?)';

/** A key as listed: everything but its hash. */
export interface ApiKeySummary {
  id: number;
  name: string;
  owner: string;
  role: string;
  /** Undefined when the stored text is not a JSON object of strings (a hand-made UPDATE): the key is refused. */
  attributes: Attributes | undefined;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** A key that may still work, as the key ring holds it. */
export interface LiveKey {
  id: number;
  name: string;
  tokenHash: string;
  role: string;
  attributes: Attributes | undefined;
  expiresAt: number | null;
}

export interface NewApiKey {
  name: string;
  role: string;
  attributes: Attributes;
  owner: string;
  /** Ms since the epoch; null: never. */
  expiresAt: number | null;
}

/** Names as the audit trail shows them (`key:<name>`): letters, digits, `.`, `_` and `-`. */
const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function keyNameProblem(name: string): string | undefined {
  return KEY_NAME.test(name)
    ? undefined
    : 'a key name is 1 to 64 characters of letters, digits, ".", "_" and "-", starting with a letter or digit';
}

const time = (value: unknown) => (value === null || value === undefined ? null : Number(value));

function toSummary(row: Row): ApiKeySummary {
  return {
    id: Number(row.id),
    name: String(row.name),
    owner: String(row.owner),
    role: String(row.role),
    attributes: readAttributes(row.attributes),
    createdAt: Number(row.created_at),
    expiresAt: time(row.expires_at),
    lastUsedAt: time(row.last_used_at),
    revokedAt: time(row.revoked_at),
  };
}

export class ApiKeyStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Created at startup when missing, beside the `user` table. */
  async ensureTable(): Promise<void> {
    await this.db.run(API_KEY_TABLE_DDL[this.db.dialect]);
  }

  /** Stores a new key and returns its token, which exists nowhere else: a taken name throws DuplicateKeyError. */
  async create(key: NewApiKey): Promise<{ id: number; token: string }> {
    const token = newToken();
    const { insertId } = await this.db.run(INSERT_KEY, [
      key.name,
      tokenHash(token),
      key.owner,
      key.role,
      attributesJson(key.attributes),
      this.now(),
      key.expiresAt,
    ]);
    return { id: insertId, token };
  }

  async list(): Promise<ApiKeySummary[]> {
    return (await this.db.all(LIST_KEYS)).map(toSummary);
  }

  async find(name: string): Promise<ApiKeySummary | undefined> {
    const [row] = await this.db.all(FIND_KEY, [name]);
    return row === undefined ? undefined : toSummary(row);
  }

  /** 'revoked', or why not: no such key, or revoked before. Refused everywhere within the key watch's interval. */
  async revoke(name: string): Promise<'revoked' | 'missing' | 'already'> {
    const { affectedRows } = await this.db.run(REVOKE_KEY, [this.now(), name]);
    if (affectedRows > 0) return 'revoked';
    return (await this.find(name)) === undefined ? 'missing' : 'already';
  }

  /** The table is made by the first reading that finds it missing (a database that was down at startup). */
  async live(): Promise<LiveKey[]> {
    let rows: Row[];
    try {
      rows = await this.db.all(READ_LIVE_KEYS);
    } catch (error) {
      if (!(error instanceof MissingTableError)) throw error;
      await this.ensureTable();
      rows = [];
    }
    return rows.map((row) => ({
      id: Number(row.id),
      name: String(row.name),
      tokenHash: String(row.token_hash),
      role: String(row.role),
      attributes: readAttributes(row.attributes),
      expiresAt: time(row.expires_at),
    }));
  }

  /** The latest use of each key (ms), as remembered since the last call. */
  async recordUses(uses: ReadonlyMap<number, number>): Promise<void> {
    for (const [id, at] of uses) await this.db.run(RECORD_USE, [at, id, at]);
  }
}
