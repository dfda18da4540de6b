import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dag, DagDefinitionError, EmptyOperator, task, taskGroup, type Dag } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

const empty = (taskId: string) => new EmptyOperator({ taskId });

function upstreamSets(d: Dag): Record<string, string[]> {
  return Object.fromEntries(serializeDag(d).tasks.map((t) => [t.taskId, t.upstream]));
}

describe('task groups', () => {
  test('children get ids prefixed with the group id, and remember their group', () => {
    const d = dag({ id: 'prefix' }, () => {
      taskGroup('extract', () => {
        empty('a');
        task('b', async () => 1)();
      });
    });
    const s = serializeDag(d);
    assert.deepEqual(s.tasks.map((t) => [t.taskId, t.groupId]), [['extract.a', 'extract'], ['extract.b', 'extract']]);
  });

  test('prefixGroupId false keeps the children ids as written', () => {
    const d = dag({ id: 'no_prefix' }, () => {
      taskGroup('g', { prefixGroupId: false }, () => empty('a'));
    });
    assert.deepEqual([...d.tasks.keys()], ['a']);
    assert.equal(serializeDag(d).tasks[0]!.groupId, 'g');
  });

  test('an edge into a group goes to its root tasks and an edge out of it leaves from its leaf tasks', () => {
    const d = dag({ id: 'group_edges' }, () => {
      const start = empty('start');
      const g = taskGroup('g', () => {
        const a = empty('a');
        const b = empty('b');
        const c = empty('c');
        const lone = empty('lone');
        a.then(c);
        b.then(c);
        void lone;
      });
      const end = empty('end');
      start.then(g).then(end);
    });
    assert.deepEqual(upstreamSets(d), {
      start: [],
      'g.a': ['start'],
      'g.b': ['start'],
      'g.lone': ['start'],
      'g.c': ['g.a', 'g.b'],
      end: ['g.c', 'g.lone'],
    });
  });

  test('nested groups prefix with every enclosing group, and linking the outer group reaches the inner roots and leaves', () => {
    const d = dag({ id: 'nested' }, () => {
      const start = empty('start');
      const outer = taskGroup('outer', () => {
        taskGroup('inner', () => {
          empty('x').then(empty('y'));
        });
      });
      const end = empty('end');
      outer.after(start);
      outer.then(end);
    });
    assert.deepEqual(upstreamSets(d), { start: [], 'outer.inner.x': ['start'], 'outer.inner.y': ['outer.inner.x'], end: ['outer.inner.y'] });
    const groups = serializeDag(d).taskGroups;
    assert.deepEqual(groups, [
      { groupId: 'outer', parentGroupId: null, tooltip: null, children: ['outer.inner'] },
      { groupId: 'outer.inner', parentGroupId: 'outer', tooltip: null, children: ['outer.inner.x', 'outer.inner.y'] },
    ]);
  });

  test('two groups can be linked to each other, leaves of the first to roots of the second', () => {
    const d = dag({ id: 'group_to_group' }, () => {
      const g1 = taskGroup('g1', () => {
        empty('a');
        empty('b');
      });
      const g2 = taskGroup('g2', () => {
        empty('c').then(empty('d'));
      });
      g1.then(g2);
    });
    assert.deepEqual(upstreamSets(d)['g2.c'], ['g1.a', 'g1.b']);
    assert.deepEqual(upstreamSets(d)['g2.d'], ['g2.c']);
  });

  test('an empty task group is an error', () => {
    assert.throws(() => dag({ id: 'empty_group' }, () => taskGroup('nothing', () => {})), (e: Error) => e instanceof DagDefinitionError && /task group 'nothing' is empty/.test(e.message));
  });

  test('two groups with the same id are an error', () => {
    assert.throws(
      () => dag({ id: 'dup_groups' }, () => {
        taskGroup('g', () => empty('a'));
        taskGroup('g', () => empty('b'));
      }),
      (e: Error) => e instanceof DagDefinitionError && /already has a task or group with id 'g'/.test(e.message),
    );
  });

  test('a task group created outside a DAG is an error', () => {
    assert.throws(() => taskGroup('lost', () => {}), (e: Error) => e instanceof DagDefinitionError && /must be created inside a dag/.test(e.message));
  });
});
