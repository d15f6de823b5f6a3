/** Progress lines on stdout, stamped with the time since the benchmark began. */
import { performance } from 'node:perf_hooks';

const began = performance.now();

export function progress(message: string): void {
  const seconds = Math.floor((performance.now() - began) / 1000);
  console.log(`[${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}] ${message}`);
}
