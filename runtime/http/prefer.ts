/**
 * The `Prefer` request header (RFC 7240), as PostgREST reads it: `count=exact`
 * or `count=estimated` on a list, `max-affected=N` on a bulk update or delete.
 * Preferences a2gen does not know are ignored, as the RFC asks; a known one
 * with a value it cannot use is a 400 naming it.
 */
import type { FastifyRequest } from 'fastify';
import { invalidQuery } from '../store/errors.js';
import type { CountMode } from '../store/store.js';

export interface Preferences {
  count?: CountMode;
  maxAffected?: number;
}

export function preferencesOf(request: FastifyRequest): Preferences {
  const header = request.headers.prefer;
  if (header === undefined) return {};
  const preferences: Preferences = {};
  for (const item of (Array.isArray(header) ? header.join(',') : header).split(/[,;]/)) {
    const [name = '', value = ''] = item.split('=', 2).map((part) => part.trim().replace(/^"|"$/g, ''));
    if (name.toLowerCase() === 'count') {
      if (value !== 'exact' && value !== 'estimated')
        throw invalidQuery([{ field: 'Prefer', message: `count=${value} is not one of count=exact, count=estimated` }]);
      preferences.count = value;
    } else if (name.toLowerCase() === 'max-affected') {
      if (!/^\d{1,9}$/.test(value))
        throw invalidQuery([{ field: 'Prefer', message: `max-affected=${value} must be a whole number of rows` }]);
      preferences.maxAffected = Number(value);
    }
  }
  return preferences;
}
