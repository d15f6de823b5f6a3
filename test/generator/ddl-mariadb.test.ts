/**
 * The committed generated/ddl/mysql.sql, applied to a throwaway MariaDB
 * database, must give exactly the tables A2Billing has. The expected facts
 * below are transcribed by hand from /work/shared/a2billing/SCHEMA.md (§1 and
 * §2) for cc_card and cc_card_group, and from A2Billing's own DDL for the old
 * API's other six tables (the v2.0.8 dump in areski/a2billing-flask-api,
 * data/a2billing_db.mysql, plus UPDATE-a2billing-v2.0.14-to-v2.0.15.sql, the
 * only later update that touches them), not derived from schema/*.json, so a
 * wrong schema file fails here.
 *
 * Needs MariaDB at 127.0.0.1:3306 (user root, empty password). An unreachable
 * server is a failure, not a skip.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import mysql, { type Connection, type RowDataPacket } from 'mysql2/promise';
import t from 'tap';
import { repoRoot } from './fixtures/helpers.js';

t.setTimeout(120_000);

/** One column as SCHEMA.md writes it. */
interface ColumnFact {
  position: number;
  column: string;
  type: string;
  /** 'NULL' or 'NOT NULL'. */
  nullable: string;
  /** SCHEMA.md's notation: — for no default, NULL, CURRENT_TIMESTAMP, 'text' for strings, bare numbers. */
  default: string;
  extra: string;
}

/** Parses the rows of a SCHEMA.md-style table: | # | column | type | NULL | default | extra |. */
function factTable(text: string): ColumnFact[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^\|\s*\d+\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim());
      const [position = '', column = '', type = '', nullable = '', value = '', extra = ''] = cells;
      return { position: Number(position), column, type, nullable, default: value, extra };
    });
}

// SCHEMA.md §1: `cc_card`, all 69 columns, in order.
const CC_CARD = factTable(`
| #  | column              | MySQL type    | NULL     | default                 | extra          |
|----|---------------------|---------------|----------|-------------------------|----------------|
| 1  | id                  | bigint(20)    | NOT NULL | —                       | auto_increment |
| 2  | creationdate        | timestamp     | NOT NULL | CURRENT_TIMESTAMP       |                |
| 3  | firstusedate        | timestamp     | NOT NULL | '0000-00-00 00:00:00'   |                |
| 4  | expirationdate      | timestamp     | NOT NULL | '0000-00-00 00:00:00'   |                |
| 5  | enableexpire        | int(11)       | NULL     | 0                       |                |
| 6  | expiredays          | int(11)       | NULL     | 0                       |                |
| 7  | username            | varchar(50)   | NOT NULL | —                       |                |
| 8  | useralias           | varchar(50)   | NOT NULL | —                       |                |
| 9  | uipass              | varchar(50)   | NOT NULL | —                       |                |
| 10 | credit              | decimal(15,5) | NOT NULL | 0.00000                 |                |
| 11 | tariff              | int(11)       | NULL     | 0                       |                |
| 12 | id_didgroup         | int(11)       | NULL     | 0                       |                |
| 13 | activated           | char(1)       | NOT NULL | 'f'                     |                |
| 14 | status              | int(11)       | NOT NULL | 1                       |                |
| 15 | lastname            | varchar(50)   | NOT NULL | —                       |                |
| 16 | firstname           | varchar(50)   | NOT NULL | —                       |                |
| 17 | address             | varchar(100)  | NOT NULL | —                       |                |
| 18 | city                | varchar(40)   | NOT NULL | —                       |                |
| 19 | state               | varchar(40)   | NOT NULL | —                       |                |
| 20 | country             | varchar(40)   | NOT NULL | —                       |                |
| 21 | zipcode             | varchar(20)   | NOT NULL | —                       |                |
| 22 | phone               | varchar(20)   | NOT NULL | —                       |                |
| 23 | email               | varchar(70)   | NOT NULL | —                       |                |
| 24 | fax                 | varchar(20)   | NOT NULL | —                       |                |
| 25 | inuse               | int(11)       | NULL     | 0                       |                |
| 26 | simultaccess        | int(11)       | NULL     | 0                       |                |
| 27 | currency            | char(3)       | NULL     | 'USD'                   |                |
| 28 | lastuse             | timestamp     | NOT NULL | '0000-00-00 00:00:00'   |                |
| 29 | nbused              | int(11)       | NULL     | 0                       |                |
| 30 | typepaid            | int(11)       | NULL     | 0                       |                |
| 31 | creditlimit         | int(11)       | NULL     | 0                       |                |
| 32 | voipcall            | int(11)       | NULL     | 0                       |                |
| 33 | sip_buddy           | int(11)       | NULL     | 0                       |                |
| 34 | iax_buddy           | int(11)       | NULL     | 0                       |                |
| 35 | language            | char(5)       | NULL     | 'en'                    |                |
| 36 | redial              | varchar(50)   | NOT NULL | —                       |                |
| 37 | runservice          | int(11)       | NULL     | 0                       |                |
| 38 | nbservice           | int(11)       | NULL     | 0                       |                |
| 39 | id_campaign         | int(11)       | NULL     | 0                       |                |
| 40 | num_trials_done     | bigint(20)    | NULL     | 0                       |                |
| 41 | vat                 | float         | NOT NULL | 0                       |                |
| 42 | servicelastrun      | timestamp     | NOT NULL | '0000-00-00 00:00:00'   |                |
| 43 | initialbalance      | decimal(15,5) | NOT NULL | 0.00000                 |                |
| 44 | invoiceday          | int(11)       | NULL     | 1                       |                |
| 45 | autorefill          | int(11)       | NULL     | 0                       |                |
| 46 | loginkey            | varchar(40)   | NOT NULL | —                       |                |
| 47 | mac_addr            | char(17)      | NOT NULL | '00-00-00-00-00-00'     |                |
| 48 | id_timezone         | int(11)       | NULL     | 0                       |                |
| 49 | tag                 | varchar(50)   | NOT NULL | —                       |                |
| 50 | voicemail_permitted | int(11)       | NOT NULL | 0                       |                |
| 51 | voicemail_activated | smallint(6)   | NOT NULL | 0                       |                |
| 52 | last_notification   | timestamp     | NULL     | NULL                    |                |
| 53 | email_notification  | varchar(70)   | NOT NULL | —                       |                |
| 54 | notify_email        | smallint(6)   | NOT NULL | 0                       |                |
| 55 | credit_notification | int(11)       | NOT NULL | -1                      |                |
| 56 | id_group            | int(11)       | NOT NULL | 1                       |                |
| 57 | company_name        | varchar(50)   | NOT NULL | —                       |                |
| 58 | company_website     | varchar(60)   | NOT NULL | —                       |                |
| 59 | vat_rn              | varchar(40)   | NULL     | NULL                    |                |
| 60 | traffic             | bigint(20)    | NULL     | NULL                    |                |
| 61 | traffic_target      | varchar(300)  | NOT NULL | —                       |                |
| 62 | discount            | decimal(5,2)  | NOT NULL | 0.00                    |                |
| 63 | restriction         | tinyint(4)    | NOT NULL | 0                       |                |
| 64 | id_seria            | int(11)       | NULL     | NULL                    |                |
| 65 | serial              | bigint(20)    | NULL     | NULL                    |                |
| 66 | block               | tinyint(4)    | NOT NULL | 0                       |                |
| 67 | lock_pin            | varchar(15)   | NULL     | NULL                    |                |
| 68 | lock_date           | timestamp     | NULL     | NULL                    |                |
| 69 | max_concurrent      | int(11)       | NOT NULL | 10                      |                |
`);

