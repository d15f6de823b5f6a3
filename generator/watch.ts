/**
 * `a2gen build --watch`: rebuilds when a schema file or template changes.
 * Editors write files in bursts (temp file, rename, chmod), so changes are
 * gathered for a moment and built once.
 */
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { BuildOptions } from './build.js';
import { reportSchemaError, runBuild } from './build-report.js';

const SETTLE_MS = 150;

export async function watchAndBuild(options: BuildOptions, signal?: AbortSignal): Promise<void> {
  const directories = [
    path.resolve(options.projectDir, options.schemaDir ?? 'schema'),
    path.resolve(options.projectDir, options.templateDir ?? 'templates'),
    ...(options.templateOverrideDir === undefined
      ? []
      : [path.resolve(options.projectDir, options.templateOverrideDir)]),
  ];
  const buildOnce = async () => {
    try {
      await runBuild(options);
    } catch (error) {
      // A broken schema while editing is normal: say so and keep watching.
      reportSchemaError(error);
    }
  };
  await buildOnce();

  const changed = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let building = Promise.resolve();
  const onChange = (directory: string) => (_event: string, file: string | Buffer | null) => {
    changed.add(path.relative(options.projectDir, path.join(directory, String(file ?? ''))));
    clearTimeout(timer);
    timer = setTimeout(() => {
      const files = [...changed].sort();
      changed.clear();
      building = building.then(async () => {
        console.log(`changed: ${files.join(', ')}`);
        await buildOnce();
      });
    }, SETTLE_MS);
  };
  const watchers: FSWatcher[] = directories.map((directory) =>
    watch(directory, { recursive: true }, onChange(directory)),
  );
  console.log(
    `watching ${directories.map((directory) => path.relative(options.projectDir, directory) || '.').join(', ')} (Ctrl-C to stop)`,
  );

  await new Promise<void>((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      resolve();
    };
    signal?.addEventListener('abort', stop, { once: true });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
