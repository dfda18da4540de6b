import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetCondition } from '../serialized-dag.ts';
import { datasetUris, evaluateDatasetCondition } from './dataset-condition.ts';

const a: DatasetCondition = { uri: 's3://a' };
const b: DatasetCondition = { uri: 's3://b' };
const c: DatasetCondition = { uri: 's3://c' };

describe('evaluateDatasetCondition', () => {
  const cases: Array<[string, DatasetCondition, string[], boolean]> = [
    ['a leaf holds when its dataset was updated', a, ['s3://a'], true],
    ['a leaf does not hold otherwise', a, ['s3://b'], false],
    ['all holds when every dataset was updated', { all: [a, b] }, ['s3://a', 's3://b'], true],
    ['all does not hold when one is missing', { all: [a, b] }, ['s3://a'], false],
    ['any holds when one dataset was updated', { any: [a, b] }, ['s3://b'], true],
    ['any does not hold when none was updated', { any: [a, b] }, ['s3://c'], false],
    ['a & (b | c) holds with a and c', { all: [a, { any: [b, c] }] }, ['s3://a', 's3://c'], true],
    ['a & (b | c) does not hold with b and c only', { all: [a, { any: [b, c] }] }, ['s3://b', 's3://c'], false],
    ['a | (b & c) holds with b and c', { any: [a, { all: [b, c] }] }, ['s3://b', 's3://c'], true],
    ['a | (b & c) does not hold with c only', { any: [a, { all: [b, c] }] }, ['s3://c'], false],
  ];
  for (const [name, condition, updated, expected] of cases) {
    test(name, () => {
      assert.equal(evaluateDatasetCondition(condition, new Set(updated)), expected);
    });
  }
});

describe('datasetUris', () => {
  test('lists each URI once in order of first appearance', () => {
    assert.deepEqual(datasetUris({ any: [b, { all: [a, b] }, c, a] }), ['s3://b', 's3://a', 's3://c']);
  });
  test('lists the single URI of a leaf', () => {
    assert.deepEqual(datasetUris(a), ['s3://a']);
  });
});
