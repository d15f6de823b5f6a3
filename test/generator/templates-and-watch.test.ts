/**
 * A project's own templates replace built-in ones (`--templates DIR`), and
 * `build --watch` rebuilds once per change.
 */
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { PROJECT_ROOT } from '../helpers/backends.js';
import { waitFor } from '../helpers/wait-for.js';

const run = promisify(execFile);
const CLI = path.join(PROJECT_ROOT, 'dist/bin/a2gen.js');

async function project(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-templates-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const folder of ['schema', 'templates', 'generated']) {
    await cp(path.join(PROJECT_ROOT, folder), path.join(dir, folder), { recursive: true });
  }
  return dir;
}

t.test('--templates DIR replaces a built-in template of the same name', async (t) => {
  const dir = await project(t);
  await mkdir(path.join(dir, 'mine'));
  const builtIn = await readFile(path.join(dir, 'templates/types.ts.hbs'), 'utf8');
  await writeFile(
    path.join(dir, 'mine/types.ts.hbs'),
    `${builtIn}\n/** Added by this project's own template. */\nexport const MODEL = '{{resource}}';\n`,
  );
  await writeFile(path.join(dir, 'mine/typo.ts.hbs'), 'nothing');
  const result = await run(process.execPath, [CLI, 'build', '--project', dir, '--templates', 'mine']);
  t.match(result.stdout, 'wrote generated/card/types.ts');
  t.match(result.stdout, 'wrote generated/cardgroup/types.ts');
  const models = (await readdir(path.join(dir, 'schema'))).filter((name) => name.endsWith('.json')).length;
  t.match(
    result.stdout,
    `a2gen build: ${models} written`,
    'only the files of that template change: one types.ts a model',
  );
  t.match(await readFile(path.join(dir, 'generated/card/types.ts'), 'utf8'), "export const MODEL = 'card';");
  t.match(
    result.stderr,
    /mine\/typo\.ts\.hbs replaces no built-in template/,
    'a file that overrides nothing is reported',
  );
  const check = await run(process.execPath, [CLI, 'build', '--check', '--project', dir, '--templates', 'mine']);
  t.match(check.stdout, 'generated/ is up to date', '--check uses the same templates');
});

t.test('--watch rebuilds once per change and keeps going after a broken schema', async (t) => {
  const dir = await project(t);
  const child = spawn(process.execPath, [CLI, 'build', '--watch', '--project', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let output = '';
  let stdout = '';
  child.stdout.on('data', (chunk) => ((output += chunk), (stdout += chunk)));
  child.stderr.on('data', (chunk) => (output += chunk));
  const closed = new Promise((resolve) => child.on('close', resolve));
  const seen = (text: string, count = 1) =>
    waitFor(() => output.split(text).length - 1 >= count, {
      what: () => `${count} × ${JSON.stringify(text)} in:\n${output}`,
    });
  // One save is one change only if its events come within the watcher's settle time (150 ms): written
  // without yielding between open, write and close, not with writeFile's hops a busy machine can stretch.
  const save = (file: string, text: string) => writeFileSync(file, text);

  await seen('watching');
  t.match(output, 'a2gen build: 0 written', 'the first build finds everything current');

  const file = path.join(dir, 'schema/cc_card_group.json');
  const schema = JSON.parse(await readFile(file, 'utf8'));
  schema.properties.name.maxLength = 40;
  schema.properties.name['x-sql'].type = 'varchar(40)';
  save(file, `${JSON.stringify(schema, null, 2)}\n`);
  await seen(' written, ', 2);
  t.match(output, 'changed: schema/cc_card_group.json');
  t.match(output, 'wrote generated/cardgroup/model.ts');

  save(file, '{ broken');
  await seen('invalid schema, nothing written');
  schema.properties.name.maxLength = 30;
  schema.properties.name['x-sql'].type = 'varchar(30)';
  save(file, `${JSON.stringify(schema, null, 2)}\n`);
  await seen(' written, ', 3);
  t.match(
    await readFile(path.join(dir, 'generated/ddl/mysql.sql'), 'utf8'),
    'name varchar(30) NULL',
    'still watching after the error',
  );

  child.kill('SIGTERM');
  t.equal(await closed, 0, 'stops cleanly on SIGTERM');
  // Once per change, read from everything it printed once it has exited rather than after a pause:
  // each "changed:" is followed by one build, and no other rebuild happened in between.
  const steps = stdout.match(/^(changed: .*|a2gen build: .*)$/gm)?.map((line) => line.replace(/: .*/, '')) ?? [];
  t.same(
    steps,
    ['a2gen build', 'changed', 'a2gen build', 'changed', 'changed', 'a2gen build'],
    'one rebuild for each of the three changes (the broken one builds nothing)',
  );
});
