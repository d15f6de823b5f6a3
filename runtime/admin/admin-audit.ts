/**
 * The audit trail for what the panel changes outside the models: users, their
 * admin flag and role, API keys. The same a2gen_audit rows the store writes
 * for rows (resource `user` or `apikey`), so who granted whom what is in the
 * one trail, with secrets masked.
 */
import type { FastifyRequest } from 'fastify';
import { appendAudit, MASKED, type AuditAction } from '../store/audit-log.js';
import { adminWriteContext, type AdminContext } from './context.js';

export { MASKED };

/** Only the values that differ between `before` and `after`, each side with its own. */
export function changedValues(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } | undefined {
  const names = Object.keys(after).filter((name) => JSON.stringify(before[name]) !== JSON.stringify(after[name]));
  if (names.length === 0) return undefined;
  return {
    before: Object.fromEntries(names.map((name) => [name, before[name] ?? null])),
    after: Object.fromEntries(names.map((name) => [name, after[name] ?? null])),
  };
}

export async function auditAdminChange(
  context: AdminContext,
  request: FastifyRequest,
  entry: {
    action: AuditAction;
    resource: 'user' | 'apikey';
    key: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  },
): Promise<void> {
  await appendAudit(context.db.writer ?? context.db, adminWriteContext(request).actor, entry);
}
