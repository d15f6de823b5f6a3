/**
 * Runs variants of one operation in turn (A B C A B C …) and prints the
 * median CPU time per call of this process for each: interleaving spreads
 * the noise of a shared machine evenly over the variants.
 */
export interface InterleavedOptions {
  /** Callers running at once (async variants); 1 for synchronous code. */
  concurrency?: number;
  /** Calls per round and variant. */
  calls: number;
  rounds?: number;
  /** What one call is, for the printed line. */
  unit: string;
}

export async function interleaved(
  variants: Record<string, () => unknown>,
  options: InterleavedOptions,
): Promise<Record<string, number>> {
  const { concurrency = 1, calls, rounds = 7, unit } = options;
  const perCall = async (variant: () => unknown, count: number): Promise<number> => {
    const start = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let index = 0; index < count / concurrency; index++) await variant();
      }),
    );
    const used = process.cpuUsage(start);
    return (used.user + used.system) / count;
  };
  for (const variant of Object.values(variants)) await perCall(variant, Math.ceil(calls / 5)); // warm-up
  const samples = new Map<string, number[]>(Object.keys(variants).map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, variant] of Object.entries(variants)) samples.get(name)!.push(await perCall(variant, calls));
  }
  const medians: Record<string, number> = {};
  for (const [name, values] of samples) {
    values.sort((a, b) => a - b);
    medians[name] = values[Math.floor(values.length / 2)]!;
    console.log(`${medians[name]!.toFixed(1).padStart(8)} µs CPU per ${unit}  ${name}`);
  }
  return medians;
}
