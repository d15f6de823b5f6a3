/**
 * What a page module adds one model's handlers to (runtime/admin/model-routes.ts
 * serves them all behind one Fastify route per page kind).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export type PageHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** Paths under /admin/<resource>: `/`, `/add/`, `/:id/`, `/lookup/id_group/`, `/action/block/`. */
export interface PageRoutes {
  get(path: string, handler: PageHandler): void;
  post(path: string, handler: PageHandler): void;
}
