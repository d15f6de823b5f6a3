/**
 * Microbenchmark: CPU per parseListQuery call for the benchmark's list
 * requests on the 69-column card model (`node dist/bench/micro/list-query.js`).
 */
import { cardSpec } from '../../generated/card/spec.js';
import { parseListQuery } from '../../runtime/api/list-query.js';
import { sqlDialect } from '../../runtime/sql/dialect.js';
import { interleaved } from './interleaved.js';

const dialect = sqlDialect('mysql');
const queries = ['page=3', 'status=1&credit__gt=0&ordering=-id', ''];
const before = process.env.A2B_MICRO_BEFORE ? await import(process.env.A2B_MICRO_BEFORE) : undefined;
const variants: Record<string, () => unknown> = {
  now: () => {
    for (const query of queries) parseListQuery(cardSpec, query, dialect, 1000);
  },
};
if (before) {
  variants.before = () => {
    for (const query of queries) before.parseListQuery(cardSpec, query, dialect, 1000);
  };
}
await interleaved(variants, { calls: 20_000, unit: `${queries.length} queries (${queries.map((query) => `"${query}"`).join(', ')})` });
