/**
 * runtime/operations/voip-accounts.ts against A2Billing's PHP: the rows
 * Realtime::insert_voip_config writes into cc_sip_buddies and cc_iax_buddies
 * for a new card, and the cc_config values it takes. Each expected value says
 * where A2Billing gets it (paths in Star2Billing/a2billing; "dump" is
 * shared/a2billing/a2billing-v2.0.8-install.sql). docs/voip-accounts.md has the
 * same table.
 */
import t from 'tap';
import { models } from '../../generated/index.js';
import type { Db } from '../../runtime/db/db.js';
import { DatabaseUnavailableError, MissingTableError } from '../../runtime/db/errors.js';
import {
  A2BILLING_CODE_DEFAULTS,
  A2BILLING_INSTALL_DEFAULTS,
  MAX_ID_CC_CARD,
  readPeerFriendConfig,
  resolvePeerFriendConfig,
  VOIP_COLUMN_WIDTHS,
  VoipAccountError,
  voipAccountProblems,
  voipAccountRows,
  type ConfigRow,
  type PeerFriendConfig,
  type VoipCard,
} from '../../runtime/operations/voip-accounts.js';
import { BACKENDS } from '../helpers/backends.js';
import { startService } from '../helpers/service.js';

/** The card of the dump's only SIP and IAX accounts (its cc_card row 1 has uipass 18314euvyzix7spr1eew). */
const CARD: VoipCard = { id: 1, username: '6508756307', uipass: '18314euvyzix7spr1eew', sip_buddy: 1, iax_buddy: 1 };

/** The dump's peer_friend rows of cc_config (ids 124-131), as the database returns them. */
const DUMP_PEER_FRIEND: ConfigRow[] = [
  [124, 'type', 'friend'],
  [125, 'allow', 'ulaw,alaw,gsm,g729'],
  [126, 'context', 'a2billing'],
  [127, 'nat', 'yes'],
  [128, 'amaflag', 'billing'], // sic: not the amaflags that A2Billing reads
  [129, 'qualify', 'no'],
  [130, 'host', 'dynamic'],
  [131, 'dtmfmode', 'RFC2833'],
].map(([, key, value]) => ({
  config_key: key,
  config_value: value,
  config_valuetype: 0,
  config_group_title: 'peer_friend',
}));

const row = (key: string, value: string | null, type = 0, group = 'peer_friend'): ConfigRow => ({
  config_key: key,
  config_value: value,
  config_valuetype: type,
  config_group_title: group,
});

t.test('the defaults A2Billing falls back on', async (t) => {
  t.strictSame(
    A2BILLING_CODE_DEFAULTS,
    {
      type: 'friend', // common/lib/Class.A2Billing.php:465
      allow: 'ulaw,alaw,gsm,g729', // :466
      context: 'a2billing', // :467
      nat: 'yes', // :468
      amaflags: 'billing', // :469
      qualify: 'yes', // :470
      host: 'dynamic', // :471
      dtmfmode: 'RFC2833', // :472
    },
    'for a key cc_config does not set: load_conf_db',
  );
  t.strictSame(
    A2BILLING_INSTALL_DEFAULTS,
    {
      type: 'friend', // dump, cc_config id 124
      allow: 'ulaw,alaw,gsm,g729', // id 125
      context: 'a2billing', // id 126
      nat: 'yes', // id 127
      amaflags: 'billing', // the code default: id 128 is keyed amaflag
      qualify: 'no', // id 129 (UPDATE-a2billing-v1.4.0-to-v1.4.1.sql:125 set it to no)
      host: 'dynamic', // id 130
      dtmfmode: 'RFC2833', // id 131
    },
    "for a database without cc_config: what a fresh install's cc_config gives",
  );
  t.strictSame(
    resolvePeerFriendConfig(DUMP_PEER_FRIEND).config,
    A2BILLING_INSTALL_DEFAULTS,
    "which is what the dump's own rows resolve to",
  );
});

