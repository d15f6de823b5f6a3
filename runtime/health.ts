/**
 * /health/live: the process answers. /health/ready: the database answers and
 * its tables match the schema files (the same check as `a2gen diff`). With a
 * read replica, both are checked: a replica that is down leaves the service
 * ready (reads go to the primary) and says so; a replica whose tables differ
 * makes it unready, like the primary would.
 *
 * Anyone may ask whether the service is ready: the answer is the status code
 * and `{"status": "ok"}` or `{"status": "unavailable"}`, nothing more. Which
 * tables differ, the database kind and the replica's state are for those who
 * send the API's Basic credentials (the same URL, checked like any API
 * request) and for the metrics listener (A2B_METRICS_PORT), which serves
 * /health/ready with its details too.
 */
import type { FastifyInstance, FastifyReply, RouteHandlerMethod } from 'fastify';
import type { ResourceModel } from './store/model.js';
import type { Db } from './db/db.js';
import { ReadWriteSplitDb } from './db/read-write-split.js';
import { SchemaMonitor, type SchemaReport } from './schema-status.js';

type ConstraintStrategy = Parameters<FastifyInstance['addConstraintStrategy']>[0];
type RouterHandler = NonNullable<ReturnType<ReturnType<ConstraintStrategy['storage']>['get']>>;

/** Routes with `constraints: { credentials: 'sent' }` match only requests with an Authorization header. */
const CREDENTIALS_STRATEGY: ConstraintStrategy = {
  name: 'credentials',
  storage() {
    const handlers = new Map<unknown, RouterHandler>();
    return {
      get: (value) => handlers.get(value) ?? null,
      set: (value, handler) => void handlers.set(value, handler),
    };
  },
  deriveConstraint: (request) => (request.headers.authorization === undefined ? undefined : 'sent'),
  validate(value) {
    if (value !== 'sent') throw new Error('the credentials constraint takes "sent"');
  },
};

interface Readiness {
  status: number;
  body: Record<string, unknown>;
}

export interface Health {
  schema: SchemaMonitor;
  /**
   * Adds the detailed /health/ready to `scope` for requests that carry an
   * Authorization header; register it in the API's scope, whose Basic auth
   * checks them (wrong credentials: 401, as anywhere in the API).
   */
  registerDetailedRoute(scope: FastifyInstance): void;
}

export function registerHealth(
  app: FastifyInstance,
  db: Db,
  models: readonly ResourceModel[],
  /** The metrics listener (A2B_METRICS_PORT), which also serves the detailed /health/ready; null when there is none. */
  metricsListener: FastifyInstance | null = null,
): Health {
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

  async function readiness(): Promise<Readiness> {
    try {
      await db.ping();
    } catch {
      return { status: 503, body: { status: 'unavailable', database: db.dialect, ...(await replicaState()) } };
    }
    try {
      const report = await schema.report();
      const tables = counts(report);
      const replica = await replicaState();
      if (!report.agrees || replica.replica === 'schema_mismatch') {
        return {
          status: 503,
          body: { status: 'schema_mismatch', database: db.dialect, differences: tables, ...replica },
        };
      }
      return { status: 200, body: { status: 'ok', database: db.dialect, differences: tables, ...replica } };
    } catch {
      return { status: 503, body: { status: 'unavailable', database: db.dialect } };
    }
  }

  const detailed: RouteHandlerMethod = async (_request, reply: FastifyReply) => {
    const { status, body } = await readiness();
    return reply.status(status).send(body);
  };

  app.addConstraintStrategy(CREDENTIALS_STRATEGY);
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const { status } = await readiness();
    return reply.status(status).send({ status: status === 200 ? 'ok' : 'unavailable' });
  });
  metricsListener?.get('/health/ready', detailed);
  return {
    schema,
    registerDetailedRoute: (scope) =>
      void scope.get('/health/ready', { constraints: { credentials: 'sent' } }, detailed),
  };
}
