/**
 * The seed of fast-check's property runs: A2B_TEST_SEED to replay a failure,
 * otherwise a fresh random one each run (so runs keep exploring). Printed
 * either way, so any failing run can be replayed exactly.
 */
import { randomInt } from 'node:crypto';

export function propertySeed(t: { comment(...message: unknown[]): void }): number {
  const text = process.env.A2B_TEST_SEED;
  const seed = text === undefined || text === '' ? randomInt(2 ** 31) : Number(text);
  if (!Number.isSafeInteger(seed)) throw new Error(`A2B_TEST_SEED must be an integer, not ${JSON.stringify(text)}`);
  t.comment(`fast-check seed ${seed} (replay with A2B_TEST_SEED=${seed})`);
  return seed;
}