t.test('the rows for a new card with sip_buddy and iax_buddy set, on a fresh install', async (t) => {
  const { sip, iax } = voipAccountRows(CARD, A2BILLING_INSTALL_DEFAULTS);
  // common/lib/Class.Realtime.php:178 names the columns, :181-182 gives the values.
  t.strictSame(sip, {
    name: '6508756307', // $accountnumber: the card's username (Class.FormBO.php:1064, :1071)
    accountcode: '6508756307', // $accountnumber
    regexten: '6508756307', // $accountnumber
    amaflags: 'billing', // FRIEND_AMAFLAGS: cc_config peer_friend.amaflags, else 'billing'
    callerid: '', // a constant ''
    context: 'a2billing', // FRIEND_CONTEXT: peer_friend.context
    dtmfmode: 'RFC2833', // FRIEND_DTMFMODE: peer_friend.dtmfmode
    host: 'dynamic', // FRIEND_HOST: peer_friend.host
    type: 'friend', // FRIEND_TYPE: peer_friend.type
    username: '6508756307', // $accountnumber
    allow: 'ulaw,alaw,gsm,g729', // FRIEND_ALLOW without spaces (Class.Realtime.php:144)
    secret: '18314euvyzix7spr1eew', // $passui_secret: the card's uipass (Class.FormBO.php:1065)
    id_cc_card: 1, // $id_card: the new card's id (FormHandler RESULT_QUERY, Class.FormBO.php:1054)
    nat: 'yes', // FRIEND_NAT: peer_friend.nat
    qualify: 'no', // FRIEND_QUALIFY: peer_friend.qualify
  });
  t.strictSame(Object.keys(sip!), [
    ...'name, accountcode, regexten, amaflags, callerid, context, dtmfmode, host, type, username, allow, secret, id_cc_card, nat, qualify'.split(
      ', ',
    ),
  ]);
  // Class.Realtime.php:193 names the columns, :196-197 gives the values: no dtmfmode, no nat.
  t.strictSame(iax, {
    name: '6508756307',
    accountcode: '6508756307',
    regexten: '6508756307',
    amaflags: 'billing',
    callerid: '',
    context: 'a2billing',
    host: 'dynamic',
    type: 'friend',
    username: '6508756307',
    allow: 'ulaw,alaw,gsm,g729',
    secret: '18314euvyzix7spr1eew',
    id_cc_card: 1,
    qualify: 'no',
  });
  t.strictSame(
    Object.keys(iax!),
    'name, accountcode, regexten, amaflags, callerid, context, host, type, username, allow, secret, id_cc_card, qualify'.split(
      ', ',
    ),
  );
});

t.test('only the accounts the card asks for (if ($sip), if ($iax): Class.Realtime.php:176, :191)', async (t) => {
  const only = (sip_buddy: number | null, iax_buddy: number | null) => {
    const rows = voipAccountRows({ ...CARD, sip_buddy, iax_buddy }, A2BILLING_INSTALL_DEFAULTS);
    return [rows.sip !== null, rows.iax !== null];
  };
  t.strictSame(only(1, 0), [true, false]);
  t.strictSame(only(0, 1), [false, true]);
  t.strictSame(only(0, 0), [false, false]);
  t.strictSame(only(null, null), [false, false], 'NULL, the column allows it, is no');
  t.strictSame(only(2, -1), [true, true], 'any other number is yes, as in PHP');
});

