/**
 * The one rule a new password must meet, wherever it is set: the admin
 * panel's user form and `a2gen create-admin` alike.
 */
export const MIN_PASSWORD_LENGTH = 8;

/** Counted in characters as a person counts them (code points), not UTF-16 units. */
export function passwordTooShort(password: string): boolean {
  return [...password].length < MIN_PASSWORD_LENGTH;
}
