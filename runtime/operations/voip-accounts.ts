/**
 * The SIP and IAX accounts A2Billing creates with a card: which row goes into
 * cc_sip_buddies and which into cc_iax_buddies, value for value as A2Billing's
 * PHP writes them (Realtime::insert_voip_config, common/lib/Class.Realtime.php
 * lines 128-205 of Star2Billing/a2billing), and the cc_config values that
 * feed it. docs/voip-accounts.md has the table of every column, its value and
 * where A2Billing takes it from.
 *
 * Pure: nothing here writes. Whoever creates the card inserts these rows
 * (through the store, so the columns A2Billing leaves out get the schema's
 * defaults, as MySQL gave them to A2Billing).
 */
import type { Db, Row } from '../db/db.js';
import { MissingTableError } from '../db/errors.js';

/**
 * A2Billing's peer_friend settings: cc_config rows of the group
 * `peer_friend`, read into the FRIEND_* constants (common/lib/common.defines.php:55-62).
 */
export interface PeerFriendConfig {
  readonly type: string;
  readonly allow: string;
  readonly context: string;
  readonly nat: string;
  readonly amaflags: string;
  readonly qualify: string;
  readonly host: string;
  readonly dtmfmode: string;
}

export type PeerFriendKey = keyof PeerFriendConfig;

/** The cc_config group A2Billing reads them from (config_group_title). */
export const PEER_FRIEND_GROUP = 'peer_friend';

/**
 * What A2Billing uses for a key its cc_config does not set (or sets to NULL):
 * Class.A2Billing.php, load_conf_db, lines 465-472.
 */
export const A2BILLING_CODE_DEFAULTS: PeerFriendConfig = Object.freeze({
  type: 'friend',
  allow: 'ulaw,alaw,gsm,g729',
  context: 'a2billing',
  nat: 'yes',
  amaflags: 'billing',
  qualify: 'yes',
  host: 'dynamic',
  dtmfmode: 'RFC2833',
});

/**
 * What a fresh A2Billing v2.0.8 install uses: its cc_config rows 124-131 (the
 * install dump), and the code default for amaflags, whose row is keyed
 * `amaflag` there and so never read. The embedded SQLite database has no
 * cc_config: it gets these.
 */
export const A2BILLING_INSTALL_DEFAULTS: PeerFriendConfig = Object.freeze({
  type: 'friend', // cc_config id 124
  allow: 'ulaw,alaw,gsm,g729', // id 125
  context: 'a2billing', // id 126
  nat: 'yes', // id 127
  amaflags: 'billing', // code default: id 128 is the key 'amaflag'
  qualify: 'no', // id 129 ('yes' in v1.4.0, set to 'no' by the v1.4.1 update)
  host: 'dynamic', // id 130
  dtmfmode: 'RFC2833', // id 131
});

const PEER_FRIEND_KEYS = Object.keys(A2BILLING_CODE_DEFAULTS) as PeerFriendKey[];

/** Where a setting came from. */
export type PeerFriendSource = 'cc_config' | 'code default' | 'install default';

export interface PeerFriendSettings {
  readonly config: PeerFriendConfig;
  readonly sources: Readonly<Record<PeerFriendKey, PeerFriendSource>>;
}

/** One cc_config row, as the database returns it. */
export interface ConfigRow {
  config_key: unknown;
  config_value: unknown;
  config_valuetype: unknown;
  config_group_title: unknown;
}

/**
 * PHP's `$value == 1` for a string from the database (PHP 8 rules): a numeric
 * string, surrounding whitespace allowed, equal to 1.
 */
function looselyOne(value: string): boolean {
  const trimmed = value.replace(/^[ \t\n\r\v\f]+|[ \t\n\r\v\f]+$/g, '');
  return /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(trimmed) && Number(trimmed) === 1;
}

/**
 * The value load_conf_db keeps for one row (Class.A2Billing.php:352-360), as
 * the string PHP puts into its SQL: type 0 as it is, type 1 as 1 or 0 (yes,
 * true or 1 are 1), any other type ignored. NULL is no value (PHP's isset).
 */
function configValue(row: ConfigRow): string | undefined {
  const type = Number(row.config_valuetype);
  const value = row.config_value === null || row.config_value === undefined ? null : String(row.config_value);
  if (type === 0) return value ?? undefined;
  if (type === 1) {
    if (value === null) return '0';
    return value.toUpperCase() === 'YES' || value.toUpperCase() === 'TRUE' || looselyOne(value) ? '1' : '0';
  }
  return undefined;
}

