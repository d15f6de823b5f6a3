/**
 * Microbenchmark: building the INSERT for a card create
 * (`node dist/bench/micro/insert-statement.js`): the generated code's
 * `{ ...CREATE_DEFAULTS, ...values }` against passing the defaults to
 * insertStatement, which reads them only for the columns left out.
 */
import { cardSpec } from '../../generated/card/spec.js';
import { CREATE_DEFAULTS, INSERT_CARD } from '../../generated/card/queries.js';
import { insertStatement } from '../../runtime/sql/write.js';
import { interleaved } from './interleaved.js';

const body = () => ({ username: 'u1', useralias: 'a1', uipass: 'secret', credit: 10, tariff: 1, firstname: 'Ann', lastname: 'Lee' });
await interleaved(
  {
    'spread (the generated code now)': () => insertStatement('mysql', INSERT_CARD, cardSpec, { ...CREATE_DEFAULTS, ...body() }),
    'defaults argument (proposed)': () => insertStatement('mysql', INSERT_CARD, cardSpec, body(), CREATE_DEFAULTS),
  },
  { calls: 50_000, unit: 'INSERT built' },
);
