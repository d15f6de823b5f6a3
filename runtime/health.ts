/**
 * /health/live: the process answers. /health/ready: the database answers and
 * its tables match the schema files (the same check as `a2gen diff`).
 */
import type { FastifyInstance } from 'fastify';
import type { ResourceModule } from './api/resource.js';
import type { Db } from './db/db.js';
import { SchemaMonitor } from './schema-status.js';

export function registerHealth(app: FastifyInstance, db: Db, resources: readonly ResourceModule[]): SchemaMonitor {
  const schema = new SchemaMonitor(db, resources);
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    try {
      await db.ping();
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: db.dialect });
    }
    try {
      const report = await schema.report();
      // Table names and counts only: the details are in the log and in `a2gen diff`.
      const tables = Object.fromEntries(resources.map(({ spec }) => [spec.table, report.differences[spec.table]?.length ?? 0]));
      if (report.differences.user) tables.user = report.differences.user.length;
      if (!report.agrees) return reply.status(503).send({ status: 'schema_mismatch', database: db.dialect, differences: tables });
      return { status: 'ok', database: db.dialect, differences: tables };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: db.dialect });
    }
  });
  return schema;
}
