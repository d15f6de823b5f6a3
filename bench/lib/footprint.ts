/**
 * What a server costs to start and to keep, as issue 16 measures it: spawn →
 * first authenticated 200 (each server started `times` times, interleaved),
 * the RSS then, and the RSS after 4,000 requests spread over every resource
 * it serves (each list, and one card by key), so per-table work done on first
 * use is counted too.
 */
import autocannon from 'autocannon';
import { trackLoad } from './cleanup.js';
import { request } from './http.js';
import { markdownTable, median, textTable, fixed, type Table } from './report.js';
import { rssMb, stopServer, type Server } from './processes.js';
import { progress } from './progress.js';
import { start, type ServerSpec } from './servers.js';

/** How many requests "after use" means. */
export const FOOTPRINT_REQUESTS = 4000;

export interface FootprintSpec extends ServerSpec {
  /** The row's name in the table: which checkout and how many tables. */
  label: string;
  tables: number;
  /** `a2gen build` and the TypeScript compile of the project, seconds, when it was built for the run. */
  buildSeconds?: number;
  compileSeconds?: number;
}

export interface Footprint {
  spec: FootprintSpec;
  seconds: number[];
  cpuSeconds: number[];
  rssReady: number[];
  rssAfter: number;
  /** Answers other than 2xx among the requests (a list the database refuses would show here). */
  failed: number;
}

/** The paths the requests cycle through: every resource's first page, and card 1 between each. */
async function paths(server: Server, authorization: string): Promise<string[]> {
  const index = await request({ port: server.port, path: '/api/', headers: { authorization } });
  const resources = (JSON.parse(index.body) as { resources: string[] }).resources;
  return resources.flatMap((resource) => [`${resource}?limit=5`, '/api/card/1/']);
}

async function use(server: Server, authorization: string): Promise<number> {
  const cycle = await paths(server, authorization);
  let next = 0;
  const instance = autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: 10,
    amount: FOOTPRINT_REQUESTS,
    timeout: 10,
    headers: { authorization },
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: cycle[next++ % cycle.length]! }) }],
  });
  trackLoad(instance);
  try {
    const result = await instance;
    return result.non2xx + result.errors + result.timeouts;
  } finally {
    trackLoad(undefined);
  }
}

export async function footprints(
  specs: FootprintSpec[],
  times: number,
  workDir: string,
  authorization: string,
): Promise<Footprint[]> {
  const results = specs.map((spec): Footprint => ({
    spec,
    seconds: [],
    cpuSeconds: [],
    rssReady: [],
    rssAfter: Number.NaN,
    failed: 0,
  }));
  for (let round = 1; round <= times; round++) {
    for (const result of results) {
      const started = await start(result.spec, workDir, authorization);
      result.seconds.push(started.seconds);
      result.cpuSeconds.push(started.cpuSeconds);
      result.rssReady.push(started.rssMb);
      progress(
        `footprint ${round}/${times} ${result.spec.label}: first authenticated 200 after ${started.seconds.toFixed(3)} s ` +
          `(${started.cpuSeconds.toFixed(2)} s of CPU), RSS ${started.rssMb.toFixed(0)} MB`,
      );
      if (round === times) {
        result.failed = await use(started.server, authorization);
        result.rssAfter = rssMb(started.server.child.pid);
        progress(
          `footprint ${result.spec.label}: RSS ${result.rssAfter.toFixed(0)} MB after ${FOOTPRINT_REQUESTS} requests` +
            (result.failed > 0 ? ` (${result.failed} failed)` : ''),
        );
      }
      await stopServer(started.server);
    }
  }
  return results;
}

export function footprintTable(results: Footprint[]): Table {
  return {
    header: [
      'server',
      'tables',
      'a2gen build + tsc',
      'spawn → first authenticated 200, median (each)',
      'CPU by then',
      'RSS at ready, MB',
      `RSS after ${FOOTPRINT_REQUESTS.toLocaleString('en-US')} requests, MB`,
      'failed',
    ],
    rows: results.map(({ spec, seconds, cpuSeconds, rssReady, rssAfter, failed }) => [
      spec.label,
      String(spec.tables),
      spec.buildSeconds === undefined
        ? '—'
        : `${fixed(spec.buildSeconds, 1)} s + ${fixed(spec.compileSeconds ?? Number.NaN, 1)} s`,
      `${fixed(median(seconds), 3)} s (${seconds.map((value) => fixed(value, 3)).join(', ')})`,
      `${fixed(median(cpuSeconds))} s`,
      fixed(median(rssReady), 0),
      fixed(rssAfter, 0),
      String(failed),
    ]),
  };
}

export function footprintText(results: Footprint[]): string {
  return textTable(footprintTable(results));
}

/** The results pages' section. */
export function footprintMarkdown(results: Footprint[]): string[] {
  return [
    '## Start and memory per schema size (issue 16)',
    '',
    'Each server started in turn (interleaved), spawn → first `200` for an authenticated `GET /api/card/1/`, the CPU it ' +
      `used by then and its RSS; then ${FOOTPRINT_REQUESTS.toLocaleString('en-US')} GETs at c=10 cycling through every ` +
      'resource\'s first page (`?limit=5`) with card 1 between each, and the RSS after them. "Every A2Billing table": a ' +
      'scratch copy of the checkout with `a2gen init --tables all` on a database loaded from the shared A2Billing v2.0.8 ' +
      'install dump, `a2gen build` and `tsc -p tsconfig.app.json` (`npm run build`) timed.',
    '',
    markdownTable(footprintTable(results)),
    '',
  ];
}
