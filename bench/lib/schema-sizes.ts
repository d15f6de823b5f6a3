/**
 * The footprint phase of a run: each checkout's a2gen on this checkout's
 * benchmark database (its own generated/ tables) and on every table of the
 * A2Billing dump, started and used in turn (footprint.ts).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { footprints, type Footprint, type FootprintSpec } from './footprint.js';
import { fullSchemaProject, loadDumpDatabase } from './full-schema.js';
import type { BenchOptions } from './options.js';
import { progress } from './progress.js';
import type { Side } from './report.js';
import { a2genMain, nodeArgsFrom } from './servers.js';

export interface Checkout {
  side: Side;
  label: string;
  dir: string;
}

/** The tables a checkout serves: its schema files. */
function tablesOf(dir: string): number {
  return readdirSync(path.join(dir, 'schema')).filter((file) => file.endsWith('.json')).length;
}

export async function schemaSizeFigures(
  checkouts: Checkout[],
  options: BenchOptions,
  databaseUrl: string,
  password: string,
  authorization: string,
  workDir: string,
): Promise<Footprint[]> {
  const nodeArgs = nodeArgsFrom('A2B_BENCH_NODE_ARGS');
  const specs: FootprintSpec[] = checkouts.map(({ side, label, dir }) => ({
    side,
    label: `${label}, its schema`,
    tables: tablesOf(dir),
    args: [...nodeArgs, a2genMain(dir)],
    env: { ...options.a2genEnv, A2B_DATABASE_URL: databaseUrl },
  }));
  const dumpUrl = await loadDumpDatabase(password);
  progress(`footprint: the A2Billing dump loaded; building every table of it in a copy of each checkout`);
  for (const { side, label, dir } of checkouts) {
    const project = await fullSchemaProject(dir, path.join(workDir, `full-${side}`), dumpUrl);
    progress(
      `footprint: ${label} with every A2Billing table (${project.tables}): a2gen build ${project.buildSeconds.toFixed(1)} s, ` +
        `tsc ${project.compileSeconds.toFixed(1)} s`,
    );
    specs.push({
      side,
      label: `${label}, every A2Billing table`,
      tables: project.tables,
      buildSeconds: project.buildSeconds,
      compileSeconds: project.compileSeconds,
      args: [...nodeArgs, a2genMain(project.dir)],
      env: { ...options.a2genEnv, A2B_DATABASE_URL: dumpUrl },
    });
  }
  return footprints(specs, options.settings.coldStarts, workDir, authorization);
}
