/**
 * A new API key as typed (on the command line or in the admin panel's
 * form), checked field by field, so both say the same about the same input.
 */
import type { NewApiKey } from './api-key-store.js';
import { keyNameProblem } from './api-key-store.js';
import { parseExpiry } from './key-expiry.js';
import { checkRoleWith, parseAttributePairs, type RoleCheck } from './role-attributes.js';

export interface ApiKeyInput {
  name: string;
  role: string;
  /** `NAME=VALUE` pairs. */
  attributes: readonly string[];
  owner: string;
  /** A duration or an ISO date (key-expiry.ts); empty: never. */
  expires: string;
}

export type ApiKeyField = keyof ApiKeyInput;

/** The key to store, or a message per field that is wrong. */
export function checkApiKeyInput(
  input: ApiKeyInput,
  now: number,
  checkRole?: RoleCheck,
): { key: NewApiKey; errors?: undefined } | { key?: undefined; errors: Map<ApiKeyField, string> } {
  const errors = new Map<ApiKeyField, string>();
  const nameProblem = keyNameProblem(input.name);
  if (nameProblem !== undefined) errors.set('name', nameProblem);
  if (input.owner.length > 255) errors.set('owner', 'the owner is at most 255 characters');
  const attributes = attempt(() => parseAttributePairs(input.attributes), 'attributes', errors);
  const roleProblem = checkRoleWith(checkRole)(input.role, attributes);
  if (roleProblem !== undefined) errors.set('role', roleProblem);
  const expiresAt = attempt(() => parseExpiry(input.expires, now), 'expires', errors);
  if (errors.size > 0 || attributes === undefined || expiresAt === undefined) return { errors };
  return { key: { name: input.name, role: input.role, attributes, owner: input.owner, expiresAt } };
}

function attempt<T>(parse: () => T, field: ApiKeyField, errors: Map<ApiKeyField, string>): T | undefined {
  try {
    return parse();
  } catch (error) {
    errors.set(field, (error as Error).message);
    return undefined;
  }
}
