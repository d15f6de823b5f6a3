/**
 * What to undo when the run ends, fails or is interrupted: the load in
 * flight and the servers first, then the registered steps (drop the database,
 * remove the logs) in reverse order, so a Ctrl-C leaves nothing behind.
 */
import type autocannon from 'autocannon';
import { killAllNow, stopAll } from './processes.js';

const steps: (() => Promise<void>)[] = [];
let currentLoad: autocannon.Instance | undefined;
let cleaning: Promise<void> | undefined;
let interrupted = false;

export function onCleanup(step: () => Promise<void>): void {
  steps.push(step);
}

/** The autocannon run in flight (undefined when it ends), stopped first on cleanup. */
export function trackLoad(instance: autocannon.Instance | undefined): void {
  currentLoad = instance;
}

export function wasInterrupted(): boolean {
  return interrupted;
}

export function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    currentLoad?.stop();
    await stopAll();
    for (const step of steps.reverse()) {
      try {
        await step();
      } catch (error) {
        console.error('cleanup:', error instanceof Error ? error.message : error);
      }
    }
  })();
  return cleaning;
}

export function installCleanupHandlers(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      interrupted = true;
      console.error(`\n${signal}: stopping the servers and dropping the database`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', killAllNow);
}
