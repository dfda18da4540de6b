import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dag, DagDefinitionError, EmptyOperator, task, taskGroup } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

describe('task ids', () => {
  test('two tasks with the same id are a DagDefinitionError naming the DAG and the id', () => {
    assert.throws(
      () => dag({ id: 'dups' }, () => {
        new EmptyOperator({ taskId: 'same' });
        new EmptyOperator({ taskId: 'same' });
      }),
      (e: Error) => e instanceof DagDefinitionError && /DAG 'dups' already has a task with id 'same'/.test(e.message),
    );
  });

  test('a TaskFlow task called twice gets the suffix __1, then __2', () => {
    const d = dag({ id: 'suffix' }, () => {
      const t = task('work', async () => 1);
      t();
      t();
      t();
    });
    assert.deepEqual([...d.tasks.keys()], ['work', 'work__1', 'work__2']);
  });

  test('the task id of a TaskFlow task defaults to the function name', () => {
    const d = dag({ id: 'named' }, () => {
      task(async function extract_rows() {
        return 1;
      })();
    });
    assert.deepEqual([...d.tasks.keys()], ['extract_rows']);
  });

  test('override({ taskId }) gives a TaskFlow task another id', () => {
    const d = dag({ id: 'override' }, () => {
      const t = task('base', async () => 1);
      t();
      t.override({ taskId: 'other' })();
    });
    assert.deepEqual([...d.tasks.keys()], ['base', 'other']);
  });

  test('a TaskFlow task called twice inside a task group gets the suffix inside the group', () => {
    const d = dag({ id: 'suffix_in_group' }, () => {
      const t = task('work', async () => 1);
      taskGroup('grp', () => {
        t();
        t();
      });
    });
    assert.deepEqual([...d.tasks.keys()], ['grp.work', 'grp.work__1']);
  });

  test('a TaskFlow task called at the top level and in a group keeps its plain id in the group', () => {
    const d = dag({ id: 'top_and_group' }, () => {
      const t = task('work', async () => 1);
      t();
      taskGroup('grp', () => {
        t();
      });
    });
    assert.deepEqual([...d.tasks.keys()], ['work', 'grp.work']);
  });

  const badIds = ['has space', 'slash/y', '', 'ü'];
  for (const id of badIds) {
    test(`task id ${JSON.stringify(id)} is rejected`, () => {
      assert.throws(() => dag({ id: 'bad_ids' }, () => new EmptyOperator({ taskId: id })), (e: Error) => e instanceof DagDefinitionError && /is not valid: use letters, digits/.test(e.message));
    });
  }

  test('a task id may not clash with a task group id', () => {
    assert.throws(
      () => dag({ id: 'clash' }, () => {
        taskGroup('g', { prefixGroupId: false }, () => new EmptyOperator({ taskId: 'inner' }));
        new EmptyOperator({ taskId: 'g' });
      }),
      (e: Error) => e instanceof DagDefinitionError && /task id 'g' clashes with a task group id/.test(e.message),
    );
  });

  test('the serialized task keeps the operator name', () => {
    const d = dag({ id: 'operators' }, () => {
      new EmptyOperator({ taskId: 'e' });
      task('f', async () => 1)();
      task.branch('b', async () => null)();
      task.shortCircuit('s', async () => true)();
      task.bash('sh', async () => 'true')();
    });
    assert.deepEqual(
      serializeDag(d).tasks.map((t) => [t.taskId, t.operator]),
      [['e', 'EmptyOperator'], ['f', '@task'], ['b', '@task.branch'], ['s', '@task.short_circuit'], ['sh', '@task.bash']],
    );
  });
});