// SCHEMA.md §2: `cc_card_group`, 6 columns.
const CC_CARD_GROUP = factTable(`
| # | column       | MySQL type   | NULL     | default | extra          |
|---|--------------|--------------|----------|---------|----------------|
| 1 | id           | int(11)      | NOT NULL | —       | auto_increment |
| 2 | name         | varchar(50)  | NULL     | NULL    |                |
| 3 | description  | varchar(400) | NULL     | NULL    |                |
| 4 | users_perms  | int(11)      | NOT NULL | 0       |                |
| 5 | id_agent     | int(11)      | NULL     | NULL    |                |
| 6 | provisioning | varchar(200) | NULL     | NULL    |                |
`);

// A2Billing v2.3.0 `cc_callerid`: 4 columns (no update after v2.0.8 changes it).
const CC_CALLERID = factTable(`
| # | column     | MySQL type   | NULL     | default | extra          |
|---|------------|--------------|----------|---------|----------------|
| 1 | id         | bigint(20)   | NOT NULL | —       | auto_increment |
| 2 | cid        | varchar(100) | NOT NULL | —       |                |
| 3 | id_cc_card | bigint(20)   | NOT NULL | —       |                |
| 4 | activated  | char(1)      | NOT NULL | 't'     |                |
`);

// A2Billing v2.3.0 `cc_logrefill`: 8 columns.
const CC_LOGREFILL = factTable(`
| # | column        | MySQL type    | NULL     | default           | extra          |
|---|---------------|---------------|----------|-------------------|----------------|
| 1 | id            | bigint(20)    | NOT NULL | —                 | auto_increment |
| 2 | date          | timestamp     | NOT NULL | CURRENT_TIMESTAMP |                |
| 3 | credit        | decimal(15,5) | NOT NULL | —                 |                |
| 4 | card_id       | bigint(20)    | NOT NULL | —                 |                |
| 5 | description   | mediumtext    | NULL     | NULL              |                |
| 6 | refill_type   | tinyint(4)    | NOT NULL | 0                 |                |
| 7 | added_invoice | tinyint(4)    | NOT NULL | 0                 |                |
| 8 | agent_id      | bigint(20)    | NULL     | NULL              |                |
`);

