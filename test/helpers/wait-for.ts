/**
 * Waiting on a condition instead of sleeping a fixed time: a busy 2-core
 * machine can stretch any fixed delay, so tests poll until what they expect
 * has happened, with a deadline far above normal that only a real hang reaches.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** What is awaited, for the failure message; a function to include the last state seen. */
  what: string | (() => string);
  /** Generous by default: only a condition that never comes should reach it. */
  timeoutMs?: number;
  intervalMs?: number;
}

/** Resolves with the first result of `probe` that is neither undefined nor false; fails naming `what` past the deadline. */
export async function waitFor<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const { timeoutMs = 20_000, intervalMs = 20 } = options;
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await probe();
    if (result !== undefined && result !== false) return result;
    if (performance.now() > deadline) {
      const what = typeof options.what === 'function' ? options.what() : options.what;
      throw new Error(`waited ${timeoutMs} ms for ${what}, in vain`);
    }
    await sleep(intervalMs);
  }
}
