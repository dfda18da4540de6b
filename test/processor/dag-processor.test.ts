import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { processDagFolder, type FolderResult, type ParseCache } from '../../src/processor/dag-processor.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/dags-processor/', import.meta.url));
const GOOD_DAGS = ['cycle_sibling', 'duplicate_file_distinct', 'nested', 'pair_extract', 'pair_report', 'plain_js', 'single'];

let folder: FolderResult;
before(async () => {
  folder = await processDagFolder(FIXTURES, { timeoutMs: 5000, concurrency: 2 });
});

function errorOf(name: string) {
  const errors = folder.errors.filter((e) => e.file === `${FIXTURES}${name}`);
  assert.equal(errors.length, 1, `expected exactly one import error for ${name}, got ${JSON.stringify(errors)}`);
  return errors[0]!;
}

test('the good DAGs load, sorted by id, whatever the other files do', () => {
  assert.deepEqual(folder.dags.map((d) => d.dagId), GOOD_DAGS);
  const single = folder.dags.find((d) => d.dagId === 'single')!;
  assert.equal(single.fileloc, `${FIXTURES}b_single.ts`);
  assert.deepEqual(single.tasks.map((t) => t.taskId), ['only']);
  const extract = folder.dags.find((d) => d.dagId === 'pair_extract')!;
  assert.deepEqual(extract.schedule, { kind: 'cron', expression: '0 0 * * *', preset: '@daily' });
  assert.deepEqual(extract.tasks.map((t) => t.taskId), ['pull', 'count']);
});

test('every bad file has exactly one import error, and no other file has one', () => {
  const bad = ['cycle.ts', 'duplicate_id.ts', 'exits.ts', 'hangs.ts', 'syntax_error.js', 'throws.ts'];
  assert.deepEqual(folder.errors.map((e) => e.file), bad.map((f) => `${FIXTURES}${f}`));
  assert.equal(folder.files.length, 11);
  assert.ok(!folder.files.some((f) => f.includes('ignored_') || f.includes('/scratch/')), '.batonignore is applied');
});

test('a syntax error names the problem and its line', () => {
  const e = errorOf('syntax_error.js');
  assert.match(e.message, /^SyntaxError: Unexpected token/);
  assert.equal(e.line, 6);
});

test('an exception at import carries the line of the TypeScript source', () => {
  const e = errorOf('throws.ts');
  assert.equal(e.message, 'settings for region eu are missing');
  assert.equal(e.line, 16);
});

test('a cycle is reported for its DAG while the sibling DAG of the same file loads', () => {
  assert.match(errorOf('cycle.ts').message, /DAG 'cyclic': the DAG has a cycle among tasks: a -> b -> a/);
  assert.ok(folder.dags.some((d) => d.dagId === 'cycle_sibling'));
});

test('a hanging file times out', () => {
  assert.match(errorOf('hangs.ts').message, /^timed out after 5000 ms while importing .*hangs\.ts/);
});

test('a file that exits the process is an import error', () => {
  assert.match(errorOf('exits.ts').message, /exited with code 3 before finishing/);
});

test('a DAG id defined by an earlier file is an error on the later file, whose other DAGs load', () => {
  const e = errorOf('duplicate_id.ts');
  assert.equal(e.message, `DAG id 'single' is already defined in ${FIXTURES}b_single.ts: DAG ids must be unique across the DAGs folder, rename one of them`);
  assert.ok(folder.dags.some((d) => d.dagId === 'duplicate_file_distinct'));
});