// A2Billing v2.3.0 `cc_logpayment`: 10 columns; its id is an int(11).
const CC_LOGPAYMENT = factTable(`
| #  | column           | MySQL type    | NULL     | default           | extra          |
|----|------------------|---------------|----------|-------------------|----------------|
| 1  | id               | int(11)       | NOT NULL | —                 | auto_increment |
| 2  | date             | timestamp     | NOT NULL | CURRENT_TIMESTAMP |                |
| 3  | payment          | decimal(15,5) | NOT NULL | —                 |                |
| 4  | card_id          | bigint(20)    | NOT NULL | —                 |                |
| 5  | id_logrefill     | bigint(20)    | NULL     | NULL              |                |
| 6  | description      | mediumtext    | NULL     | NULL              |                |
| 7  | added_refill     | smallint(6)   | NOT NULL | 0                 |                |
| 8  | payment_type     | tinyint(4)    | NOT NULL | 0                 |                |
| 9  | added_commission | tinyint(4)    | NOT NULL | 0                 |                |
| 10 | agent_id         | bigint(20)    | NULL     | NULL              |                |
`);

// A2Billing v2.3.0 `cc_call`: 23 columns in the v2.0.8 dump, plus a2b_custom1 and a2b_custom2 from v2.0.15.
const CC_CALL = factTable(`
| #  | column                | MySQL type    | NULL     | default               | extra          |
|----|-----------------------|---------------|----------|-----------------------|----------------|
| 1  | id                    | bigint(20)    | NOT NULL | —                     | auto_increment |
| 2  | sessionid             | varchar(40)   | NOT NULL | —                     |                |
| 3  | uniqueid              | varchar(30)   | NOT NULL | —                     |                |
| 4  | card_id               | bigint(20)    | NOT NULL | —                     |                |
| 5  | nasipaddress          | varchar(30)   | NOT NULL | —                     |                |
| 6  | starttime             | timestamp     | NOT NULL | CURRENT_TIMESTAMP     |                |
| 7  | stoptime              | timestamp     | NOT NULL | '0000-00-00 00:00:00' |                |
| 8  | sessiontime           | int(11)       | NULL     | NULL                  |                |
| 9  | calledstation         | varchar(100)  | NOT NULL | —                     |                |
| 10 | sessionbill           | float         | NULL     | NULL                  |                |
| 11 | id_tariffgroup        | int(11)       | NULL     | NULL                  |                |
| 12 | id_tariffplan         | int(11)       | NULL     | NULL                  |                |
| 13 | id_ratecard           | int(11)       | NULL     | NULL                  |                |
| 14 | id_trunk              | int(11)       | NULL     | NULL                  |                |
| 15 | sipiax                | int(11)       | NULL     | 0                     |                |
| 16 | src                   | varchar(40)   | NOT NULL | —                     |                |
| 17 | id_did                | int(11)       | NULL     | NULL                  |                |
| 18 | buycost               | decimal(15,5) | NULL     | 0.00000               |                |
| 19 | id_card_package_offer | int(11)       | NULL     | 0                     |                |
| 20 | real_sessiontime      | int(11)       | NULL     | NULL                  |                |
| 21 | dnid                  | varchar(40)   | NOT NULL | —                     |                |
| 22 | terminatecauseid      | int(1)        | NULL     | 1                     |                |
| 23 | destination           | int(11)       | NULL     | 0                     |                |
| 24 | a2b_custom1           | varchar(20)   | NULL     | NULL                  |                |
| 25 | a2b_custom2           | varchar(20)   | NULL     | NULL                  |                |
`);

// A2Billing v2.3.0 `cc_country`: 4 columns (256 seeded rows; countrycode is not unique).
const CC_COUNTRY = factTable(`
| # | column        | MySQL type | NULL     | default | extra          |
|---|---------------|------------|----------|---------|----------------|
| 1 | id            | bigint(20) | NOT NULL | —       | auto_increment |
| 2 | countrycode   | char(80)   | NOT NULL | —       |                |
| 3 | countryprefix | char(80)   | NOT NULL | —       |                |
| 4 | countryname   | char(80)   | NOT NULL | —       |                |
`);

// A2Billing v2.3.0 `cc_charge`: 13 columns.
const CC_CHARGE = factTable(`
| #  | column                  | MySQL type | NULL     | default           | extra          |
|----|-------------------------|------------|----------|-------------------|----------------|
| 1  | id                      | bigint(20) | NOT NULL | —                 | auto_increment |
| 2  | id_cc_card              | bigint(20) | NOT NULL | —                 |                |
| 3  | iduser                  | int(11)    | NOT NULL | 0                 |                |
| 4  | creationdate            | timestamp  | NOT NULL | CURRENT_TIMESTAMP |                |
| 5  | amount                  | float      | NOT NULL | 0                 |                |
| 6  | chargetype              | int(11)    | NULL     | 0                 |                |
| 7  | description             | mediumtext | NULL     | NULL              |                |
| 8  | id_cc_did               | bigint(20) | NULL     | 0                 |                |
| 9  | id_cc_card_subscription | bigint(20) | NULL     | NULL              |                |
| 10 | cover_from              | date       | NULL     | NULL              |                |
| 11 | cover_to                | date       | NULL     | NULL              |                |
| 12 | charged_status          | tinyint(4) | NOT NULL | 0                 |                |
| 13 | invoiced_status         | tinyint(4) | NOT NULL | 0                 |                |
`);