t.test('settings from cc_config', async (t) => {
  const custom: PeerFriendConfig = {
    type: 'peer',
    allow: ' g729 , ulaw,\talaw ',
    context: 'custom-ctx',
    nat: 'force_rport,comedia',
    amaflags: 'omit',
    qualify: '2000',
    host: '10.0.0.5',
    dtmfmode: 'INFO',
  };
  const { sip, iax } = voipAccountRows(CARD, custom);
  t.match(sip, {
    type: 'peer',
    allow: 'g729,ulaw,\talaw',
    context: 'custom-ctx',
    nat: 'force_rport,comedia',
    amaflags: 'omit',
    qualify: '2000',
    host: '10.0.0.5',
    dtmfmode: 'INFO',
  });
  t.equal(sip!.allow, 'g729,ulaw,\talaw', 'only spaces are taken out of allow (str_replace(" ", "", …))');
  t.match(iax, { type: 'peer', allow: 'g729,ulaw,\talaw', context: 'custom-ctx', qualify: '2000', host: '10.0.0.5' });

  await t.test('resolved as load_conf_db does (Class.A2Billing.php:346-361, 465-472)', async (t) => {
    const dump = resolvePeerFriendConfig(DUMP_PEER_FRIEND);
    t.strictSame(dump.sources, {
      type: 'cc_config',
      allow: 'cc_config',
      context: 'cc_config',
      nat: 'cc_config',
      amaflags: 'code default',
      qualify: 'cc_config',
      host: 'cc_config',
      dtmfmode: 'cc_config',
    });
    const none = resolvePeerFriendConfig([]);
    t.strictSame(none.config, A2BILLING_CODE_DEFAULTS, 'a cc_config without the rows: the code defaults');
    t.equal(none.config.qualify, 'yes', 'qualify is then yes, not the dump’s no');
    t.equal(resolvePeerFriendConfig([row('amaflags', 'omit')]).config.amaflags, 'omit', 'a row keyed amaflags is read');
    t.equal(resolvePeerFriendConfig([row('host', null)]).config.host, 'dynamic', 'NULL is unset (isset)');
    t.equal(resolvePeerFriendConfig([row('host', '')]).config.host, '', 'an empty value is a value');
    t.equal(
      resolvePeerFriendConfig([row('context', 'a'), row('context', 'b')]).config.context,
      'b',
      'the later of two rows wins',
    );
    t.equal(
      resolvePeerFriendConfig([row('context', 'x', 0, 'peer_friend ')]).config.context,
      'a2billing',
      'another group, even one MySQL’s = would match, is ignored',
    );
    t.equal(resolvePeerFriendConfig([row('Context', 'x')]).config.context, 'a2billing', 'keys are case-sensitive');
    t.equal(resolvePeerFriendConfig([row('nat', 'yes', 1)]).config.nat, '1', 'a boolean row (type 1) is 1 or 0');
    t.equal(resolvePeerFriendConfig([row('nat', 'TRUE', 1)]).config.nat, '1');
    t.equal(resolvePeerFriendConfig([row('nat', ' 1.0', 1)]).config.nat, '1', 'numerically 1 (PHP 8)');
    t.equal(resolvePeerFriendConfig([row('nat', 'no', 1)]).config.nat, '0');
    t.equal(resolvePeerFriendConfig([row('nat', null, 1)]).config.nat, '0');
    t.equal(resolvePeerFriendConfig([row('nat', 'no', 2)]).config.nat, 'yes', 'another type is not read');
    t.equal(resolvePeerFriendConfig(undefined).sources.qualify, 'install default', 'no cc_config at all');
  });
});

t.test('values that do not fit their columns are refused, never cut', async (t) => {
  t.strictSame(
    VOIP_COLUMN_WIDTHS,
    Object.fromEntries(
      Object.keys(VOIP_COLUMN_WIDTHS).map((column) => {
        const spec = models.find((model) => model.resource === 'sipbuddy')!.columns.find((c) => c.name === column)!;
        return [column, spec.rule.kind === 'string' ? spec.rule.maxLength : undefined];
      }),
    ),
    'the widths are cc_sip_buddies’ own',
  );
  const iaxModel = models.find((model) => model.resource === 'iaxbuddy')!;
  for (const column of iaxModel.columns) {
    const width = VOIP_COLUMN_WIDTHS[column.name as keyof typeof VOIP_COLUMN_WIDTHS];
    if (width !== undefined && column.rule.kind === 'string')
      t.equal(column.rule.maxLength, width, `cc_iax_buddies.${column.name} is as wide`);
  }
  const idRule = iaxModel.columns.find((column) => column.name === 'id_cc_card')!.rule;
  t.equal(idRule.kind === 'integer' ? idRule.max : undefined, String(MAX_ID_CC_CARD), 'id_cc_card is an int(11)');

  const long = { ...CARD, username: '123456789012345678901' }; // 21 characters: cc_card.username allows 50
  t.throws(() => voipAccountRows(long, A2BILLING_INSTALL_DEFAULTS), VoipAccountError);
  t.strictSame(
    voipAccountProblems(long, A2BILLING_INSTALL_DEFAULTS).map((problem) => `${problem.table}.${problem.column}`),
    ['cc_sip_buddies.accountcode', 'cc_sip_buddies.regexten', 'cc_iax_buddies.accountcode', 'cc_iax_buddies.regexten'],
    'accountcode and regexten are varchar(20)',
  );
  t.strictSame(voipAccountProblems({ ...long, sip_buddy: 0, iax_buddy: 0 }, A2BILLING_INSTALL_DEFAULTS), []);
  t.strictSame(
    voipAccountProblems({ ...CARD, username: 'é'.repeat(20) }, A2BILLING_INSTALL_DEFAULTS),
    [],
    'widths count characters, not bytes',
  );
  t.match(voipAccountProblems(CARD, { ...A2BILLING_INSTALL_DEFAULTS, type: 'friendly' }), [
    { table: 'cc_sip_buddies', column: 'type', message: 'would be 8 characters long, over its 6' },
    { column: 'type' },
  ]);
  t.strictSame(
    voipAccountProblems({ ...CARD, id: MAX_ID_CC_CARD + 1 }, A2BILLING_INSTALL_DEFAULTS).map(
      (problem) => problem.column,
    ),
    ['id_cc_card', 'id_cc_card'],
    'a card id past int(11)',
  );
  t.strictSame(voipAccountProblems({ ...CARD, id: MAX_ID_CC_CARD }, A2BILLING_INSTALL_DEFAULTS), []);
});

