/**
 * The generated client's types reject misuse at compile time: a file that uses
 * generated/client.ts wrongly (a wrong field type in an input, an operator a
 * field does not take, unknown or write-only fields, a key of the wrong shape)
 * fails with the diagnostics its comments expect, on those lines and no
 * others, and its correct twin compiles clean. Both are compiled with the
 * TypeScript compiler API beside a copy of the client, with the strictest
 * options a caller's project may have (exactOptionalPropertyTypes,
 * noUncheckedIndexedAccess, …) and without any ambient types (no @types/node,
 * no DOM): the client needs none.
 *
 * The fixtures are test/fixtures/client/*.ts.txt, so the project's own tsc
 * never compiles them.
 */
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import t from 'tap';
import ts from 'typescript';
import { loadSchemas } from '../../generator/load-schemas.js';
import { buildTableModel } from '../../generator/model.js';
import { renderProject } from '../../generator/render.js';
import { PROJECT_ROOT } from '../helpers/backends.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test/fixtures/client');

/** The subtest object tap passes to a callback. */
type Test = Parameters<Parameters<typeof t.test>[0]>[0];

interface Diagnostic {
  file: string;
  line: number;
  code: string;
  message: string;
}

/** Compiles `fixture` beside generated/client.ts; every diagnostic of either file. */
async function compile(t: Test, fixture: string): Promise<{ source: string; diagnostics: Diagnostic[] }> {
  return compileSource(t, await readFile(path.join(FIXTURES, fixture), 'utf8'));
}

async function compileSource(
  t: Test,
  source: string,
  client?: string,
): Promise<{ source: string; diagnostics: Diagnostic[] }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-client-types-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'usage.ts');
  await writeFile(file, source);
  if (client === undefined) await copyFile(path.join(PROJECT_ROOT, 'generated/client.ts'), path.join(dir, 'client.ts'));
  else await writeFile(path.join(dir, 'client.ts'), client);
  await writeFile(path.join(dir, 'package.json'), '{"type": "module"}\n');
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
    // The strictest settings a project of the caller's may have.
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    noPropertyAccessFromIndexSignature: true,
    noImplicitReturns: true,
    noImplicitOverride: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    verbatimModuleSyntax: true,
    isolatedModules: true,
  });
  const diagnostics = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file : undefined;
    return {
      file: where ? path.basename(where.fileName) : '(global)',
      line: where ? where.getLineAndCharacterOfPosition(diagnostic.start!).line + 1 : 0,
      code: `TS${diagnostic.code}`,
      message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
    };
  });
  const elsewhere = diagnostics.filter((diagnostic) => diagnostic.file !== 'usage.ts');
  t.strictSame(elsewhere, [], 'the client itself compiles clean, without @types/node or the DOM library');
  return { source, diagnostics: diagnostics.filter((diagnostic) => diagnostic.file === 'usage.ts') };
}

t.test('the correct twin compiles clean', async (t) => {
  const { diagnostics } = await compile(t, 'correct.ts.txt');
  t.strictSame(diagnostics, [], 'no diagnostics');
});

t.test('misuse fails with the expected diagnostics, on the expected lines', async (t) => {
  const { source, diagnostics } = await compile(t, 'misuse.ts.txt');
  const expected = source
    .split('\n')
    .map((text, index) => ({ line: index + 1, match: /\/\/ expect (TS\d+): (.*)$/.exec(text) }))
    .filter(({ match }) => match !== null)
    .map(({ line, match }) => ({ line, code: match![1]!, text: match![2]!.trim() }));
  t.ok(expected.length >= 15, `${expected.length} expected diagnostics`);
  for (const { line, code, text } of expected) {
    const found = diagnostics.filter((diagnostic) => diagnostic.line === line);
    t.equal(found.length, 1, `line ${line}: one diagnostic`, { found });
    t.equal(found[0]?.code, code, `line ${line}: ${code}`, { found });
    t.match(found[0]?.message ?? '', text, `line ${line}: ${text}`);
  }
  const unexpected = diagnostics.filter((diagnostic) => !expected.some(({ line }) => line === diagnostic.line));
  t.strictSame(unexpected, [], 'no diagnostic on any other line');
});