// A2Billing v2.0.8 (the install dump in shared/a2billing/): the three tables with keys of other shapes.
const CC_ISO639 = factTable(`
| # | column  | MySQL type | NULL     | default      | extra |
|---|---------|------------|----------|--------------|-------|
| 1 | code    | char(2)    | NOT NULL | —            |       |
| 2 | name    | char(16)   | NOT NULL | —            |       |
| 3 | lname   | char(16)   | NULL     | NULL         |       |
| 4 | charset | char(16)   | NOT NULL | 'ISO-8859-1' |       |
`);

const CC_TARIFFGROUP = factTable(`
| # | column              | MySQL type | NULL     | default           | extra          |
|---|---------------------|------------|----------|-------------------|----------------|
| 1 | id                  | int(11)    | NOT NULL | —                 | auto_increment |
| 2 | iduser              | int(11)    | NOT NULL | 0                 |                |
| 3 | idtariffplan        | int(11)    | NOT NULL | 0                 |                |
| 4 | tariffgroupname     | char(50)   | NOT NULL | —                 |                |
| 5 | lcrtype             | int(11)    | NOT NULL | 0                 |                |
| 6 | creationdate        | timestamp  | NOT NULL | CURRENT_TIMESTAMP |                |
| 7 | removeinterprefix   | int(11)    | NOT NULL | 0                 |                |
| 8 | id_cc_package_offer | bigint(20) | NOT NULL | -1                |                |
`);

const CC_TARIFFGROUP_PLAN = factTable(`
| # | column        | MySQL type | NULL     | default | extra |
|---|---------------|------------|----------|---------|-------|
| 1 | idtariffgroup | int(11)    | NOT NULL | —       |       |
| 2 | idtariffplan  | int(11)    | NOT NULL | —       |       |
`);

// A2Billing v2.0.8, the SIP and IAX accounts of cards (A2Billing's "friends"): read off information_schema of a
// MariaDB database loaded with the install dump in shared/a2billing/ (no later update script changes their
// columns or keys). The DEFAULTip spelling is A2Billing's.
const CC_SIP_BUDDIES = factTable(`
| #  | column            | MySQL type   | NULL     | default   | extra          |
|----|-------------------|--------------|----------|-----------|----------------|
| 1  | id                | int(11)      | NOT NULL | —         | auto_increment |
| 2  | id_cc_card        | int(11)      | NOT NULL | 0         |                |
| 3  | name              | varchar(80)  | NOT NULL | —         |                |
| 4  | accountcode       | varchar(20)  | NOT NULL | —         |                |
| 5  | regexten          | varchar(20)  | NOT NULL | —         |                |
| 6  | amaflags          | char(7)      | NULL     | NULL      |                |
| 7  | callgroup         | char(10)     | NULL     | NULL      |                |
| 8  | callerid          | varchar(80)  | NOT NULL | —         |                |
| 9  | canreinvite       | varchar(20)  | NOT NULL | 'YES'     |                |
| 10 | context           | varchar(80)  | NOT NULL | —         |                |
| 11 | DEFAULTip         | char(50)     | NULL     | NULL      |                |
| 12 | dtmfmode          | char(7)      | NOT NULL | 'RFC2833' |                |
| 13 | fromuser          | varchar(80)  | NOT NULL | —         |                |
| 14 | fromdomain        | varchar(80)  | NOT NULL | —         |                |
| 15 | host              | varchar(50)  | NOT NULL | —         |                |
| 16 | insecure          | varchar(20)  | NOT NULL | —         |                |
| 17 | language          | char(2)      | NULL     | NULL      |                |
| 18 | mailbox           | varchar(50)  | NOT NULL | —         |                |
| 19 | md5secret         | varchar(80)  | NOT NULL | —         |                |
| 20 | nat               | char(30)     | NULL     | 'yes'     |                |
| 21 | deny              | varchar(95)  | NOT NULL | —         |                |
| 22 | permit            | varchar(95)  | NULL     | NULL      |                |
| 23 | mask              | varchar(95)  | NOT NULL | —         |                |
| 24 | pickupgroup       | char(10)     | NULL     | NULL      |                |
| 25 | port              | char(5)      | NOT NULL | ''        |                |
| 26 | qualify           | char(7)      | NULL     | 'yes'     |                |
| 27 | restrictcid       | char(1)      | NULL     | NULL      |                |
| 28 | rtptimeout        | char(3)      | NULL     | NULL      |                |
| 29 | rtpholdtimeout    | char(3)      | NULL     | NULL      |                |
| 30 | secret            | varchar(80)  | NOT NULL | —         |                |
| 31 | type              | char(6)      | NOT NULL | 'friend'  |                |
| 32 | username          | varchar(80)  | NOT NULL | —         |                |
| 33 | disallow          | varchar(100) | NOT NULL | 'ALL'     |                |
| 34 | allow             | varchar(100) | NOT NULL | —         |                |
| 35 | musiconhold       | varchar(100) | NOT NULL | —         |                |
| 36 | regseconds        | int(11)      | NOT NULL | 0         |                |
| 37 | ipaddr            | char(50)     | NOT NULL | ''        |                |
| 38 | cancallforward    | char(3)      | NULL     | 'yes'     |                |
| 39 | fullcontact       | varchar(80)  | NOT NULL | —         |                |
| 40 | setvar            | varchar(100) | NOT NULL | —         |                |
| 41 | regserver         | varchar(20)  | NULL     | NULL      |                |
| 42 | lastms            | varchar(11)  | NULL     | NULL      |                |
| 43 | defaultuser       | varchar(40)  | NOT NULL | ''        |                |
| 44 | auth              | varchar(10)  | NOT NULL | ''        |                |
| 45 | subscribemwi      | varchar(10)  | NOT NULL | ''        |                |
| 46 | vmexten           | varchar(20)  | NOT NULL | ''        |                |
| 47 | cid_number        | varchar(40)  | NOT NULL | ''        |                |
| 48 | callingpres       | varchar(20)  | NOT NULL | ''        |                |
| 49 | usereqphone       | varchar(10)  | NOT NULL | ''        |                |
| 50 | incominglimit     | varchar(10)  | NOT NULL | ''        |                |
| 51 | subscribecontext  | varchar(40)  | NOT NULL | ''        |                |
| 52 | musicclass        | varchar(20)  | NOT NULL | ''        |                |
| 53 | mohsuggest        | varchar(20)  | NOT NULL | ''        |                |
| 54 | allowtransfer     | varchar(20)  | NOT NULL | ''        |                |
| 55 | autoframing       | varchar(10)  | NOT NULL | ''        |                |
| 56 | maxcallbitrate    | varchar(15)  | NOT NULL | ''        |                |
| 57 | outboundproxy     | varchar(40)  | NOT NULL | ''        |                |
| 58 | rtpkeepalive      | varchar(15)  | NOT NULL | '0'       |                |
| 59 | useragent         | varchar(80)  | NULL     | NULL      |                |
| 60 | callbackextension | varchar(40)  | NULL     | NULL      |                |
`);

