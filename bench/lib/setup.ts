/** The start every run shares: the time estimate, the machine check, the database and the credentials. */
import { randomBytes } from 'node:crypto';
import { BENCH_USER } from '../load-data.js';
import { createDatabase, type BenchDatabase } from './database.js';
import { checkMachine } from './machine.js';
import type { BenchOptions } from './options.js';
import { progress } from './progress.js';

export interface Prepared {
  /** Other processes' share of the CPU just before the run. */
  otherAtStart: number;
  password: string;
  /** The Basic authorization header of the API user `bench`. */
  authorization: string;
  database: BenchDatabase;
}

export async function prepare(options: BenchOptions, loadRuns: number): Promise<Prepared> {
  const { settings, quick, a2genEnv } = options;
  const perRun = settings.warmup + settings.duration + 0.3;
  if (Object.keys(a2genEnv).length > 0) progress(`a2gen runs OFF its defaults with ${JSON.stringify(a2genEnv)}`);
  progress(
    `${quick ? 'quick' : 'full'} benchmark: ${settings.rounds} round(s) × ${settings.duration} s (+${settings.warmup} s warm-up) per side, ` +
      `${loadRuns} runs, about ${Math.ceil((loadRuns * perRun + 20) / 60)} min`,
  );
  const otherAtStart = await checkMachine(options.waitIdleSeconds);
  const password = randomBytes(18).toString('base64url');
  const authorization = `Basic ${Buffer.from(`${BENCH_USER}:${password}`).toString('base64')}`;
  const database = await createDatabase(password);
  return { otherAtStart, password, authorization, database };
}
