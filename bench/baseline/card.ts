/**
 * /api/card/: cc_card, 69 columns, written out by hand. uipass, loginkey and
 * lock_pin are write-only (never selected); id and serial are read-only.
 */
import type { FastifyInstance } from 'fastify';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { HttpError } from './errors.js';
import {
  decimal,
  float6,
  INT,
  INT_OR_NULL,
  inDecimal,
  inFloat,
  inInt,
  inIntOrNull,
  inStr,
  inStrOrNull,
  inTimestamp,
  inTimestampOrNull,
  listMeta,
  listMetaSchema,
  NUM,
  STR,
  STR_OR_NULL,
  writeParts,
  zeroDateToNull,
} from './values.js';

const SELECT_COLUMNS = `id, creationdate, firstusedate, expirationdate, enableexpire, expiredays, username, useralias,
  credit, tariff, id_didgroup, activated, status, lastname, firstname, address, city, state, country, zipcode, phone,
  email, fax, inuse, simultaccess, currency, lastuse, nbused, typepaid, creditlimit, voipcall, sip_buddy, iax_buddy,
  language, redial, runservice, nbservice, id_campaign, num_trials_done, vat, servicelastrun, initialbalance,
  invoiceday, autorefill, mac_addr, id_timezone, tag, voicemail_permitted, voicemail_activated, last_notification,
  email_notification, notify_email, credit_notification, id_group, company_name, company_website, vat_rn, traffic,
  traffic_target, discount, restriction, id_seria, serial, block, lock_date, max_concurrent`;

const GET_CARD = `SELECT ${SELECT_COLUMNS} FROM cc_card WHERE id = ?`;

/** NOT NULL columns without a database default: what the A2Billing form fills in. */
const CREATE_DEFAULTS: Record<string, string> = {
  lastname: '',
  firstname: '',
  address: '',
  city: '',
  state: '',
  country: 'USA',
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

const ZERO_DATE_COLUMNS = new Set(['firstusedate', 'expirationdate', 'lastuse', 'servicelastrun']);

function decodeCard(row: RowDataPacket): RowDataPacket {
  row.firstusedate = zeroDateToNull(row.firstusedate);
  row.expirationdate = zeroDateToNull(row.expirationdate);
  row.lastuse = zeroDateToNull(row.lastuse);
  row.servicelastrun = zeroDateToNull(row.servicelastrun);
  row.credit = decimal(row.credit);
  row.initialbalance = decimal(row.initialbalance);
  row.discount = decimal(row.discount);
  row.vat = float6(row.vat);
  return row;
}

const cardSchema = {
  type: 'object',
  properties: {
    id: INT,
    creationdate: STR,
    firstusedate: STR_OR_NULL,
    expirationdate: STR_OR_NULL,
    enableexpire: INT_OR_NULL,
    expiredays: INT_OR_NULL,
    username: STR,
    useralias: STR,
    credit: NUM,
    tariff: INT_OR_NULL,
    id_didgroup: INT_OR_NULL,
    activated: STR,
    status: INT,
    lastname: STR,
    firstname: STR,
    address: STR,
    city: STR,
    state: STR,
    country: STR,
    zipcode: STR,
    phone: STR,
    email: STR,
    fax: STR,
    inuse: INT_OR_NULL,
    simultaccess: INT_OR_NULL,
    currency: STR_OR_NULL,
    lastuse: STR_OR_NULL,
    nbused: INT_OR_NULL,
    typepaid: INT_OR_NULL,
    creditlimit: INT_OR_NULL,
    voipcall: INT_OR_NULL,
    sip_buddy: INT_OR_NULL,
    iax_buddy: INT_OR_NULL,
    language: STR_OR_NULL,
    redial: STR,
    runservice: INT_OR_NULL,
    nbservice: INT_OR_NULL,
    id_campaign: INT_OR_NULL,
    num_trials_done: INT_OR_NULL,
    vat: NUM,
    servicelastrun: STR_OR_NULL,
    initialbalance: NUM,
    invoiceday: INT_OR_NULL,
    autorefill: INT_OR_NULL,
    mac_addr: STR,
    id_timezone: INT_OR_NULL,
    tag: STR,
    voicemail_permitted: INT,
    voicemail_activated: INT,
    last_notification: STR_OR_NULL,
    email_notification: STR,
    notify_email: INT,
    credit_notification: INT,
    id_group: INT,
    company_name: STR,
    company_website: STR,
    vat_rn: STR_OR_NULL,
    traffic: INT_OR_NULL,
    traffic_target: STR,
    discount: NUM,
    restriction: INT,
    id_seria: INT_OR_NULL,
    serial: INT_OR_NULL,
    block: INT,
    lock_date: STR_OR_NULL,
    max_concurrent: INT,
  },
} as const;

const bodyProperties = {
  creationdate: inTimestamp,
  firstusedate: inTimestampOrNull,
  expirationdate: inTimestampOrNull,
  enableexpire: inIntOrNull,
  expiredays: inIntOrNull,
  username: inStr(50),
  useralias: inStr(50),
  uipass: inStr(50),
  credit: inDecimal,
  tariff: inIntOrNull,
  id_didgroup: inIntOrNull,
  activated: inStr(1),
  status: inInt,
  lastname: inStr(50),
  firstname: inStr(50),
  address: inStr(100),
  city: inStr(40),
  state: inStr(40),
  country: inStr(40),
  zipcode: inStr(20),
  phone: inStr(20),
  email: inStr(70),
  fax: inStr(20),
  inuse: inIntOrNull,
  simultaccess: inIntOrNull,
  currency: inStrOrNull(3),
  lastuse: inTimestampOrNull,
  nbused: inIntOrNull,
  typepaid: inIntOrNull,
  creditlimit: inIntOrNull,
  voipcall: inIntOrNull,
  sip_buddy: inIntOrNull,
  iax_buddy: inIntOrNull,
  language: inStrOrNull(5),
  redial: inStr(50),
  runservice: inIntOrNull,
  nbservice: inIntOrNull,
  id_campaign: inIntOrNull,
  num_trials_done: inIntOrNull,
  vat: inFloat,
  servicelastrun: inTimestampOrNull,
  initialbalance: inDecimal,
  invoiceday: inIntOrNull,
  autorefill: inIntOrNull,
  loginkey: inStr(40),
  mac_addr: inStr(17),
  id_timezone: inIntOrNull,
  tag: inStr(50),
  voicemail_permitted: inInt,
  voicemail_activated: inInt,
  last_notification: inTimestampOrNull,
  email_notification: inStr(70),
  notify_email: inInt,
  credit_notification: inInt,
  id_group: inInt,
  company_name: inStr(50),
  company_website: inStr(60),
  vat_rn: inStrOrNull(40),
  traffic: inIntOrNull,
  traffic_target: inStr(300),
  discount: inDecimal,
  restriction: inInt,
  id_seria: inIntOrNull,
  block: inInt,
  lock_pin: inStrOrNull(15),
  lock_date: inTimestampOrNull,
  max_concurrent: inInt,
} as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'useralias', 'uipass', 'credit', 'tariff'],
  properties: bodyProperties,
} as const;
const updateBody = { type: 'object', additionalProperties: false, properties: bodyProperties } as const;

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } },
} as const;

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    page: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 },
    limit: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 },
    status: { type: 'integer' },
    credit__gt: { type: 'string', pattern: '^[+-]?\\d{1,10}(\\.\\d{1,5})?$' },
    ordering: { enum: ['id', '-id'] },
  },
} as const;

