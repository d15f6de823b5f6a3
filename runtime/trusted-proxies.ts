/**
 * A2B_TRUST_PROXY: the reverse proxies (addresses or CIDR ranges) whose
 * X-Forwarded-For and X-Forwarded-Proto the service believes. A request
 * from anywhere else keeps its socket address, whatever headers it sends,
 * so a client cannot pick the address the login limiter, the audit trail
 * and the logs see.
 */
import { isIP } from 'node:net';

/** The ranges proxy-addr (Fastify's trustProxy) knows by name. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** Why an entry is not an address, a CIDR range or a named range; undefined when it is one. */
function problemWith(entry: string): string | undefined {
  if (NAMED_RANGES.has(entry)) return undefined;
  const [address = '', prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return 'is not an IP address or CIDR range';
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > bits)
    return `has a prefix length that is not a whole number from 0 to ${bits}`;
  return undefined;
}

/**
 * The comma-separated list, checked; empty when unset. Throws an Error
 * naming the first entry that is none of the accepted forms.
 */
export function parseTrustedProxies(text: string | undefined): readonly string[] {
  if (text === undefined || text.trim() === '') return [];
  const entries = text.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const problem = entry === '' ? 'is empty' : problemWith(entry);
    if (problem !== undefined) {
      throw new Error(
        `"${entry}" ${problem}; list addresses or CIDR ranges, comma-separated ` +
          '(e.g. 127.0.0.1,10.0.0.0/8), or loopback, linklocal, uniquelocal',
      );
    }
  }
  return entries;
}