const CC_IAX_BUDDIES = factTable(`
| #  | column                      | MySQL type   | NULL     | default  | extra          |
|----|-----------------------------|--------------|----------|----------|----------------|
| 1  | id                          | int(11)      | NOT NULL | —        | auto_increment |
| 2  | id_cc_card                  | int(11)      | NOT NULL | 0        |                |
| 3  | name                        | varchar(80)  | NOT NULL | —        |                |
| 4  | accountcode                 | varchar(20)  | NOT NULL | —        |                |
| 5  | regexten                    | varchar(20)  | NOT NULL | —        |                |
| 6  | amaflags                    | char(7)      | NULL     | NULL     |                |
| 7  | callerid                    | varchar(80)  | NOT NULL | —        |                |
| 8  | context                     | varchar(80)  | NOT NULL | —        |                |
| 9  | DEFAULTip                   | char(50)     | NULL     | NULL     |                |
| 10 | host                        | varchar(50)  | NOT NULL | —        |                |
| 11 | language                    | char(2)      | NULL     | NULL     |                |
| 12 | deny                        | varchar(95)  | NOT NULL | —        |                |
| 13 | permit                      | varchar(95)  | NULL     | NULL     |                |
| 14 | mask                        | varchar(95)  | NOT NULL | —        |                |
| 15 | port                        | char(5)      | NOT NULL | ''       |                |
| 16 | qualify                     | char(7)      | NULL     | 'yes'    |                |
| 17 | secret                      | varchar(80)  | NOT NULL | —        |                |
| 18 | type                        | char(6)      | NOT NULL | 'friend' |                |
| 19 | username                    | varchar(80)  | NOT NULL | —        |                |
| 20 | disallow                    | varchar(100) | NOT NULL | —        |                |
| 21 | allow                       | varchar(100) | NOT NULL | —        |                |
| 22 | regseconds                  | int(11)      | NOT NULL | 0        |                |
| 23 | ipaddr                      | char(50)     | NOT NULL | ''       |                |
| 24 | trunk                       | char(3)      | NULL     | 'no'     |                |
| 25 | dbsecret                    | varchar(40)  | NOT NULL | ''       |                |
| 26 | regcontext                  | varchar(40)  | NOT NULL | ''       |                |
| 27 | sourceaddress               | varchar(50)  | NOT NULL | ''       |                |
| 28 | mohinterpret                | varchar(20)  | NOT NULL | ''       |                |
| 29 | mohsuggest                  | varchar(20)  | NOT NULL | ''       |                |
| 30 | inkeys                      | varchar(40)  | NOT NULL | ''       |                |
| 31 | outkey                      | varchar(40)  | NOT NULL | ''       |                |
| 32 | cid_number                  | varchar(40)  | NOT NULL | ''       |                |
| 33 | sendani                     | varchar(10)  | NOT NULL | ''       |                |
| 34 | fullname                    | varchar(40)  | NOT NULL | ''       |                |
| 35 | auth                        | varchar(20)  | NOT NULL | ''       |                |
| 36 | maxauthreq                  | varchar(15)  | NOT NULL | ''       |                |
| 37 | encryption                  | varchar(20)  | NOT NULL | ''       |                |
| 38 | transfer                    | varchar(10)  | NOT NULL | ''       |                |
| 39 | jitterbuffer                | varchar(10)  | NOT NULL | ''       |                |
| 40 | forcejitterbuffer           | varchar(10)  | NOT NULL | ''       |                |
| 41 | codecpriority               | varchar(40)  | NOT NULL | ''       |                |
| 42 | qualifysmoothing            | varchar(10)  | NOT NULL | ''       |                |
| 43 | qualifyfreqok               | varchar(10)  | NOT NULL | ''       |                |
| 44 | qualifyfreqnotok            | varchar(10)  | NOT NULL | ''       |                |
| 45 | timezone                    | varchar(20)  | NOT NULL | ''       |                |
| 46 | adsi                        | varchar(10)  | NOT NULL | ''       |                |
| 47 | setvar                      | varchar(200) | NOT NULL | ''       |                |
| 48 | requirecalltoken            | varchar(20)  | NOT NULL | ''       |                |
| 49 | maxcallnumbers              | varchar(10)  | NOT NULL | ''       |                |
| 50 | maxcallnumbers_nonvalidated | varchar(10)  | NOT NULL | ''       |                |
`);

