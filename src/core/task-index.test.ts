import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dag, task } from '../sdk/index.ts';
import { serializeDag } from '../sdk/serialize.ts';
import { dagHash } from './dag-hash.ts';
import { mappedTaskIds, mapSourceKeysOf, taskOf, tasksWithActiveLimit } from './task-index.ts';

const serialized = serializeDag(
  dag({ id: 'indexed', schedule: null }, () => {
    const numbers = task('numbers', async () => [1, 2, 3]);
    const pairs = task({ taskId: 'pairs', multipleOutputs: true }, async () => ({ left: [1], right: [2, 3] }));
    const square = task({ taskId: 'square', maxActiveTisPerDag: 2 }, async ({ x }: { x: number }) => x * x);
    const join = task('join', async ({ a, b }: { a: number; b: number }) => a + b);
    const total = task({ taskId: 'total', maxActiveTisPerDag: 1 }, async ({ values }: { values: number[] }) => values.length);
    const p = pairs();
    total({ values: square.expand({ x: numbers() }) });
    join.expand({ a: p.get('left'), b: p.get('right') });
  }),
);

describe('task index of a serialized DAG', () => {
  const byIdCases: Array<{ name: string; taskId: string; found: boolean }> = [
    { name: 'a plain task', taskId: 'numbers', found: true },
    { name: 'a mapped task', taskId: 'square', found: true },
    { name: 'the last task', taskId: 'total', found: true },
    { name: 'an unknown id', taskId: 'nope', found: false },
    { name: 'an id differing only in case', taskId: 'Numbers', found: false },
  ];
  for (const c of byIdCases) {
    test(`taskOf finds ${c.name} exactly when the DAG has it`, () => {
      const t = taskOf(serialized, c.taskId);
      assert.equal(t?.taskId, c.found ? c.taskId : undefined);
      assert.equal(t, serialized.tasks.find((x) => x.taskId === c.taskId));
    });
  }

  test('tasksWithActiveLimit lists the tasks with maxActiveTisPerDag, and only them', () => {
    assert.deepEqual(tasksWithActiveLimit(serialized).map((t) => [t.taskId, t.maxActiveTisPerDag]).sort(), [['square', 2], ['total', 1]]);
  });

  test('mappedTaskIds holds the mapped tasks', () => {
    assert.deepEqual([...mappedTaskIds(serialized)].sort(), ['join', 'square']);
  });

  const sourceCases: Array<{ taskId: string; keys: string[] }> = [
    { taskId: 'numbers', keys: ['return_value'] },
    { taskId: 'pairs', keys: ['left', 'right'] },
    { taskId: 'square', keys: [] },
    { taskId: 'nope', keys: [] },
  ];
  for (const c of sourceCases) {
    test(`mapSourceKeysOf('${c.taskId}') gives the XCom keys mapped tasks expand over: [${c.keys.join(', ')}]`, () => {
      assert.deepEqual([...mapSourceKeysOf(serialized, c.taskId)].sort(), c.keys);
    });
  }

  test('a DAG object hashes to the hash of its JSON text, also when asked again', () => {
    const text = JSON.stringify(serialized);
    assert.equal(dagHash(serialized), dagHash(text));
    assert.equal(dagHash(serialized), dagHash(serialized));
    const other = JSON.parse(text) as typeof serialized;
    other.tasks[0]!.retries = 7;
    assert.notEqual(dagHash(other), dagHash(serialized));
  });
});
