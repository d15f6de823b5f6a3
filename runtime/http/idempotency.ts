/**
 * The `Idempotency-Key` request header (as Stripe and the IETF draft have
 * it) and the answers of journalled operations: a first result, a replay of
 * it, or a 422 for a key reused with another request.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidBody } from './errors.js';

/** Any printable ASCII, up to 255 characters. */
const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,255}$/;

/** The client's key, scoped by user and route so one client's key never meets another's; undefined without one. */
export function idempotencyKeyOf(request: FastifyRequest, route: string): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key))
    throw invalidBody([{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }]);
  return `${request.user?.username ?? ''}\n${route}\n${key}`;
}

export type Outcome =
  | { readonly status: number; readonly body: string }
  | { readonly outcome: 'replay'; readonly status: number; readonly result: unknown }
  | { readonly outcome: 'mismatch' };

/** Sends an operation's answer: its JSON text as it is (exact decimals stay exact). */
export function sendOutcome(reply: FastifyReply, outcome: Outcome): FastifyReply {
  void reply.type('application/json; charset=utf-8');
  if (!('outcome' in outcome)) return reply.status(outcome.status).send(outcome.body);
  if (outcome.outcome === 'mismatch') {
    return reply.status(422).send({
      error: 'this Idempotency-Key was already used with a different request; use a new key for a new operation',
      code: 'idempotency_key_reused',
    });
  }
  void reply.header('Idempotent-Replayed', 'true');
  return reply.status(outcome.status).send(outcome.result as string);
}
