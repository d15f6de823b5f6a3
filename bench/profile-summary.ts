/**
 * Summarises a V8 CPU profile (`node --cpu-prof`): the functions with the
 * most self time, and self time grouped by where the code lives (a2gen's
 * runtime/ and generated/, each npm package, Node internals, GC, idle).
 *
 *   A2B_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/a2gen-prof" npm run bench -- --quick --only get-one
 *   node dist/bench/profile-summary.js /tmp/a2gen-prof/CPU.*.cpuprofile [--top 25] [--skip SECONDS]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a script lives: a package name, a2gen's own folders, or Node itself. */
export function area(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + '/node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/dist\/(runtime|generated|bench)\//.exec(url);
  if (own) return `a2gen ${own[1]}/`;
  return url;
}

/** `skipSeconds` leaves out the start (module loading, schema compilation) to look at the steady state. */
export function summarise(profile: Profile, top: number, skipSeconds = 0): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfTime = new Map<number, number>();
  let elapsed = 0;
  for (let index = 0; index < profile.samples.length; index++) {
    const id = profile.samples[index]!;
    const delta = profile.timeDeltas[index] ?? 0;
    elapsed += delta;
    if (elapsed < skipSeconds * 1e6) continue;
    selfTime.set(id, (selfTime.get(id) ?? 0) + delta);
  }
  const total = [...selfTime.values()].reduce((sum, value) => sum + value, 0);
  const idle = [...selfTime]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)')
    .reduce((sum, [, value]) => sum + value, 0);
  const busy = total - idle;

  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    const where = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}`;
    const key = `${functionName || '(anonymous)'}${where}`;
    functions.set(key, (functions.get(key) ?? 0) + time);
    const group = area(url, functionName);
    areas.set(group, (areas.get(group) ?? 0) + time);
  }
  // Who calls the busiest functions (natives such as writev say little on their own).
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const label = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return `${functionName || '(anonymous)'}${url ? ` ${url.replace(/^.*\/(node_modules|dist)\//, '$1/')}:${lineNumber + 1}` : ''}`;
  };
  const callers = new Map<string, Map<string, number>>();
  for (const [id, time] of selfTime) {
    const key = label(id);
    const chain: string[] = [];
    for (let parent = parentOf.get(id); parent !== undefined && chain.length < 3; parent = parentOf.get(parent)) {
      chain.push(label(parent));
    }
    const paths = callers.get(key) ?? new Map<string, number>();
    const path = chain.join(' ← ') || '(root)';
    paths.set(path, (paths.get(path) ?? 0) + time);
    callers.set(key, paths);
  }

  const percent = (time: number) => `${((time / busy) * 100).toFixed(1).padStart(5)} %`;
  const lines = [
    `${(total / 1e6).toFixed(1)} s profiled, ${(busy / 1e6).toFixed(1)} s busy (${((busy / total) * 100).toFixed(0)} %); shares below are of the busy time`,
    '',
    'self time by area:',
    ...[...areas]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 20)
      .map(([name, time]) => `  ${percent(time)}  ${name}`),
    '',
    `top ${top} functions by self time:`,
    ...[...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `  ${percent(time)}  ${name}`),
    '',
    'callers of the ten busiest functions (three frames up):',
    ...[...functions]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10)
      .flatMap(([name]) => [
        `  ${name}`,
        ...[...(callers.get(name) ?? new Map<string, number>())]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 4)
          .map(([path, time]) => `    ${percent(time)}  ← ${path}`),
      ]),
  ];
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, skip: { type: 'string', default: '0' } },
  });
  if (positionals.length === 0) {
    console.error('usage: profile-summary.js FILE.cpuprofile … [--top N] [--skip SECONDS]');
    process.exit(2);
  }
  for (const file of positionals) {
    console.log(`== ${file}`);
    console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as Profile, Number(values.top), Number(values.skip)));
    console.log('');
  }
}
