/**
 * The CLI's parse cache: `dags list` reuses the last parse of the DAGs folder while no file
 * under it changed, and parses again as soon as any file (a DAG file or a module it imports)
 * changes, is added or is removed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, unlink, utimes, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cacheEnabled, currentKey, sameKey } from '../../src/cli/dag-folder-cache.ts';
import { runCli, show } from './cli-helpers.ts';

const dagFile = (tag: string) => `import { appendFileSync } from 'node:fs';
import { dag, task } from 'baton';
import { TAG } from './lib/tag.ts';
appendFileSync(process.env.PARSE_LOG!, 'parsed\\n');
export default dag({ id: 'cached_${tag}', tags: [TAG] }, () => {
  task('only', async () => 1)();
});
`;

describe('the parse cache key', () => {
  let folder: string;
  before(async () => {
    folder = await mkdtemp(join(tmpdir(), 'baton-cache-key-'));
    await mkdir(join(folder, 'lib'));
    await writeFile(join(folder, 'a.ts'), 'export {};\n');
    await writeFile(join(folder, 'lib', 'helper.ts'), 'export const x = 1;\n');
  });
  after(() => rm(folder, { recursive: true, force: true }));

  test('is equal for an unchanged folder', async () => {
    assert.ok(sameKey(await currentKey(folder), await currentKey(folder)));
  });

  const changes: Array<[string, () => Promise<void>]> = [
    ['a helper module is rewritten', () => writeFile(join(folder, 'lib', 'helper.ts'), 'export const x = 22;\n')],
    ['a helper module only gets a new modification time', () => utimes(join(folder, 'lib', 'helper.ts'), new Date(), new Date(Date.now() + 5000))],
    ['a file is added', () => writeFile(join(folder, 'b.ts'), 'export {};\n')],
    ['a file is removed', () => unlink(join(folder, 'b.ts'))],
    ['an ignore file appears', () => writeFile(join(folder, '.batonignore'), 'lib\n')],
  ];
  for (const [name, change] of changes) {
    test(`changes when ${name}`, async () => {
      const before = await currentKey(folder);
      await change();
      assert.equal(sameKey(before, await currentKey(folder)), false);
    });
  }

  test('ignores hidden folders and node_modules', async () => {
    const before = await currentKey(folder);
    await mkdir(join(folder, '.git'), { recursive: true });
    await mkdir(join(folder, 'node_modules', 'x'), { recursive: true });
    await writeFile(join(folder, '.git', 'HEAD'), 'ref\n');
    await writeFile(join(folder, 'node_modules', 'x', 'index.js'), '\n');
    assert.ok(sameKey(before, await currentKey(folder)));
  });

  test('of a missing folder never equals one of an empty folder', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'baton-cache-empty-'));
    const emptyKey = await currentKey(empty);
    await rm(empty, { recursive: true });
    assert.equal(sameKey(emptyKey, await currentKey(empty)), false);
  });

  const switches: Array<[string | undefined, boolean]> = [[undefined, true], ['', true], ['true', true], ['1', true], ['false', false], ['0', false], ['OFF', false], ['no', false]];
  for (const [value, on] of switches) {
    test(`BATON_CLI_PARSE_CACHE=${value ?? '(unset)'} turns the cache ${on ? 'on' : 'off'}`, () => {
      assert.equal(cacheEnabled(value === undefined ? {} : { BATON_CLI_PARSE_CACHE: value }), on);
    });
  }
});

describe('baton dags list with the parse cache', () => {
  let home: string;
  let dags: string;
  let log: string;
  let env: NodeJS.ProcessEnv;
  const parses = async () => (await readFile(log, 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
  const list = async (extra: NodeJS.ProcessEnv = {}) => {
    const r = await runCli(['dags', 'list', '-o', 'json'], { ...env, ...extra });
    assert.equal(r.code, 0, show(r));
    return JSON.parse(r.stdout) as Array<{ dag_id: string; tags: string }>;
  };

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'baton-cache-home-'));
    dags = join(home, 'dags');
    log = join(home, 'parse.log');
    await mkdir(join(dags, 'lib'), { recursive: true });
    await writeFile(join(dags, 'lib', 'tag.ts'), "export const TAG = 'first';\n");
    await writeFile(join(dags, '.batonignore'), 'lib\n');
    await writeFile(join(dags, 'one.ts'), dagFile('one'));
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_')));
    Object.assign(env, { BATON_HOME: home, BATON_DAGS_FOLDER: dags, PARSE_LOG: log });
  });
  after(() => rm(home, { recursive: true, force: true }));

  test('a second listing of an unchanged folder does not import the DAG files again', async () => {
    const first = await list();
    const second = await list();
    assert.deepEqual(second, first);
    assert.deepEqual(first.map((d) => [d.dag_id, d.tags]), [['cached_one', 'first']]);
    assert.equal(await parses(), 1);
  });

  test('a change to a module the DAG file imports is seen at once', async () => {
    await writeFile(join(dags, 'lib', 'tag.ts'), "export const TAG = 'second';\n");
    assert.deepEqual((await list()).map((d) => d.tags), ['second']);
    assert.equal(await parses(), 2);
  });

  test('a new DAG file and a broken one are seen at once, and the broken one is reported until fixed', async () => {
    await writeFile(join(dags, 'two.ts'), dagFile('two'));
    await writeFile(join(dags, 'broken.ts'), 'export default (;\n');
    assert.deepEqual((await list()).map((d) => d.dag_id), ['cached_one', 'cached_two']);
    const errors = await runCli(['dags', 'list-import-errors', '-o', 'json'], env);
    assert.equal(errors.code, 0, show(errors));
    assert.deepEqual((JSON.parse(errors.stdout) as Array<{ filepath: string }>).map((e) => e.filepath), [join(dags, 'broken.ts')]);
    await unlink(join(dags, 'broken.ts'));
    const fixed = await runCli(['dags', 'list-import-errors', '-o', 'json'], env);
    assert.deepEqual(JSON.parse(fixed.stdout), []);
  });

  test('BATON_CLI_PARSE_CACHE=false imports the files on every listing', async () => {
    const before = await parses();
    await list({ BATON_CLI_PARSE_CACHE: 'false' });
    await list({ BATON_CLI_PARSE_CACHE: 'false' });
    assert.equal(await parses(), before + 4, 'two files imported by each of the two listings');
  });

  test('an unreadable cache file is ignored and replaced', async () => {
    await writeFile(join(home, 'cache', 'dag-folder.json'), '{ not json');
    assert.deepEqual((await list()).map((d) => d.dag_id), ['cached_one', 'cached_two']);
    const before = await parses();
    await list();
    assert.equal(await parses(), before, 'the rewritten cache is used');
  });
});
