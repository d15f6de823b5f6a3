/**
 * The words a role and its attributes are written in, wherever they are set
 * (the CLI, the admin panel) or read back (the `user` and `a2gen_api_key`
 * tables): a role name, and attributes as a JSON object of strings, given
 * on the command line and in forms as `NAME=VALUE` pairs.
 */

/**
 * Says what is wrong with a role (and the attributes given with it), or undefined when it may be given;
 * the roles file adds its own check: the role is one of its roles, with the attributes that role needs.
 */
export type RoleCheck = (role: string, attributes?: Readonly<Record<string, string>>) => string | undefined;

const ROLE = /^[a-z0-9_-]{1,64}$/;
const ATTRIBUTE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_VALUE = 255;

/** The form every role name has: what the `role` varchar(64) columns hold. */
export function roleNameProblem(role: string): string | undefined {
  return ROLE.test(role) ? undefined : 'a role is 1 to 64 characters of a-z, 0-9, _ and -';
}

/** The form check, then the caller's (the roles file's, once it is read). */
export function checkRoleWith(extra?: RoleCheck): RoleCheck {
  return (role, attributes) => roleNameProblem(role) ?? extra?.(role, attributes);
}

export type Attributes = Readonly<Record<string, string>>;

/**
 * `NAME=VALUE` pairs (the value may hold `=`; split at the first one), into
 * attributes; throws a message for the user on a malformed or repeated name.
 */
export function parseAttributePairs(pairs: readonly string[]): Attributes {
  const attributes: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at < 0 ? pair : pair.slice(0, at);
    if (at < 0 || !ATTRIBUTE_NAME.test(name))
      throw new AttributeError(`"${pair}" is not NAME=VALUE with NAME of letters, digits and _`);
    const value = pair.slice(at + 1);
    if (Object.hasOwn(attributes, name)) throw new AttributeError(`attribute ${name} is given twice`);
    if (value.length > MAX_VALUE) throw new AttributeError(`attribute ${name} is longer than ${MAX_VALUE} characters`);
    attributes[name] = value;
  }
  return attributes;
}

/** The pairs of a form's text: one `NAME=VALUE` a line, blank lines ignored. */
export function parseAttributeLines(text: string): Attributes {
  return parseAttributePairs(
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== ''),
  );
}

/** `agent=7, region=north`: how lists show them. */
export function formatAttributes(attributes: Attributes, separator = ', '): string {
  return Object.entries(attributes)
    .map(([name, value]) => `${name}=${value}`)
    .join(separator);
}

/** What the attributes columns hold; names sorted, so equal attributes are equal text. */
export function attributesJson(attributes: Attributes): string {
  return JSON.stringify(Object.fromEntries(Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : 1))));
}

/** A stored value read back: undefined unless it is a JSON object whose values are all strings. NULL is {}. */
export function readAttributes(stored: unknown): Attributes | undefined {
  if (stored === null || stored === undefined || stored === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(String(stored));
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.every(([, item]) => typeof item === 'string')) return undefined;
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

/** A malformed attribute: the message is meant for the user as is. */
export class AttributeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttributeError';
  }
}
