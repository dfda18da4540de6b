import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { XComPullOptions } from '../sdk/context.ts';
import { selectXCom, type XComRow } from './xcom-select.ts';

const row = (taskId: string, value: unknown, mapIndex = -1, key = 'return_value'): XComRow => ({ taskId, mapIndex, key, value });

// `m` is mapped; its copies were stored out of order.
const ROWS: XComRow[] = [
  row('a', 'A'),
  row('a', 'A-extra', -1, 'extra'),
  row('b', 'B'),
  row('m', 'M2', 2),
  row('m', 'M0', 0),
  row('m', 'M1', 1),
  row('late', 'LATE'),
];
const CTX = { isMapped: (id: string) => id === 'm' };
const pull = (opts: XComPullOptions) => selectXCom(ROWS, opts, CTX);

describe('selectXCom (xcom_pull semantics)', () => {
  const cases: Array<{ name: string; opts: XComPullOptions; expected: unknown }> = [
    { name: 'one task id gives its value', opts: { taskIds: 'a' }, expected: 'A' },
    { name: 'a key other than return_value', opts: { taskIds: 'a', key: 'extra' }, expected: 'A-extra' },
    { name: 'a list of task ids gives a list in the order asked', opts: { taskIds: ['b', 'a'] }, expected: ['B', 'A'] },
    { name: 'a list with one id is still a list', opts: { taskIds: ['a'] }, expected: ['A'] },
    { name: 'a mapped task gives every copy in map-index order', opts: { taskIds: 'm' }, expected: ['M0', 'M1', 'M2'] },
    { name: 'a list including a mapped task flattens its copies in map-index order', opts: { taskIds: ['a', 'm'] }, expected: ['A', 'M0', 'M1', 'M2'] },
    { name: 'one map index gives that copy alone', opts: { taskIds: 'm', mapIndexes: 1 }, expected: 'M1' },
    { name: 'a list of map indexes gives those copies in map-index order', opts: { taskIds: 'm', mapIndexes: [2, 0] }, expected: ['M0', 'M2'] },
    { name: 'a missing task gives the default', opts: { taskIds: 'nothing', default: 'dflt' }, expected: 'dflt' },
    { name: 'a missing task without a default gives null', opts: { taskIds: 'nothing' }, expected: null },
    { name: 'a missing key gives the default', opts: { taskIds: 'a', key: 'nope', default: 0 }, expected: 0 },
    { name: 'a missing map index gives the default', opts: { taskIds: 'm', mapIndexes: 7, default: 'none' }, expected: 'none' },
    { name: 'a list of missing tasks gives an empty list', opts: { taskIds: ['nothing'] }, expected: [] },
    { name: 'no task ids gives the most recently stored value', opts: {}, expected: 'LATE' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(pull(c.opts), c.expected);
    });
  }

  test('a falsy stored value is returned, not the default', () => {
    assert.equal(selectXCom([row('z', 0)], { taskIds: 'z', default: 5 }, CTX), 0);
  });
});