test('DAG files in a folder outside the project import "baton"; crashes and hangs do not stop the rest', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-dags-'));
  try {
    const dagFile = (id: string) => `import { dag, BashOperator } from 'baton';\ninterface Cfg { cmd: string }\nconst cfg: Cfg = { cmd: 'echo ${id}' };\nexport const d = dag({ id: '${id}' }, () => {\n  new BashOperator({ taskId: 't', bashCommand: cfg.cmd });\n});\n`;
    await writeFile(join(root, 'a_first.ts'), dagFile('outside_a'));
    await writeFile(join(root, 'b_exit.ts'), 'process.exit(1);\n');
    await writeFile(join(root, 'c_second.js'), "import { dag, EmptyOperator } from 'baton';\nexport default dag({ id: 'outside_c' }, () => { new EmptyOperator({ taskId: 'e' }); });\n");
    await writeFile(join(root, 'd_hang.ts'), 'await new Promise(() => setInterval(() => {}, 1000));\n');
    await writeFile(join(root, 'e_syntax.ts'), "import { dag } from 'baton';\nconst x: number = 1;\nlet = = 2;\n");
    await writeFile(join(root, 'f_third.mts'), dagFile('outside_f'));
    const r = await processDagFolder(root, { timeoutMs: 5000, concurrency: 1 });
    assert.deepEqual(r.dags.map((d) => d.dagId), ['outside_a', 'outside_c', 'outside_f']);
    assert.equal(r.dags[0]!.fileloc, join(root, 'a_first.ts'));
    assert.deepEqual(r.errors.map((e) => e.file), ['b_exit.ts', 'd_hang.ts', 'e_syntax.ts'].map((f) => join(root, f)));
    assert.match(r.errors[0]!.message, /exited with code 1/);
    assert.match(r.errors[1]!.message, /^timed out after 5000 ms/);
    assert.match(r.errors[2]!.message, /Unexpected "="/);
    assert.equal(r.errors[2]!.line, 3);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('an empty folder yields nothing', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-dags-'));
  try {
    assert.deepEqual(await processDagFolder(root), { dags: [], errors: [], files: [], parsed: [] });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('invalid options are rejected', async () => {
  await assert.rejects(processDagFolder(FIXTURES, { timeoutMs: 0 }), /timeoutMs must be a positive integer/);
  await assert.rejects(processDagFolder(FIXTURES, { concurrency: 1.5 }), /concurrency must be a positive integer/);
});


test('with a parse cache, only files whose modification time or size changed are imported again; deleted files leave the cache', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-cache-'));
  try {
    const marks = join(root, 'imports.log');
    const dagFile = (id: string, task: string) =>
      `import { dag, EmptyOperator } from 'baton';\nimport { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(marks)}, '${id}\\n');\nexport default dag({ id: '${id}' }, () => { new EmptyOperator({ taskId: '${task}' }); });\n`;
    await writeFile(join(root, 'a.ts'), dagFile('cache_a', 'one'));
    await writeFile(join(root, 'b.ts'), dagFile('cache_b', 'one'));
    const cache: ParseCache = new Map();
    const first = await processDagFolder(root, { cache, concurrency: 1 });
    assert.deepEqual(first.dags.map((d) => d.dagId), ['cache_a', 'cache_b']);
    const { readFileSync, unlinkSync } = await import('node:fs');
    assert.deepEqual(readFileSync(marks, 'utf8').split('\n').filter(Boolean).sort(), ['cache_a', 'cache_b']);
    await writeFile(join(root, 'a.ts'), dagFile('cache_a', 'renamed_task'));
    const second = await processDagFolder(root, { cache, concurrency: 1 });
    assert.deepEqual(second.dags.find((d) => d.dagId === 'cache_a')!.tasks.map((t) => t.taskId), ['renamed_task']);
    assert.deepEqual(second.dags.find((d) => d.dagId === 'cache_b')!.tasks.map((t) => t.taskId), ['one'], 'the unchanged file keeps its result');
    assert.deepEqual(readFileSync(marks, 'utf8').split('\n').filter(Boolean).sort(), ['cache_a', 'cache_a', 'cache_b'], 'only the changed file was imported again');
    assert.deepEqual(second.parsed, [join(root, 'a.ts')]);
    unlinkSync(join(root, 'b.ts'));
    const third = await processDagFolder(root, { cache, concurrency: 1 });
    assert.deepEqual(third.dags.map((d) => d.dagId), ['cache_a']);
    assert.deepEqual([...cache.keys()], [join(root, 'a.ts')]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
