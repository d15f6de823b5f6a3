/**
 * /api/cardgroup/: cc_card_group, six columns.
 */
import type { FastifyInstance } from 'fastify';
import type { Pool, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import { HttpError } from './errors.js';
import { INT, INT_OR_NULL, inInt, inIntOrNull, inStrOrNull, STR_OR_NULL, writeParts } from './values.js';

const GET_CARD_GROUP =
  'SELECT id, name, description, users_perms, id_agent, provisioning FROM cc_card_group WHERE id = ?';

const cardGroupSchema = {
  type: 'object',
  properties: {
    id: INT,
    name: STR_OR_NULL,
    description: STR_OR_NULL,
    users_perms: INT,
    id_agent: INT_OR_NULL,
    provisioning: STR_OR_NULL,
  },
} as const;

const createBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: inStrOrNull(50),
    description: inStrOrNull(400),
    users_perms: inInt,
    id_agent: inIntOrNull,
    provisioning: inStrOrNull(200),
  },
} as const;

const idParams = {
  type: 'object',
  properties: { id: { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 } },
} as const;

const NO_ZERO_DATES: ReadonlySet<string> = new Set();

export async function cardGroupRoutes(app: FastifyInstance, pool: Pool): Promise<void> {
  async function getCardGroup(id: number): Promise<RowDataPacket> {
    const [rows] = await pool.execute<RowDataPacket[]>(GET_CARD_GROUP, [id]);
    if (rows.length === 0) throw new HttpError(404, 'not_found', `cardgroup ${id} not found`);
    return rows[0]!;
  }

  app.get(
    '/api/cardgroup/:id/',
    { schema: { params: idParams, response: { 200: cardGroupSchema } } },
    async (request) => getCardGroup((request.params as { id: number }).id),
  );

  app.post('/api/cardgroup/', { schema: { body: createBody, response: { 200: cardGroupSchema } } }, async (request) => {
    const { columns, params } = writeParts(request.body as Record<string, unknown>, NO_ZERO_DATES);
    const sql =
      columns.length === 0
        ? 'INSERT INTO cc_card_group () VALUES ()'
        : `INSERT INTO cc_card_group (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    const [result] = await pool.execute<ResultSetHeader>(sql, params);
    return getCardGroup(result.insertId);
  });
}