/**
 * The settings A2Billing would use, from the cc_config rows (in id order), or
 * from a fresh install's when there is no cc_config table (`undefined`).
 * Rows of other groups are ignored; of two rows with the same key the later
 * wins, as in PHP's array.
 */
export function resolvePeerFriendConfig(rows: readonly ConfigRow[] | undefined): PeerFriendSettings {
  if (rows === undefined) {
    return {
      config: A2BILLING_INSTALL_DEFAULTS,
      sources: Object.fromEntries(PEER_FRIEND_KEYS.map((key) => [key, 'install default'])) as Record<
        PeerFriendKey,
        PeerFriendSource
      >,
    };
  }
  const found = new Map<string, string | undefined>();
  for (const row of rows) {
    // Compared here, exactly: MySQL's `=` ignores trailing spaces, PHP's array keys do not.
    if (row.config_group_title !== PEER_FRIEND_GROUP || typeof row.config_key !== 'string') continue;
    found.set(row.config_key, configValue(row));
  }
  const config = {} as Record<PeerFriendKey, string>;
  const sources = {} as Record<PeerFriendKey, PeerFriendSource>;
  for (const key of PEER_FRIEND_KEYS) {
    const value = found.get(key);
    config[key] = value ?? A2BILLING_CODE_DEFAULTS[key];
    sources[key] = value === undefined ? 'code default' : 'cc_config';
  }
  return { config, sources };
}

/**
 * Reads the peer_friend rows of cc_config; embedded SQLite (no cc_config
 * table) gets a fresh install's values. Any other failure is thrown. Pass the
 * primary (`db.writer ?? db`) when the answer decides a write.
 */
export async function readPeerFriendConfig(db: Db): Promise<PeerFriendSettings> {
  let rows: Row[];
  try {
    rows = await db.all(
      'SELECT config_key, config_value, config_valuetype, config_group_title FROM cc_config' +
        ' WHERE config_group_title = ? ORDER BY id',
      [PEER_FRIEND_GROUP],
    );
  } catch (error) {
    if (error instanceof MissingTableError && error.table.toLowerCase() === 'cc_config')
      return resolvePeerFriendConfig(undefined);
    throw error;
  }
  return resolvePeerFriendConfig(rows as unknown as ConfigRow[]);
}

/** The card, as the API answers it, plus its write-only web password. */
export interface VoipCard {
  readonly id: number;
  /** The account number: the peer's name, account code, registration extension and user name. */
  readonly username: string;
  /** The web password: the peer's secret. */
  readonly uipass: string;
  /** Non-zero: create the SIP account (A2Billing's "CREATE SIP CONFIG"). */
  readonly sip_buddy: number | null;
  /** Non-zero: create the IAX account. */
  readonly iax_buddy: number | null;
}

/** The columns A2Billing's INSERT INTO cc_sip_buddies names, in its order (Class.Realtime.php:178). */
export interface SipBuddyRow {
  name: string;
  accountcode: string;
  regexten: string;
  amaflags: string;
  callerid: string;
  context: string;
  dtmfmode: string;
  host: string;
  type: string;
  username: string;
  allow: string;
  secret: string;
  id_cc_card: number;
  nat: string;
  qualify: string;
}

/** The columns A2Billing's INSERT INTO cc_iax_buddies names, in its order (Class.Realtime.php:193). */
export interface IaxBuddyRow {
  name: string;
  accountcode: string;
  regexten: string;
  amaflags: string;
  callerid: string;
  context: string;
  host: string;
  type: string;
  username: string;
  allow: string;
  secret: string;
  id_cc_card: number;
  qualify: string;
}

export interface VoipAccountRows {
  /** The cc_sip_buddies row, or null when the card has no SIP account (sip_buddy 0 or NULL). */
  readonly sip: SipBuddyRow | null;
  /** The cc_iax_buddies row, or null when the card has no IAX account. */
  readonly iax: IaxBuddyRow | null;
}

/**
 * The widths of the columns written, in characters, as the install dump has
 * them (the same in both tables). A value that does not fit is refused here:
 * A2Billing's non-strict MySQL would cut it (an account code cut short no
 * longer names the card, and the AGI authenticates calls by it), a strict one
 * refuses the INSERT, which A2Billing ignores.
 */
