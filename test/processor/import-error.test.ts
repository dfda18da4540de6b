import { test } from 'node:test';
import assert from 'node:assert/strict';
import { importErrorFromThrown, lineInFile, mergeImportErrors } from '../../src/processor/import-error.ts';

test('the line is taken from the first reference to the file, as a path or URL, with or without a query', () => {
  const file = '/dags/etl.ts';
  assert.equal(lineInFile('Error: x\n    at helper (/dags/lib.ts:3:1)\n    at /dags/etl.ts:12:5\n    at /dags/etl.ts:40:1', file), 12);
  assert.equal(lineInFile('Error: x\n    at file:///dags/etl.ts?v=1712.5:7:9', file), 7);
  assert.equal(lineInFile('Transform failed with 1 error:\n/dags/etl.ts:4:8: ERROR: Unexpected "="', file), 4);
  assert.equal(lineInFile('at /other/dags/etl.ts:9:1', file), null);
  assert.equal(lineInFile('at /dags/etl.tsx:9:1', file), null);
});

test('thrown values become import errors without the cache-busting query', () => {
  const err = new TypeError('bad value');
  err.stack = 'TypeError: bad value\n    at file:///dags/etl.ts?v=1712.25:5:3';
  assert.deepEqual(importErrorFromThrown('/dags/etl.ts', err), { file: '/dags/etl.ts', line: 5, message: 'TypeError: bad value', stack: 'TypeError: bad value\n    at file:///dags/etl.ts:5:3' });
  assert.deepEqual(importErrorFromThrown('/dags/etl.ts', 'plain'), { file: '/dags/etl.ts', line: null, message: 'a non-Error value was thrown: "plain"', stack: '' });
});

test('several problems of one file fold into one error', () => {
  const merged = mergeImportErrors('/f.ts', [
    { file: '/f.ts', line: null, message: 'first', stack: '' },
    { file: '/f.ts', line: 8, message: 'second', stack: 's2' },
  ]);
  assert.deepEqual(merged, { file: '/f.ts', line: 8, message: 'first\nsecond', stack: 's2' });
});