t.test("the README's example compiles clean", async (t) => {
  const readme = await readFile(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Typed client'));
  const example = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  t.ok(example?.includes("from './generated/client.js'"), 'the README shows the client', { example });
  const source = [
    'declare const console: { log(...values: unknown[]): void };',
    example!.replace("'./generated/client.js'", "'./client.js'"),
  ].join('\n');
  const { diagnostics } = await compileSource(t, source);
  t.strictSame(diagnostics, [], 'no diagnostics');
});

t.test("tables named like the client's own types, one referring to itself, give a client that compiles", async (t) => {
  const files = await loadSchemas(PROJECT_ROOT);
  const group = files.find((file) => file.schema['x-a2gen'].resource === 'cardgroup')!;
  const models = ['result', 'client', 'auth', 'list_page'].map((name) => {
    const copy = structuredClone(group);
    copy.schema.title = name;
    copy.schema['x-a2gen'] = { ...copy.schema['x-a2gen'], table: name, resource: name };
    // A reference to its own table (a parent row): its filters nest in themselves.
    copy.schema.properties.id_agent!['x-references'] = { resource: name };
    return buildTableModel({ ...copy, source: `schema/${name}.json` });
  });
  const client = (await renderProject(models, path.join(PROJECT_ROOT, 'templates'))).get('client.ts')!;
  const usage = [
    "import { createClient, type ResultRow, type ClientClient, type Result } from './client.js';",
    "const api = createClient({ baseUrl: 'http://localhost:8008' });",
    'export const clients: ClientClient = api.client;',
    'export const read: Promise<Result<ResultRow>> = api.result.get(1);',
    "export const page = api.list_page.list({ filters: { name: 'x', id_agent: { id_agent: { name: 'y' } } } });",
  ].join('\n');
  const { diagnostics } = await compileSource(t, usage, client);
  t.strictSame(diagnostics, [], 'no diagnostics');
});

t.test('rows without a key are listed only; a unique key stands in for a missing primary key', async (t) => {
  const files = await loadSchemas(PROJECT_ROOT);
  const group = files.find((file) => file.schema['x-a2gen'].resource === 'cardgroup')!;
  const variant = (name: string, options: Record<string, unknown>) => {
    const copy = structuredClone(group);
    const { primaryKey: _primaryKey, seed: _seed, ...rest } = copy.schema['x-a2gen'];
    copy.schema.title = name;
    copy.schema['x-a2gen'] = { ...rest, table: name, resource: name, ...options };
    delete copy.schema['x-admin']; // its protected row 1 names a row by key
    return buildTableModel({ ...copy, source: `schema/${name}.json` });
  };
  const models = [
    variant('keyless', { indexes: [] }),
    variant('by_perms', { indexes: [{ name: 'by_perms', unique: true, columns: ['users_perms'] }] }),
    variant('group_view', { view: true, indexes: undefined, definition: 'SELECT * FROM cc_card_group' }),
  ];
  const client = (await renderProject(models, path.join(PROJECT_ROOT, 'templates'))).get('client.ts')!;
  const usage = [
    "import { createClient } from './client.js';",
    "const api = createClient({ baseUrl: 'http://localhost:8008' });",
    "export const listed = api.keyless.list({ filters: { name: { startswith: 'a' } }, fields: ['name'] });",
    'export const viewed = api.group_view.list({ count: "exact" });',
    '// @ts-expect-error: rows without a key have no URL, so no get',
    'export const one = api.keyless.get(1);',
    '// @ts-expect-error: nor writes',
    "export const created = api.keyless.create({ name: 'x' });",
    '// @ts-expect-error: nor does a view without a declared key',
    'export const row = api.group_view.get(1);',
    '// @ts-expect-error: nor paging by key',
    'export const after = api.keyless.list({ after: 1 });',
    'export const byKey = api.by_perms.get(262142);',
    "export const patched = api.by_perms.update(2, { name: 'y' });",
    '// @ts-expect-error: the key is never updated',
    'export const rekeyed = api.by_perms.update(2, { users_perms: 3 });',
  ].join('\n');
  const { diagnostics } = await compileSource(t, usage, client);
  t.strictSame(diagnostics, [], 'no diagnostics: each @ts-expect-error met its error');
});

t.test('SET, ENUM and JSON columns: their types, and what a filter on a SET sends', async (t) => {
  const files = await loadSchemas(PROJECT_ROOT);
  const group = structuredClone(files.find((file) => file.schema['x-a2gen'].resource === 'cardgroup')!);
  Object.assign(group.schema.properties, {
    tags: { type: ['array', 'null'], 'x-sql': { type: "set('vip','wholesale')", nullable: true } },
    tier: { type: 'string', 'x-sql': { type: "enum('basic','gold')", nullable: false, default: 'basic' } },
    extra: {
      type: ['array', 'boolean', 'number', 'object', 'string', 'null'],
      'x-sql': { type: 'json', nullable: true },
    },
  });
  const client = (await renderProject([buildTableModel(group)], path.join(PROJECT_ROOT, 'templates'))).get(
    'client.ts',
  )!;
  const usage = [
    "import { createClient } from './client.js';",
    "const api = createClient({ baseUrl: 'http://localhost:8008' });",
    "export const made = api.cardgroup.create({ tags: ['vip'], tier: 'gold', extra: { any: ['json'] } });",
    "export const listed = api.cardgroup.list({ filters: { tags: { has: 'vip' }, tier: { in: ['basic'] } } });",
    '// @ts-expect-error: a SET is not ordered',
    "export const ordered = api.cardgroup.list({ filters: { tags: { lt: ['vip'] } } });",
    '// @ts-expect-error: nor is an ENUM, on both databases alike',
    "export const before = api.cardgroup.list({ filters: { tier: { lt: 'gold' } } });",
    '// @ts-expect-error: a JSON column takes no filter',
    'export const json = api.cardgroup.list({ filters: { extra: 1 } });',
    '// @ts-expect-error: has takes one word',
    "export const words = api.cardgroup.list({ filters: { tags: { has: ['vip'] } } });",
  ].join('\n');
  const { diagnostics } = await compileSource(t, usage, client);
  t.strictSame(diagnostics, [], 'no diagnostics: each @ts-expect-error met its error');

  // Run it: the client transpiled to JavaScript, with a fetch that records the URLs.
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-client-run-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const js = ts.transpileModule(client, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  await writeFile(path.join(dir, 'client.mjs'), js.outputText);
  const { createClient } = await import(pathToFileURL(path.join(dir, 'client.mjs')).href);
  const urls: string[] = [];
  const api = createClient({
    baseUrl: 'http://api.example',
    fetch: async (url: string) => {
      urls.push(url);
      return { status: 200, headers: { get: () => null }, text: async () => '{}' };
    },
  });
  await api.cardgroup.list({ filters: { tags: ['wholesale', 'vip'], tier: { ne: 'gold' } } });
  await api.cardgroup.list({ filters: { tags: { eq: ['vip', 'wholesale'], has: 'vip' } } });
  t.strictSame(
    urls,
    [
      'http://api.example/api/cardgroup/?tags=wholesale%2Cvip&tier__ne=gold',
      'http://api.example/api/cardgroup/?tags__eq=vip%2Cwholesale&tags__has=vip',
    ],
    'a SET is one value, its words joined by commas; `has` takes one word',
  );
});
