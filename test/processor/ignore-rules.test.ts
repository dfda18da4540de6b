import { test } from 'node:test';
import assert from 'node:assert/strict';
import { globToRegExpSource, isIgnored, parseIgnoreFile } from '../../src/processor/ignore-rules.ts';

const ignored = (text: string, path: string, isDir = false) => isIgnored(parseIgnoreFile(text, ''), path, isDir);

test('a pattern without a slash matches a name at any depth', () => {
  assert.equal(ignored('draft_*.ts', 'draft_a.ts'), true);
  assert.equal(ignored('draft_*.ts', 'team/draft_a.ts'), true);
  assert.equal(ignored('draft_*.ts', 'team/final.ts'), false);
});

test('a pattern with a slash is anchored to the folder of the ignore file', () => {
  assert.equal(ignored('team/*.ts', 'team/a.ts'), true);
  assert.equal(ignored('team/*.ts', 'other/team/a.ts'), false);
  assert.equal(ignored('/top.ts', 'top.ts'), true);
  assert.equal(ignored('/top.ts', 'sub/top.ts'), false);
});

test('* and ? stay within a segment, ** spans segments', () => {
  assert.equal(ignored('a/*.ts', 'a/b/c.ts'), false);
  assert.equal(ignored('a/**/*.ts', 'a/b/c/d.ts'), true);
  assert.equal(ignored('a/**/*.ts', 'a/d.ts'), true);
  assert.equal(ignored('**/legacy/*.ts', 'x/y/legacy/z.ts'), true);
  assert.equal(ignored('v?.ts', 'v1.ts'), true);
  assert.equal(ignored('v?.ts', 'v10.ts'), false);
  assert.equal(ignored('v[0-9].ts', 'v7.ts'), true);
  assert.equal(ignored('v[!0-9].ts', 'v7.ts'), false);
});

test('a trailing slash matches folders only; comments and blank lines are skipped', () => {
  const text = '# comment\n\nbuild/\n';
  assert.equal(ignored(text, 'build', true), true);
  assert.equal(ignored(text, 'build', false), false);
  assert.equal(ignored(text, '# comment'), false);
});

test('a later ! rule re-includes, and rules of a subfolder apply relative to it', () => {
  assert.equal(ignored('*.ts\n!keep.ts', 'keep.ts'), false);
  assert.equal(ignored('*.ts\n!keep.ts', 'drop.ts'), true);
  const rules = [...parseIgnoreFile('x.ts', ''), ...parseIgnoreFile('/only.ts', 'sub')];
  assert.equal(isIgnored(rules, 'sub/only.ts', false), true);
  assert.equal(isIgnored(rules, 'only.ts', false), false);
  assert.equal(isIgnored(rules, 'sub/deep/x.ts', false), true);
});

test('regex characters in a glob are literal', () => {
  assert.equal(new RegExp(`^${globToRegExpSource('a+b.(1).ts')}$`).test('a+b.(1).ts'), true);
  assert.equal(new RegExp(`^${globToRegExpSource('a.ts')}$`).test('abts'), false);
});