/** Every table and its column count. */
const TABLES = [
  ['cc_call', CC_CALL, 25],
  ['cc_callerid', CC_CALLERID, 4],
  ['cc_card', CC_CARD, 69],
  ['cc_card_group', CC_CARD_GROUP, 6],
  ['cc_charge', CC_CHARGE, 13],
  ['cc_country', CC_COUNTRY, 4],
  ['cc_iax_buddies', CC_IAX_BUDDIES, 50],
  ['cc_iso639', CC_ISO639, 4],
  ['cc_logpayment', CC_LOGPAYMENT, 10],
  ['cc_logrefill', CC_LOGREFILL, 8],
  ['cc_sip_buddies', CC_SIP_BUDDIES, 60],
  ['cc_tariffgroup', CC_TARIFFGROUP, 8],
  ['cc_tariffgroup_plan', CC_TARIFFGROUP_PLAN, 2],
] as const;

/** SCHEMA.md §1 "Keys and indexes" and §2 ("the only key is PRIMARY KEY (id)"); A2Billing's DDL for the other six. */
const INDEXES: Record<string, { name: string; unique: boolean; columns: string[] }[]> = {
  cc_card: [
    { name: 'PRIMARY', unique: true, columns: ['id'] },
    { name: 'cons_cc_card_username', unique: true, columns: ['username'] },
    { name: 'cons_cc_card_useralias', unique: true, columns: ['useralias'] },
    { name: 'creationdate', unique: false, columns: ['creationdate'] },
    { name: 'username', unique: false, columns: ['username'] },
  ],
  cc_card_group: [{ name: 'PRIMARY', unique: true, columns: ['id'] }],
  cc_call: [
    { name: 'PRIMARY', unique: true, columns: ['id'] },
    { name: 'starttime', unique: false, columns: ['starttime'] },
    { name: 'calledstation', unique: false, columns: ['calledstation'] },
    { name: 'terminatecauseid', unique: false, columns: ['terminatecauseid'] },
  ],
  cc_callerid: [
    { name: 'PRIMARY', unique: true, columns: ['id'] },
    { name: 'cons_cc_callerid_cid', unique: true, columns: ['cid'] },
  ],
  cc_charge: [
    { name: 'PRIMARY', unique: true, columns: ['id'] },
    { name: 'ind_cc_charge_id_cc_card', unique: false, columns: ['id_cc_card'] },
    { name: 'ind_cc_charge_creationdate', unique: false, columns: ['creationdate'] },
  ],
  cc_country: [{ name: 'PRIMARY', unique: true, columns: ['id'] }],
  cc_logpayment: [{ name: 'PRIMARY', unique: true, columns: ['id'] }],
  cc_logrefill: [{ name: 'PRIMARY', unique: true, columns: ['id'] }],
  cc_iso639: [
    { name: 'PRIMARY', unique: true, columns: ['code'] },
    { name: 'iso639_name_key', unique: true, columns: ['name'] },
  ],
  cc_tariffgroup: [{ name: 'PRIMARY', unique: true, columns: ['id'] }],
  cc_sip_buddies: [
    { name: 'PRIMARY', unique: true, columns: ['id'] },
    { name: 'cons_cc_sip_buddies_name', unique: true, columns: ['name'] },
    { name: 'name', unique: false, columns: ['name'] },
    { name: 'host', unique: false, columns: ['host'] },
    { name: 'ipaddr', unique: false, columns: ['ipaddr'] },
    { name: 'port', unique: false, columns: ['port'] },
    { name: 'sip_friend_hp_index', unique: false, columns: ['host', 'port'] },
    { name: 'sip_friend_ip_index', unique: false, columns: ['ipaddr', 'port'] },
  ],
  cc_iax_buddies: [
    { name: 'PRIMARY', unique: true, columns: ['id'] },
    { name: 'cons_cc_iax_buddies_name', unique: true, columns: ['name'] },
    { name: 'name', unique: false, columns: ['name'] },
    { name: 'host', unique: false, columns: ['host'] },
    { name: 'ipaddr', unique: false, columns: ['ipaddr'] },
    { name: 'port', unique: false, columns: ['port'] },
    { name: 'iax_friend_nh_index', unique: false, columns: ['name', 'host'] },
    { name: 'iax_friend_nip_index', unique: false, columns: ['name', 'ipaddr', 'port'] },
    { name: 'iax_friend_ip_index', unique: false, columns: ['ipaddr', 'port'] },
    { name: 'iax_friend_hp_index', unique: false, columns: ['host', 'port'] },
  ],
  cc_tariffgroup_plan: [{ name: 'PRIMARY', unique: true, columns: ['idtariffgroup', 'idtariffplan'] }],
};