export const VOIP_COLUMN_WIDTHS: Readonly<Record<Exclude<keyof SipBuddyRow, 'id_cc_card'>, number>> = Object.freeze({
  name: 80,
  accountcode: 20,
  regexten: 20,
  amaflags: 7,
  callerid: 80,
  context: 80,
  dtmfmode: 7,
  host: 50,
  type: 6,
  username: 80,
  allow: 100,
  secret: 80,
  nat: 30,
  qualify: 7,
});

/** id_cc_card is an int(11) in both tables, while cc_card.id is a bigint(20). */
export const MAX_ID_CC_CARD = 2_147_483_647;

export interface VoipAccountProblem {
  readonly table: 'cc_sip_buddies' | 'cc_iax_buddies';
  readonly column: string;
  readonly message: string;
}

/** A card whose accounts cannot be written as A2Billing would write them. */
export class VoipAccountError extends Error {
  constructor(readonly problems: readonly VoipAccountProblem[]) {
    super(
      `the card's VoIP accounts cannot be created: ${problems.map((p) => `${p.table}.${p.column} ${p.message}`).join('; ')}`,
    );
    this.name = 'VoipAccountError';
  }
}

/** PHP's truthiness of the sip_buddy / iax_buddy flag. */
function wanted(flag: number | null): boolean {
  return flag !== null && flag !== 0;
}

/** The rows A2Billing would write, with no check of the columns' widths. */
function rowsOf(card: VoipCard, config: PeerFriendConfig): VoipAccountRows {
  const account = card.username; // $accountnumber: the card's username
  const allow = config.allow.replaceAll(' ', ''); // str_replace(' ', '', FRIEND_ALLOW), Class.Realtime.php:144
  // A2Billing's two INSERTs name the same columns in the same order, but for dtmfmode and nat (SIP only).
  const row: SipBuddyRow = {
    name: account,
    accountcode: account,
    regexten: account,
    amaflags: config.amaflags,
    callerid: '',
    context: config.context,
    dtmfmode: config.dtmfmode,
    host: config.host,
    type: config.type,
    username: account,
    allow,
    secret: card.uipass,
    id_cc_card: card.id,
    nat: config.nat,
    qualify: config.qualify,
  };
  const { dtmfmode: _dtmfmode, nat: _nat, ...iaxRow } = row;
  const sip = wanted(card.sip_buddy) ? row : null;
  const iax: IaxBuddyRow | null = wanted(card.iax_buddy) ? iaxRow : null;
  return { sip, iax };
}

function problemsOf(rows: VoipAccountRows): VoipAccountProblem[] {
  const problems: VoipAccountProblem[] = [];
  const check = (table: VoipAccountProblem['table'], row: SipBuddyRow | IaxBuddyRow) => {
    for (const [column, value] of Object.entries(row)) {
      if (column === 'id_cc_card') {
        if (!Number.isSafeInteger(value) || (value as number) < 1 || (value as number) > MAX_ID_CC_CARD)
          problems.push({ table, column, message: `is ${String(value)}, not an id an int(11) holds` });
        continue;
      }
      const width = VOIP_COLUMN_WIDTHS[column as keyof typeof VOIP_COLUMN_WIDTHS];
      const length = [...(value as string)].length;
      if (length > width)
        problems.push({ table, column, message: `would be ${length} characters long, over its ${width}` });
    }
  };
  if (rows.sip) check('cc_sip_buddies', rows.sip);
  if (rows.iax) check('cc_iax_buddies', rows.iax);
  return problems;
}

/**
 * What voipAccountRows would refuse, without throwing: the username, web
 * password and settings decide it (and the id), so a caller can ask before the
 * card exists, with any id.
 */
export function voipAccountProblems(card: VoipCard, config: PeerFriendConfig): VoipAccountProblem[] {
  return problemsOf(rowsOf(card, config));
}

/**
 * The cc_sip_buddies and cc_iax_buddies rows A2Billing writes for a new card:
 * a row for each of sip_buddy and iax_buddy that is set, its other columns
 * left to their defaults. Throws VoipAccountError when a value would not fit
 * its column.
 */
export function voipAccountRows(card: VoipCard, config: PeerFriendConfig): VoipAccountRows {
  const rows = rowsOf(card, config);
  const problems = problemsOf(rows);
  if (problems.length > 0) throw new VoipAccountError(problems);
  return rows;
}
