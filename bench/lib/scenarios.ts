/**
 * The load scenarios: what each request of a run looks like. Reads come
 * first and POST card last, so the rows the writes add never change what a
 * read scenario measures.
 */
import type autocannon from 'autocannon';

export interface Scenario {
  key: string;
  title: string;
  /** What issue 5 compares this scenario's ratio against. */
  kind: 'get-one' | 'get-page' | 'filtered' | 'write';
  requests: (cardCount: number) => autocannon.Request[];
  /** Sends a JSON body. */
  json: boolean;
}

const randomInt = (max: number) => 1 + Math.floor(Math.random() * max);

/** Pages the page scenario picks from (OFFSET 0 … 180: still read through the primary key). */
export const SHALLOW_PAGES = 10;

/** Unique 10-digit usernames and aliases for POST card, across every run of the process. */
let created = 0;

export const SCENARIOS: readonly Scenario[] = [
  {
    key: 'get-one',
    title: 'GET one card',
    kind: 'get-one',
    json: false,
    requests: (cards) => [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/card/${randomInt(cards)}/` }) },
    ],
  },
  {
    key: 'get-page',
    title: 'GET 20-card page',
    kind: 'get-page',
    json: false,
    // Random pages among the first ten. Deeper OFFSETs make MariaDB give up the primary key for a
    // full scan and filesort of the table (25-50 ms a query here, whoever sends it), which would
    // measure the database rather than the service; `after=` is a2gen's answer to deep pages.
    requests: () => [
      { method: 'GET', setupRequest: (req) => ({ ...req, path: `/api/card/?page=${randomInt(SHALLOW_PAGES)}` }) },
    ],
  },
  {
    key: 'filtered',
    title: 'GET filtered list',
    kind: 'filtered',
    json: false,
    requests: () => [{ method: 'GET', path: '/api/card/?status=1&credit__gt=0&ordering=-id' }],
  },
  {
    key: 'post-cardgroup',
    title: 'POST cardgroup',
    kind: 'write',
    json: true,
    requests: () => [
      {
        method: 'POST',
        path: '/api/cardgroup/',
        body: JSON.stringify({ name: 'bench group', description: 'created by npm run bench', users_perms: 262142 }),
      },
    ],
  },
  {
    key: 'put-card',
    title: 'PUT card (partial)',
    kind: 'write',
    json: true,
    requests: (cards) => [
      {
        method: 'PUT',
        setupRequest: (req) => ({
          ...req,
          path: `/api/card/${randomInt(cards)}/`,
          body: JSON.stringify({ lastname: `Bench${randomInt(1_000_000)}` }),
        }),
      },
    ],
  },
  {
    key: 'post-card',
    title: 'POST card',
    kind: 'write',
    json: true,
    requests: () => [
      {
        method: 'POST',
        path: '/api/card/',
        setupRequest: (req) => {
          const n = String(++created).padStart(9, '0');
          return {
            ...req,
            body: JSON.stringify({
              username: `8${n}`,
              useralias: `9${n}`,
              uipass: 'bench-pass',
              credit: '12.50000',
              tariff: 1,
              lastname: 'Bench',
              firstname: 'Load',
            }),
          };
        },
      },
    ],
  },
];

/** The scenarios run against the embedded SQLite default (no baseline there). */
export const EMBEDDED_SCENARIOS = ['get-one', 'get-page', 'post-cardgroup'];
