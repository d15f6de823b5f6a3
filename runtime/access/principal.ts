/**
 * Who is asking, once authenticated: a user (HTTP Basic auth, or an admin
 * session) or an API key (`Authorization: Bearer …`). Both carry a role,
 * named in the roles file (runtime/access/roles.ts), and the attributes the
 * role's row scopes take as parameters (an agent's `agent`).
 */

/** The role of a user who was given none: everything, as before roles existed. */
export const DEFAULT_ROLE = 'admin';

export interface Principal {
  /** `user`: a row of the `user` table; `key`: a row of `a2gen_api_key`. */
  readonly kind: 'user' | 'key';
  /** The user's id, or the key's id (the two are counted apart). */
  readonly id: number;
  /** What the audit trail records: the username, or `key:<name>` for an API key. */
  readonly username: string;
  /** A role of the roles file. */
  readonly role: string;
  /** The role's parameters, as text (`{agent: "7"}`). */
  readonly attributes: Readonly<Record<string, string>>;
}

/** The audit trail's name for an API key: never mistaken for a username (which cannot hold a colon). */
export function keyActor(name: string): string {
  return `key:${name}`;
}
