/**
 * `node dist/bench/roles.js [--rounds N] [--seconds S]`: what a role costs a
 * request. One a2gen service on MariaDB (10,000 cards, all in card groups of
 * agent 7) answers GET one card and a 20-card page for three callers in turn,
 * interleaved round by round: the `bench` user over Basic auth (the admin
 * role, no scope), an admin-role API key (Bearer, no scope), and an
 * agent-role API key for agent 7, whose every statement carries the row
 * scope `id_group IN (SELECT id FROM cc_card_group WHERE id_agent = ?)`.
 * The three see the same rows, so the answers are the same bytes; the
 * ratios say what the key and the scope cost. Writes bench/roles-results.md.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openMysql } from '../runtime/db/mysql/driver.js';
import { ApiKeyStore } from '../runtime/auth/api-key-store.js';
import { BENCH_USER, PROJECT_ROOT } from './load-data.js';
import { cleanup, installCleanupHandlers, onCleanup } from './lib/cleanup.js';
import { createDatabase } from './lib/database.js';
import { measure, type LoadContext } from './lib/load.js';
import { machine } from './lib/machine.js';
import { stopServer } from './lib/processes.js';
import { progress } from './lib/progress.js';
import { fixed, median, number, type Run } from './lib/report.js';
import { SCENARIOS } from './lib/scenarios.js';
import { start } from './lib/servers.js';

const PASSWORD = 'bench password for roles';
const CONNECTIONS = 10;
const { values: flags } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '5' } },
});
const settings = {
  rounds: Number(flags.rounds),
  duration: Number(flags.seconds),
  warmup: 2,
  coldStarts: 1,
  concurrencies: [CONNECTIONS],
};
const scenarios = SCENARIOS.filter((scenario) => scenario.key === 'get-one' || scenario.key === 'get-page');

installCleanupHandlers();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'a2gen-bench-roles-'));
onCleanup(async () => rmSync(workDir, { recursive: true, force: true }));

try {
  const database = await createDatabase(PASSWORD);
  const db = await openMysql(database.url);
  // Every card group is agent 7's (the benchmark cards name groups 1 to 5; only 1 is seeded): the agent
  // sees every card, so all three callers get the same answers.
  await db.run(
    "INSERT INTO `cc_card_group` (`id`, `name`, `id_agent`) SELECT DISTINCT `id_group`, CONCAT('bench group ', `id_group`), 7 " +
      'FROM `cc_card` WHERE `id_group` NOT IN (SELECT `id` FROM `cc_card_group`)',
  );
  await db.run('UPDATE `cc_card_group` SET `id_agent` = 7');
  const keys = new ApiKeyStore(db);
  await keys.ensureTable();
  const adminKey = await keys.create({
    name: 'bench-admin',
    role: 'admin',
    attributes: {},
    owner: 'bench',
    expiresAt: null,
  });
  const agentKey = await keys.create({
    name: 'bench-agent',
    role: 'agent',
    attributes: { agent: '7' },
    owner: 'bench',
    expiresAt: null,
  });
  await db.close();

  const basic = `Basic ${Buffer.from(`${BENCH_USER}:${PASSWORD}`).toString('base64')}`;
  const { server } = await start(
    {
      side: 'a2gen',
      args: [path.join(PROJECT_ROOT, 'dist/runtime/main.js')],
      env: { A2B_DATABASE_URL: database.url, A2B_ROLES_FILE: path.join(PROJECT_ROOT, 'roles.json') },
    },
    workDir,
    basic,
  );
  onCleanup(() => stopServer(server));
  const callers = [
    { label: 'Basic auth, admin role', authorization: basic },
    { label: 'API key, admin role', authorization: `Bearer ${adminKey.token}` },
    { label: 'API key, agent role (scoped)', authorization: `Bearer ${agentKey.token}` },
  ];
  // The key ring reads new keys within half a second.
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const runs = new Map<string, Run[]>();
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of scenarios) {
      // The order rotates each round and scenario, so no caller always runs first (after a switch) or last.
      const shift = (round + scenarios.indexOf(scenario)) % callers.length;
      for (const caller of [...callers.slice(shift), ...callers.slice(0, shift)]) {
        const context: LoadContext = { settings, authorization: caller.authorization, cards: database.cards };
        const run = await measure(server, 'a2gen', scenario, CONNECTIONS, round, context, caller.label);
        if (run.non2xx + run.errors > 0)
          throw new Error(`${caller.label}: ${run.non2xx} non-2xx, ${run.errors} errors`);
        const key = `${scenario.key}\n${caller.label}`;
        runs.set(key, [...(runs.get(key) ?? []), run]);
      }
    }
  }

  const lines = [
    '# What a role costs a request',
    '',
    `Written by \`node dist/bench/roles.js --rounds ${settings.rounds} --seconds ${settings.duration}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: one a2gen service on MariaDB (${database.cards.toLocaleString('en-US')} cards, every card group agent 7's), c=${CONNECTIONS}, ${settings.rounds} rounds of ${settings.duration} s per caller and scenario after a ${settings.warmup} s warm-up, the callers interleaved in an order that rotates each round; medians of the rounds. Ratio = the caller's req/s ÷ Basic auth's in the same run. CPU µs/req: the server's user + system time per request.`,
    '',
    ...Object.entries(machine(database.version, PROJECT_ROOT)).map(([name, value]) => `- ${name}: ${value}`),
    '',
    '| scenario | caller | req/s | ratio to Basic auth | p50 / p99 ms | CPU µs/req | other CPU, max % |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const scenario of scenarios) {
    const basicRps = median(runs.get(`${scenario.key}\n${callers[0]!.label}`)!.map((run) => run.rps));
    for (const caller of callers) {
      const of = runs.get(`${scenario.key}\n${caller.label}`)!;
      const rps = median(of.map((run) => run.rps));
      lines.push(
        `| ${scenario.title} | ${caller.label} | ${number(rps)} | ${fixed(rps / basicRps)} | ${median(of.map((run) => run.p50))} / ${median(of.map((run) => run.p99))} | ${number(median(of.map((run) => run.cpuUsPerRequest)))} | ${Math.round(Math.max(...of.map((run) => run.otherCpu)) * 100)} |`,
      );
    }
  }
  const text = `${lines.join('\n')}\n`;
  writeFileSync(path.join(PROJECT_ROOT, 'bench/roles-results.md'), text);
  progress('wrote bench/roles-results.md');
  console.log(text);
} finally {
  await cleanup();
}