const listSchema = {
  type: 'object',
  properties: { meta: listMetaSchema, objects: { type: 'array', items: cardSchema } },
} as const;

const MAX_LIMIT = 100;

interface ListQuery {
  page?: number;
  limit?: number;
  status?: number;
  credit__gt?: string;
  ordering?: 'id' | '-id';
}

export async function cardRoutes(app: FastifyInstance, pool: Pool): Promise<void> {
  async function getCard(id: number): Promise<RowDataPacket> {
    const [rows] = await pool.execute<RowDataPacket[]>(GET_CARD, [id]);
    if (rows.length === 0) throw new HttpError(404, 'not_found', `card ${id} not found`);
    return decodeCard(rows[0]!);
  }

  app.get('/api/card/', { schema: { querystring: listQuery, response: { 200: listSchema } } }, async (request) => {
    const query = request.query as ListQuery;
    const page = query.page ?? 1;
    const limit = Math.min(query.limit ?? 20, MAX_LIMIT);
    const conditions: string[] = [];
    const params: (string | number)[] = [];
    if (query.status !== undefined) {
      conditions.push('status = ?');
      params.push(query.status);
    }
    if (query.credit__gt !== undefined) {
      conditions.push('credit > ?');
      params.push(query.credit__gt);
    }
    const where = conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
    const order = query.ordering === '-id' ? ' ORDER BY id DESC' : ' ORDER BY id';
    // LIMIT/OFFSET as string parameters: one prepared statement for every page (portable to MySQL 8).
    const sql = `SELECT ${SELECT_COLUMNS} FROM cc_card${where}${order} LIMIT ? OFFSET ?`;
    params.push(String(limit + 1), String((page - 1) * limit));
    const [rows] = await pool.execute<RowDataPacket[]>(sql, params);
    const hasNext = rows.length > limit;
    const objects = (hasNext ? rows.slice(0, limit) : rows).map(decodeCard);
    return { meta: listMeta('card', '/api/card/', request.url, page, hasNext), objects };
  });

  app.get('/api/card/:id/', { schema: { params: idParams, response: { 200: cardSchema } } }, async (request) =>
    getCard((request.params as { id: number }).id),
  );

  app.post('/api/card/', { schema: { body: createBody, response: { 200: cardSchema } } }, async (request) => {
    const { columns, params } = writeParts({ ...CREATE_DEFAULTS, ...(request.body as object) }, ZERO_DATE_COLUMNS);
    const sql = `INSERT INTO cc_card (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    const [result] = await pool.execute<ResultSetHeader>(sql, params);
    return getCard(result.insertId);
  });

  // PUT, PATCH and POST on one card: partial update of the fields sent.
  app.route({
    method: ['PUT', 'PATCH', 'POST'],
    url: '/api/card/:id/',
    schema: { params: idParams, body: updateBody, response: { 200: cardSchema } },
    handler: async (request) => {
      const id = (request.params as { id: number }).id;
      const { columns, params } = writeParts(request.body as Record<string, unknown>, ZERO_DATE_COLUMNS);
      if (columns.length > 0) {
        const sql = `UPDATE cc_card SET ${columns.map((column) => `${column} = ?`).join(', ')} WHERE id = ?`;
        await pool.execute(sql, [...params, id]);
      }
      return getCard(id);
    },
  });
}
