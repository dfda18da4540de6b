import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DatasetCondition } from '../serialized-dag.ts';
import { aliasNames, datasetUris, evaluateDatasetCondition, validateDatasetCondition } from './dataset-condition.ts';

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

describe('asset aliases in conditions', () => {
  const alias: DatasetCondition = { alias: 'exports' };
  const resolved = new Map([['exports', ['s3://x', 's3://y']]]);
  const cases: Array<[string, DatasetCondition, string[], boolean]> = [
    ['an alias holds when an asset it resolved to was updated', alias, ['s3://y'], true],
    ['an alias does not hold when none of its assets was updated', alias, ['s3://a'], false],
    ['an alias that resolved to nothing never holds', { alias: 'unresolved' }, ['s3://x'], false],
    ['alias & a needs both', { all: [alias, a] }, ['s3://x'], false],
    ['alias & a holds with both', { all: [alias, a] }, ['s3://x', 's3://a'], true],
    ['alias | a holds with a alone', { any: [alias, a] }, ['s3://a'], true],
  ];
  for (const [name, condition, updated, expected] of cases) {
    test(name, () => {
      assert.equal(evaluateDatasetCondition(condition, new Set(updated), resolved), expected);
    });
  }
  test('aliasNames lists each alias once, datasetUris leaves them out', () => {
    const c2: DatasetCondition = { any: [alias, { all: [a, alias, { alias: 'other' }] }] };
    assert.deepEqual(aliasNames(c2), ['exports', 'other']);
    assert.deepEqual(datasetUris(c2), ['s3://a']);
  });
  test('validation accepts an alias leaf and refuses an empty name', () => {
    assert.deepEqual(validateDatasetCondition({ any: [{ alias: 'exports' }] }), { any: [{ alias: 'exports' }] });
    assert.throws(() => validateDatasetCondition({ alias: '' }), /condition.alias must be a non-empty string/);
  });
});