/** SCHEMA.md §0.3: every table is ENGINE=MyISAM DEFAULT CHARSET=utf8 COLLATE=utf8_bin. */
const TABLE_OPTIONS = { engine: 'MyISAM', collation: 'utf8_bin', charset: 'utf8' };

/**
 * information_schema.COLUMNS.COLUMN_DEFAULT as MariaDB 10.11 prints it, in
 * SCHEMA.md's notation:
 * - SQL NULL (the column has no default) becomes "—";
 * - the text NULL (DEFAULT NULL) stays "NULL";
 * - current_timestamp() (any case, with or without the parentheses) becomes "CURRENT_TIMESTAMP";
 * - anything else is kept verbatim: MariaDB already quotes string and date
 *   literals ('USD', '0000-00-00 00:00:00') and prints numbers bare (0, 0.00000, -1),
 *   which is how SCHEMA.md writes them.
 */
function normaliseDefault(value: string | null): string {
  if (value === null) return '—';
  if (/^current_timestamp(\(\))?$/i.test(value)) return 'CURRENT_TIMESTAMP';
  return value;
}

/** utf8mb3 is MariaDB's name for MySQL 5.x's utf8; SCHEMA.md uses the MySQL names. */
function normaliseCharset(value: string | null): string | null {
  return value === null ? null : value.replace(/^utf8mb3/, 'utf8');
}

async function connect(): Promise<Connection> {
  return mysql.createConnection({
    host: '127.0.0.1',
    port: 3306,
    user: 'root',
    password: '',
    multipleStatements: true,
    connectTimeout: 10_000,
  });
}

const database = `a2gen_gen_${randomBytes(6).toString('hex')}`;

let connection: Connection | undefined;
try {
  connection = await connect();
} catch (error) {
  t.fail(`MariaDB at 127.0.0.1:3306 is unreachable (${(error as Error).message}); this test needs it`);
}

