/**
 * `x-references` is checked across schema files at build time.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { PROJECT_ROOT } from '../helpers/backends.js';

const run = promisify(execFile);

async function buildWith(
  t: { teardown(fn: () => unknown): void },
  reference: unknown,
): Promise<{ code: number; stderr: string }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'a2gen-references-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const folder of ['schema', 'templates'])
    await cp(path.join(PROJECT_ROOT, folder), path.join(dir, folder), { recursive: true });
  const file = path.join(dir, 'schema/cc_card.json');
  const schema = JSON.parse(await readFile(file, 'utf8'));
  schema.properties[reference === 'on-a-string' ? 'tag' : 'id_group']['x-references'] =
    reference === 'on-a-string' ? { resource: 'cardgroup' } : reference;
  await writeFile(file, JSON.stringify(schema, null, 2));
  try {
    await run(process.execPath, [path.join(PROJECT_ROOT, 'dist/bin/a2gen.js'), 'build', '--project', dir]);
    return { code: 0, stderr: '' };
  } catch (error) {
    return error as { code: number; stderr: string };
  }
}

t.test('a reference to a resource no model has', async (t) => {
  const result = await buildWith(t, { resource: 'groups' });
  t.equal(result.code, 1);
  t.match(
    result.stderr,
    'schema/cc_card.json at /properties/id_group/x-references: no model has the resource "groups"',
  );
});

t.test('a label that is not a readable field of the target', async (t) => {
  const result = await buildWith(t, { resource: 'cardgroup', label: 'title' });
  t.equal(result.code, 1);
  t.match(result.stderr, 'at /properties/id_group/x-references/label: "title" is not a readable property of cardgroup');
});

t.test('a reference on a column that cannot hold a key', async (t) => {
  const result = await buildWith(t, 'on-a-string');
  t.equal(result.code, 1);
  t.match(result.stderr, "at /properties/tag/x-references: tag is varchar(50), but cardgroup's key id is int(11)");
});

t.test('an unknown keyword inside x-references', async (t) => {
  const result = await buildWith(t, { resource: 'cardgroup', table: 'cc_card_group' });
  t.equal(result.code, 1);
  t.match(result.stderr, 'at /properties/id_group/x-references: unknown keyword "table"');
});
