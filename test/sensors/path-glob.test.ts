import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findFirstFile } from '../../src/sdk/sensors/path-glob.ts';
import { tempDir } from './helpers.ts';

function tree(files: string[], dirs: string[] = []): string {
  const root = tempDir();
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  for (const f of files) {
    mkdirSync(join(root, f, '..'), { recursive: true });
    writeFileSync(join(root, f), 'x');
  }
  return root;
}

describe('finding a file by path or glob', () => {
  test('a plain path matches only an existing file', async () => {
    const root = tree(['a.csv']);
    assert.equal(await findFirstFile(join(root, 'a.csv')), join(root, 'a.csv'));
    assert.equal(await findFirstFile(join(root, 'b.csv')), null);
  });

  test('*, ? and [...] match within one folder', async () => {
    const root = tree(['data_1.csv', 'data_2.json', 'x/data_3.csv']);
    assert.equal(await findFirstFile(join(root, '*.csv')), join(root, 'data_1.csv'));
    assert.equal(await findFirstFile(join(root, 'data_?.json')), join(root, 'data_2.json'));
    assert.equal(await findFirstFile(join(root, 'data_[3-9].csv')), null);
    assert.equal(await findFirstFile(join(root, 'data_[!1].*')), join(root, 'data_2.json'));
  });

  test('names starting with a dot match only a pattern that starts with a dot', async () => {
    const root = tree(['.hidden.csv']);
    assert.equal(await findFirstFile(join(root, '*.csv')), null);
    assert.equal(await findFirstFile(join(root, '.*.csv')), join(root, '.hidden.csv'));
  });

  test('** spans folders only when recursive', async () => {
    const root = tree(['a/b/c/deep.parquet']);
    assert.equal(await findFirstFile(join(root, '**', '*.parquet')), null);
    assert.equal(await findFirstFile(join(root, '**', '*.parquet'), { recursive: true }), join(root, 'a/b/c/deep.parquet'));
  });

  test('a matching folder counts once it holds a file somewhere below it', async () => {
    const root = tree(['full/sub/part-0'], ['empty/sub']);
    assert.equal(await findFirstFile(join(root, 'empty')), null);
    assert.equal(await findFirstFile(join(root, 'full')), join(root, 'full/sub/part-0'));
  });

  test('a missing folder is no match, not an error', async () => {
    assert.equal(await findFirstFile('/nonexistent-baton-folder/*/x.csv'), null);
  });
});
