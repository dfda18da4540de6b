import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findDagFiles } from '../../src/processor/find-dag-files.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/dags-processor/', import.meta.url));

test('lists module files recursively and sorted, skipping ignored, hidden, declaration and test files', async () => {
  const files = await findDagFiles(FIXTURES);
  assert.deepEqual(
    files.map((f) => relative(FIXTURES, f)),
    ['a_pair.ts', 'b_single.ts', 'cycle.ts', 'duplicate_id.ts', 'exits.ts', 'hangs.ts', 'helpers.ts', 'js_dag.js', 'nested/c_nested.ts', 'syntax_error.js', 'throws.ts'],
  );
  assert.ok(files.every((f) => f.startsWith('/')));
});

test('skips node_modules, dot entries and other extensions; reads .batonignore in subfolders', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-find-'));
  try {
    await mkdir(join(root, 'node_modules/pkg'), { recursive: true });
    await mkdir(join(root, '.hidden'));
    await mkdir(join(root, 'team'));
    await writeFile(join(root, 'node_modules/pkg/index.js'), '');
    await writeFile(join(root, '.hidden/x.ts'), '');
    await writeFile(join(root, '.dot.ts'), '');
    await writeFile(join(root, 'readme.md'), '');
    await writeFile(join(root, 'a.mts'), '');
    await writeFile(join(root, 'b.mjs'), '');
    await writeFile(join(root, 'c.d.mts'), '');
    await writeFile(join(root, 'team/.batonignore'), 'wip_*\n');
    await writeFile(join(root, 'team/wip_x.ts'), '');
    await writeFile(join(root, 'team/done.ts'), '');
    await writeFile(join(root, 'wip_top.ts'), '');
    const files = await findDagFiles(root);
    assert.deepEqual(
      files.map((f) => relative(root, f)),
      ['a.mts', 'b.mjs', 'team/done.ts', 'wip_top.ts'],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('follows symbolic links without looping and lists each file once, by its link-free path', async () => {
  const root = await mkdtemp(join(tmpdir(), 'baton-find-'));
  const elsewhere = await mkdtemp(join(tmpdir(), 'baton-elsewhere-'));
  try {
    await mkdir(join(root, 'sub'));
    await writeFile(join(root, 'sub/x.ts'), '');
    await writeFile(join(elsewhere, 'shared.ts'), '');
    await symlink(root, join(root, 'sub/loop'));
    await symlink(join(root, 'sub'), join(root, 'alias'));
    await symlink(join(root, 'sub/x.ts'), join(root, 'again.ts'));
    await symlink(elsewhere, join(root, 'linked'));
    const files = await findDagFiles(root);
    assert.deepEqual(
      files.map((f) => relative(root, f)),
      ['linked/shared.ts', 'sub/x.ts'],
    );
  } finally {
    await rm(root, { recursive: true, force: true });
    await rm(elsewhere, { recursive: true, force: true });
  }
});

test('a missing folder is an error naming the folder and BATON_DAGS_FOLDER', async () => {
  await assert.rejects(findDagFiles('/nonexistent/baton-dags'), (e: Error) => {
    assert.match(e.message, /\/nonexistent\/baton-dags/);
    assert.match(e.message, /does not exist/);
    assert.match(e.message, /BATON_DAGS_FOLDER/);
    return true;
  });
});

test('a file given as the folder is an error', async () => {
  await assert.rejects(findDagFiles(join(FIXTURES, 'b_single.ts')), /is not a directory/);
});