if (connection !== undefined) {
  const db = connection;
  t.teardown(async () => {
    await db.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await db.end();
  });

  const ddl = await readFile(path.join(repoRoot, 'generated/ddl/mysql.sql'), 'utf8');

  t.test('the generated DDL applies in strict mode', async (t) => {
    await db.query(`CREATE DATABASE \`${database}\``);
    await db.query(`USE \`${database}\``);
    await db.query("SET SESSION sql_mode='STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'");
    const [[mode]] = await db.query<RowDataPacket[]>('SELECT @@SESSION.sql_mode AS mode');
    t.equal(mode?.mode, 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', 'strict session');
    await db.query(ddl);
    t.pass('mysql.sql ran without error');
    // CREATE TABLE IF NOT EXISTS: running it again on an existing database is harmless.
    await db.query(ddl);
    t.pass('mysql.sql runs a second time without error');
    const [warnings] = await db.query<RowDataPacket[]>('SHOW WARNINGS');
    t.ok(
      warnings.every((warning) => warning.Code === 1050),
      'only "table already exists" notes',
      { warnings },
    );
  });

  t.test('exactly the thirteen tables, with A2Billing table options', async (t) => {
    const [tables] = await db.query<RowDataPacket[]>(
      `SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_COLLATION
         FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME <> 'a2gen_audit' ORDER BY TABLE_NAME`,
      [database],
    );
    t.strictSame(
      tables.map((row) => row.TABLE_NAME),
      TABLES.map(([table]) => table),
      'cc_card, cc_card_group, the old API’s other six tables, the three with keys of other shapes, and the SIP and IAX accounts',
    );
    for (const row of tables) {
      t.equal(row.TABLE_TYPE, 'BASE TABLE', `${row.TABLE_NAME}: a base table`);
      t.equal(row.ENGINE, TABLE_OPTIONS.engine, `${row.TABLE_NAME}: ENGINE=MyISAM`);
      t.equal(
        normaliseCharset(row.TABLE_COLLATION),
        TABLE_OPTIONS.collation,
        `${row.TABLE_NAME}: utf8_bin (${row.TABLE_COLLATION})`,
      );
    }
  });

  t.test("and a2gen's own audit table, transactional", async (t) => {
    const [[audit]] = await db.query<RowDataPacket[]>(
      `SELECT ENGINE, TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'a2gen_audit'`,
      [database],
    );
    t.same(audit, { ENGINE: 'InnoDB', TABLE_COLLATION: 'utf8mb4_bin' });
  });

  for (const [table, expected, count] of TABLES) {
    t.test(`${table}: columns as A2Billing has them`, async (t) => {
      t.equal(expected.length, count, 'the transcription is complete');
      t.strictSame(
        expected.map((fact) => fact.position),
        expected.map((_, index) => index + 1),
        'the transcription is in order',
      );
      const [rows] = await db.query<RowDataPacket[]>(
        `SELECT ORDINAL_POSITION, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,
                CHARACTER_SET_NAME, COLLATION_NAME
           FROM information_schema.COLUMNS
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
          ORDER BY ORDINAL_POSITION`,
        [database, table],
      );
      t.strictSame(
        rows.map((row) => row.COLUMN_NAME),
        expected.map((fact) => fact.column),
        'column names, in order',
      );
      const actual = rows.map((row) => ({
        position: Number(row.ORDINAL_POSITION),
        column: row.COLUMN_NAME as string,
        type: row.COLUMN_TYPE as string,
        nullable: row.IS_NULLABLE === 'YES' ? 'NULL' : 'NOT NULL',
        default: normaliseDefault(row.COLUMN_DEFAULT as string | null),
        extra: row.EXTRA as string,
      }));
      // One assertion a column, so a failure names the column.
      for (const fact of expected) {
        const found = actual.find((candidate) => candidate.column === fact.column);
        t.strictSame(
          found,
          fact,
          `${table}.${fact.column}: ${fact.type} ${fact.nullable} default ${fact.default} ${fact.extra}`.trim(),
        );
      }
      for (const row of rows) {
        const isString = /^((var)?char\(|(tiny|medium|long)?text$)/.test(row.COLUMN_TYPE as string);
        t.strictSame(
          [normaliseCharset(row.CHARACTER_SET_NAME), normaliseCharset(row.COLLATION_NAME)],
          isString ? [TABLE_OPTIONS.charset, TABLE_OPTIONS.collation] : [null, null],
          `${table}.${row.COLUMN_NAME}: ${isString ? 'utf8 / utf8_bin' : 'no charset'}`,
        );
      }
    });

    t.test(`${table}: keys as A2Billing has them`, async (t) => {
      const [rows] = await db.query<RowDataPacket[]>(
        `SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME
           FROM information_schema.STATISTICS
          WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?
          ORDER BY INDEX_NAME, SEQ_IN_INDEX`,
        [database, table],
      );
      const found = new Map<string, { name: string; unique: boolean; columns: string[] }>();
      for (const row of rows) {
        const name = row.INDEX_NAME as string;
        const index = found.get(name) ?? { name, unique: Number(row.NON_UNIQUE) === 0, columns: [] };
        index.columns.push(row.COLUMN_NAME as string);
        found.set(name, index);
      }
      const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
      t.strictSame(
        [...found.values()].sort(byName),
        [...INDEXES[table]!].sort(byName),
        'every index, unique or not, and its columns',
      );
    });
  }

  t.test('the tables behave like A2Billing (case-sensitive, 3-byte UTF-8, strict NOT NULL)', async (t) => {
    const required = {
      username: 'ABC',
      useralias: 'ABC',
      uipass: 'x',
      lastname: '',
      firstname: '',
      address: '',
      city: '',
      state: '',
      country: '',
      zipcode: '',
      phone: '',
      email: '',
      fax: '',
      redial: '',
      loginkey: '',
      tag: '',
      email_notification: '',
      company_name: '',
      company_website: '',
      traffic_target: '',
    };
    const insert = (row: Record<string, string>) =>
      db.query(`INSERT INTO cc_card (${Object.keys(row).join(', ')}) VALUES (?)`, [Object.values(row)]);
    await insert(required);
    t.pass('a card with the 20 no-default columns inserts');
    await insert({ ...required, username: 'abc', useralias: 'abc' });
    t.pass("'abc' is not a duplicate of 'ABC' (utf8_bin)");
    await t.rejects(
      insert({ ...required, useralias: 'other' }),
      { code: 'ER_DUP_ENTRY', errno: 1062 },
      "a second 'ABC' username is a duplicate",
    );
    await t.rejects(
      insert({ ...required, username: 'emoji', useralias: 'emoji', lastname: 'a\u{1F600}' }),
      { code: 'ER_TRUNCATED_WRONG_VALUE_FOR_FIELD', errno: 1366 },
      '4-byte UTF-8 is refused',
    );
    const { lastname: _omitted, ...withoutLastname } = required;
    await t.rejects(
      insert({ ...withoutLastname, username: 'nolast', useralias: 'nolast' }),
      { code: 'ER_NO_DEFAULT_FOR_FIELD', errno: 1364 },
      'omitting lastname fails in strict mode',
    );
    const [[card]] = await db.query<RowDataPacket[]>(
      "SELECT CAST(firstusedate AS CHAR) AS firstusedate, credit, currency, max_concurrent FROM cc_card WHERE username = 'ABC'",
    );
    t.strictSame(
      { ...card },
      { firstusedate: '0000-00-00 00:00:00', credit: '0.00000', currency: 'USD', max_concurrent: 10 },
      'the defaults are the A2Billing ones',
    );
  });
}
