/**
 * When a new API key stops working, as given on the command line or in the
 * admin panel: a duration from now (`90d`, `12h`, `30m`, `2w`) or an ISO
 * date or time (`2027-01-31`: midnight UTC starting that day;
 * `2027-01-31T18:00:00+01:00`). Empty: never.
 */

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** Ms since the epoch, or null for never; throws a message for the user on anything else or a time past. */
export function parseExpiry(text: string, now: number): number | null {
  const value = text.trim();
  if (value === '') return null;
  const duration = /^(\d{1,6})([mhdw])$/.exec(value);
  let at: number;
  if (duration !== null) at = now + Number(duration[1]) * UNIT_MS[duration[2]!]!;
  else if (ISO.test(value)) {
    // A date and time without a zone is read as UTC, like a date alone, not in this machine's zone.
    const zoned = value.length > 10 && !/(?:Z|[+-]\d{2}:\d{2})$/.test(value) ? `${value}Z` : value;
    at = Date.parse(zoned.replace(' ', 'T'));
  } else at = Number.NaN;
  if (Number.isNaN(at))
    throw new ExpiryError(`"${value}" is neither a duration (90d, 12h, 2w) nor an ISO date (2027-01-31)`);
  if (at <= now) throw new ExpiryError(`"${value}" is not in the future`);
  return at;
}

export class ExpiryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExpiryError';
  }
}

/** `2027-01-31 00:00:00Z`: how lists show a time (UTC, to the second). */
export function formatTime(ms: number | null): string {
  return ms === null ? '' : `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
