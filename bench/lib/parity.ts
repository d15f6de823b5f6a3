/** Same requests to two servers before the load: differences are reported, not fatal. */
import { request } from './http.js';
import type { Server } from './processes.js';

export async function parity(
  a: Server,
  b: Server,
  authorization: string,
  cards: number,
  names: [string, string] = ['a2gen', 'baseline'],
): Promise<string[]> {
  const headers = { authorization };
  const checks: { method: string; path: string; body?: string; ignore?: string[] }[] = [
    { method: 'GET', path: '/api/card/1/' },
    { method: 'GET', path: `/api/card/${Math.ceil(cards / 3)}/` },
    { method: 'GET', path: `/api/card/${cards}/` },
    { method: 'GET', path: '/api/card/?page=7' },
    { method: 'GET', path: '/api/card/?page=2&limit=5' },
    { method: 'GET', path: '/api/card/?status=1&credit__gt=0&ordering=-id' },
    { method: 'GET', path: '/api/cardgroup/1/' },
    { method: 'PUT', path: '/api/card/5/', body: JSON.stringify({ lastname: 'Parity' }) },
    {
      method: 'POST',
      path: '/api/cardgroup/',
      body: JSON.stringify({ name: 'parity', description: 'x', users_perms: 0 }),
      ignore: ['id'],
    },
  ];
  const problems: string[] = [];
  for (const check of checks) {
    const [ra, rb] = await Promise.all(
      [a, b].map((server) =>
        request({ port: server.port, path: check.path, method: check.method, headers, body: check.body }),
      ),
    );
    const label = `${check.method} ${check.path}`;
    if (ra!.status !== rb!.status) {
      problems.push(`${label}: status ${ra!.status} vs ${rb!.status}`);
      continue;
    }
    const strip = (text: string) => {
      const value = JSON.parse(text) as Record<string, unknown>;
      for (const key of check.ignore ?? []) delete value[key];
      return value;
    };
    const difference = firstDifference(strip(ra!.body), strip(rb!.body), '', names);
    if (difference !== undefined) problems.push(`${label}: ${difference}`);
  }
  return problems;
}

function firstDifference(a: unknown, b: unknown, where: string, names: [string, string]): string | undefined {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = firstDifference(
        (a as Record<string, unknown>)[key],
        (b as Record<string, unknown>)[key],
        `${where}.${key}`,
        names,
      );
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return Object.is(a, b)
    ? undefined
    : `${where || 'body'}: ${names[0]} ${JSON.stringify(a)} vs ${names[1]} ${JSON.stringify(b)}`;
}