t.test('reading cc_config from a Db', async (t) => {
  const failing = (error: Error): Db => ({ all: () => Promise.reject(error) }) as unknown as Db;
  await t.rejects(
    readPeerFriendConfig(failing(new DatabaseUnavailableError('down'))),
    DatabaseUnavailableError,
    'a database that does not answer is an error, not the defaults',
  );
  await t.rejects(readPeerFriendConfig(failing(new MissingTableError('cc_other'))), MissingTableError);
  t.strictSame(
    (await readPeerFriendConfig(failing(new MissingTableError('cc_config')))).config,
    A2BILLING_INSTALL_DEFAULTS,
  );

  for (const name of BACKENDS) {
    await t.test(name, async (t) => {
      const service = await startService(name);
      t.teardown(() => service.close());
      const { backend } = service;
      const missing = await readPeerFriendConfig(backend.db);
      t.strictSame(missing.config, A2BILLING_INSTALL_DEFAULTS, 'no cc_config table (the embedded database has none)');

      // cc_config as the dump creates it (SQLite: the same columns).
      await backend.raw(
        name === 'mysql'
          ? `CREATE TABLE cc_config (
               id int(11) NOT NULL AUTO_INCREMENT, config_title varchar(100) DEFAULT NULL,
               config_key varchar(100) DEFAULT NULL, config_value varchar(200) DEFAULT NULL,
               config_description varchar(500) DEFAULT NULL, config_valuetype int(11) NOT NULL DEFAULT '0',
               config_listvalues varchar(100) DEFAULT NULL, config_group_title varchar(64) NOT NULL,
               PRIMARY KEY (id)) ENGINE=MyISAM DEFAULT CHARSET=utf8 COLLATE=utf8_bin`
          : `CREATE TABLE cc_config (
               id INTEGER PRIMARY KEY AUTOINCREMENT, config_title TEXT, config_key TEXT, config_value TEXT,
               config_description TEXT, config_valuetype INTEGER NOT NULL DEFAULT 0, config_listvalues TEXT,
               config_group_title TEXT NOT NULL)`,
      );
      t.strictSame((await readPeerFriendConfig(backend.db)).config, A2BILLING_CODE_DEFAULTS, 'an empty cc_config');
      const insert = (id: number, key: string, value: string | null, group = 'peer_friend', type = 0) =>
        backend.raw(
          'INSERT INTO cc_config (id, config_title, config_key, config_value, config_valuetype, config_group_title) VALUES (?, ?, ?, ?, ?, ?)',
          [id, key, key, value, type, group],
        );
      for (const [id, key, value] of [
        [124, 'type', 'friend'],
        [125, 'allow', 'ulaw, alaw'],
        [126, 'context', 'from-a2b'],
        [127, 'nat', 'no'],
        [128, 'amaflag', 'omit'],
        [129, 'qualify', 'no'],
        [130, 'host', 'dynamic'],
        [131, 'dtmfmode', null],
      ] as const)
        await insert(id, key, value);
      await insert(132, 'context', 'callback-ctx', 'callback');
      await insert(133, 'host', 'dynamic', 'peer_friend ');
      const read = await readPeerFriendConfig(backend.db);
      t.strictSame(read.config, {
        type: 'friend',
        allow: 'ulaw, alaw',
        context: 'from-a2b',
        nat: 'no',
        amaflags: 'billing',
        qualify: 'no',
        host: 'dynamic',
        dtmfmode: 'RFC2833',
      });
      t.equal(read.sources.dtmfmode, 'code default', 'NULL');
      t.equal(read.sources.amaflags, 'code default', 'the amaflag row');
      t.equal(voipAccountRows(CARD, read.config).sip!.allow, 'ulaw,alaw');
    });
  }
});

