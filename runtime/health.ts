/**
 * /health/live: the process answers. /health/ready: the database answers and
 * its tables match the schema files (the same check as `a2gen diff`). With a
 * read replica, both are checked: a replica that is down leaves the service
 * ready (reads go to the primary) and says so; a replica whose tables differ
 * makes it unready, like the primary would.
 */
import type { FastifyInstance } from 'fastify';
import type { ResourceModel } from './store/model.js';
import type { Db } from './db/db.js';
import { ReadWriteSplitDb } from './db/read-write-split.js';
import { SchemaMonitor, type SchemaReport } from './schema-status.js';

export function registerHealth(app: FastifyInstance, db: Db, models: readonly ResourceModel[]): SchemaMonitor {
  const split = db instanceof ReadWriteSplitDb ? db : undefined;
  const schema = new SchemaMonitor(split?.primary ?? db, models);
  const replicaSchema = split && new SchemaMonitor(split.replica, models);
  // Table names and counts only: the details are in the log and in `a2gen diff`.
  const counts = (report: SchemaReport) => {
    const tables = Object.fromEntries(models.map(({ table }) => [table, report.differences[table]?.length ?? 0]));
    if (report.differences.user) tables.user = report.differences.user.length;
    return tables;
  };

  /** undefined without a replica; 'down' when it does not answer (reads then go to the primary). */
  async function replicaState(): Promise<{
    replica?: 'ok' | 'down' | 'schema_mismatch';
    replicaDifferences?: Record<string, number>;
  }> {
    if (split === undefined || replicaSchema === undefined) return {};
    try {
      await split.replica.ping();
      const report = await replicaSchema.report();
      return report.agrees ? { replica: 'ok' } : { replica: 'schema_mismatch', replicaDifferences: counts(report) };
    } catch {
      return { replica: 'down' };
    }
  }

  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    try {
      await db.ping();
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: db.dialect, ...(await replicaState()) });
    }
    try {
      const report = await schema.report();
      const tables = counts(report);
      const replica = await replicaState();
      if (!report.agrees || replica.replica === 'schema_mismatch') {
        return reply
          .status(503)
          .send({ status: 'schema_mismatch', database: db.dialect, differences: tables, ...replica });
      }
      return { status: 'ok', database: db.dialect, differences: tables, ...replica };
    } catch {
      return reply.status(503).send({ status: 'unavailable', database: db.dialect });
    }
  });
  return schema;
}
