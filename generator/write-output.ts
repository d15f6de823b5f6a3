/**
 * Writes generated files, or with --check compares them with what is on
 * disk. Files no longer produced are deleted (or reported as stale).
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { OutputFiles } from './render.js';

export interface WriteReport {
  written: string[];
  unchanged: string[];
  deleted: string[];
}

export interface CheckReport {
  /** Files whose content differs or that are missing. */
  stale: string[];
  /** Files on disk that the build would delete. */
  extra: string[];
}

async function listFiles(directory: string, prefix = ''): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(directory, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(directory, entry.name), relative)));
    else files.push(relative);
  }
  return files.sort();
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

export async function writeOutput(outputDir: string, files: OutputFiles): Promise<WriteReport> {
  const report: WriteReport = { written: [], unchanged: [], deleted: [] };
  for (const [relative, content] of files) {
    const target = path.join(outputDir, relative);
    if ((await readIfExists(target)) === content) {
      report.unchanged.push(relative);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, content);
    report.written.push(relative);
  }
  for (const relative of await listFiles(outputDir)) {
    if (files.has(relative)) continue;
    await rm(path.join(outputDir, relative));
    report.deleted.push(relative);
  }
  await removeEmptyDirectories(outputDir);
  return report;
}

async function removeEmptyDirectories(directory: string): Promise<void> {
  const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    const child = path.join(directory, entry.name);
    await removeEmptyDirectories(child);
    if ((await readdir(child)).length === 0) await rm(child, { recursive: true });
  }
}

export async function checkOutput(outputDir: string, files: OutputFiles): Promise<CheckReport> {
  const stale: string[] = [];
  for (const [relative, content] of files) {
    if ((await readIfExists(path.join(outputDir, relative))) !== content) stale.push(relative);
  }
  const extra = (await listFiles(outputDir)).filter((relative) => !files.has(relative));
  return { stale, extra };
}