/**
 * The dump's cc_sip_buddies row 1 and cc_iax_buddies row 1, every column but
 * id: what A2Billing stored for card 6508756307 on a fresh install.
 */
const DUMP_SIP_ROW = {
  id_cc_card: 1,
  name: '6508756307',
  accountcode: '6508756307',
  regexten: '6508756307',
  amaflags: 'billing',
  callgroup: null,
  callerid: '',
  canreinvite: 'YES',
  context: 'a2billing',
  DEFAULTip: null,
  dtmfmode: 'RFC2833',
  fromuser: '',
  fromdomain: '',
  host: 'dynamic',
  insecure: '',
  language: null,
  mailbox: '',
  md5secret: '',
  nat: 'yes',
  deny: '',
  permit: null,
  mask: '',
  pickupgroup: null,
  port: '',
  qualify: 'no',
  restrictcid: null,
  rtptimeout: null,
  rtpholdtimeout: null,
  secret: '18314euvyzix7spr1eew',
  type: 'friend',
  username: '6508756307',
  disallow: 'ALL',
  allow: 'ulaw,alaw,gsm,g729',
  musiconhold: '',
  regseconds: 0,
  ipaddr: '',
  cancallforward: 'yes',
  fullcontact: '',
  setvar: '',
  regserver: null,
  lastms: null,
  defaultuser: '',
  auth: '',
  subscribemwi: '',
  vmexten: '',
  cid_number: '',
  callingpres: '',
  usereqphone: '',
  incominglimit: '',
  subscribecontext: '',
  musicclass: '',
  mohsuggest: '',
  allowtransfer: '',
  autoframing: '',
  maxcallbitrate: '',
  outboundproxy: '',
  rtpkeepalive: '0',
  useragent: null,
  callbackextension: null,
};

const DUMP_IAX_ROW = {
  id_cc_card: 1,
  name: '6508756307',
  accountcode: '6508756307',
  regexten: '6508756307',
  amaflags: 'billing',
  callerid: '',
  context: 'a2billing',
  DEFAULTip: null,
  host: 'dynamic',
  language: null,
  deny: '',
  permit: null,
  mask: '',
  port: '',
  qualify: 'no',
  secret: '18314euvyzix7spr1eew',
  type: 'friend',
  username: '6508756307',
  disallow: '',
  allow: 'ulaw,alaw,gsm,g729',
  regseconds: 0,
  ipaddr: '',
  trunk: 'no',
  ...Object.fromEntries(
    'dbsecret regcontext sourceaddress mohinterpret mohsuggest inkeys outkey cid_number sendani fullname auth maxauthreq encryption transfer jitterbuffer forcejitterbuffer codecpriority qualifysmoothing qualifyfreqok qualifyfreqnotok timezone adsi setvar requirecalltoken maxcallnumbers maxcallnumbers_nonvalidated'
      .split(' ')
      .map((column) => [column, '']),
  ),
};

for (const name of BACKENDS) {
  t.test(`${name}: inserted through the API, the rows are the ones A2Billing stored`, async (t) => {
    const service = await startService(name);
    t.teardown(() => service.close());
    const { sip, iax } = voipAccountRows(CARD, A2BILLING_INSTALL_DEFAULTS);
    for (const [resource, table, body, expected] of [
      ['sipbuddy', 'cc_sip_buddies', sip, DUMP_SIP_ROW],
      ['iaxbuddy', 'cc_iax_buddies', iax, DUMP_IAX_ROW],
    ] as const) {
      const created = await service.request(`/api/${resource}/`, { method: 'POST', body });
      t.equal(created.status, 200, `${resource} created`);
      const [stored] = await service.backend.raw(`SELECT * FROM ${table} WHERE id = ?`, [created.json.id]);
      const { id: _id, ...columns } = stored!;
      t.strictSame(columns, expected, `${table}: every column as in the dump`);
    }
  });
}
