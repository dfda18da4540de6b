import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chain, crossDownstream, dag, DagDefinitionError, EmptyOperator, task, type Dag } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

/** Upstream ids of every task, from the serialized DAG. */
function upstreamSets(d: Dag): Record<string, string[]> {
  return Object.fromEntries(serializeDag(d).tasks.map((t) => [t.taskId, t.upstream]));
}

const empty = (taskId: string) => new EmptyOperator({ taskId });

describe('task relationships', () => {
  test("Airflow's task_1 >> [task_2_1, task_2_2] >> task_3; task_2_2 >> task_4; [task_3, task_4] >> task_5", () => {
    const d = dag({ id: 'deps' }, () => {
      const [t1, t21, t22, t3, t4, t5] = ['task_1', 'task_2_1', 'task_2_2', 'task_3', 'task_4', 'task_5'].map(empty) as [EmptyOperator, EmptyOperator, EmptyOperator, EmptyOperator, EmptyOperator, EmptyOperator];
      chain(t1, [t21, t22], t3);
      t22.then(t4);
      t5.after(t3, t4);
    });
    assert.deepEqual(upstreamSets(d), {
      task_1: [],
      task_2_1: ['task_1'],
      task_2_2: ['task_1'],
      task_3: ['task_2_1', 'task_2_2'],
      task_4: ['task_2_2'],
      task_5: ['task_3', 'task_4'],
    });
    const s = serializeDag(d);
    assert.deepEqual(s.tasks.find((t) => t.taskId === 'task_2_2')!.downstream, ['task_3', 'task_4']);
    assert.deepEqual(s.tasks.map((t) => t.taskId), ['task_1', 'task_2_1', 'task_2_2', 'task_3', 'task_4', 'task_5']);
  });

  test('chain links two adjacent lists of the same length pairwise', () => {
    const d = dag({ id: 'pairwise' }, () => {
      chain(empty('a'), [empty('b1'), empty('b2')], [empty('c1'), empty('c2')], empty('d'));
    });
    assert.deepEqual(upstreamSets(d), { a: [], b1: ['a'], b2: ['a'], c1: ['b1'], c2: ['b2'], d: ['c1', 'c2'] });
  });

  test('chain with adjacent lists of unequal length throws, giving both lengths', () => {
    assert.throws(
      () => dag({ id: 'bad_chain' }, () => chain([empty('a'), empty('b')], [empty('c'), empty('d'), empty('e')])),
      /chain: adjacent lists must have the same length .*\(got 2 and 3\)/,
    );
  });

  test('crossDownstream links every task of the first list to every task of the second', () => {
    const d = dag({ id: 'cross' }, () => crossDownstream([empty('a'), empty('b')], [empty('c'), empty('d')]));
    assert.deepEqual(upstreamSets(d), { a: [], b: [], c: ['a', 'b'], d: ['a', 'b'] });
  });

  test('then returns its argument so calls chain, and after returns the task itself', () => {
    dag({ id: 'returns' }, () => {
      const a = empty('a');
      const b = empty('b');
      const c = empty('c');
      assert.equal(a.then(b), b);
      assert.equal(c.after(b), c);
      const list = [empty('x'), empty('y')];
      assert.equal(c.then(list), list);
    });
  });

  test('passing a TaskFlow output into another task creates the edge', () => {
    const d = dag({ id: 'wired' }, () => {
      const extract = task('extract', async () => ({ rows: [1, 2] }));
      const load = task('load', async (_: { rows: number[]; n: number }) => undefined);
      const e = extract();
      load({ rows: e.get('rows'), n: 3 });
      e.then(empty('audit'));
    });
    assert.deepEqual(upstreamSets(d), { extract: [], load: ['extract'], audit: ['extract'] });
  });

  test('linking the same pair twice makes one edge', () => {
    const d = dag({ id: 'twice' }, () => {
      const a = empty('a');
      const b = empty('b');
      a.then(b);
      b.after(a);
    });
    assert.deepEqual(upstreamSets(d).b, ['a']);
  });

  test('a task cannot depend on itself', () => {
    assert.throws(() => dag({ id: 'self' }, () => {
      const a = empty('a');
      a.then(a);
    }), (e: Error) => e instanceof DagDefinitionError && /task 'a' cannot depend on itself/.test(e.message));
  });

  test('tasks of different DAGs cannot be linked', () => {
    let outer: EmptyOperator | undefined;
    dag({ id: 'first' }, () => {
      outer = empty('a');
    });
    assert.throws(
      () => dag({ id: 'second' }, () => empty('b').after(outer!)),
      (e: Error) => e instanceof DagDefinitionError && /'a' \(DAG 'first'\) to 'b' \(DAG 'second'\): tasks of different DAGs/.test(e.message),
    );
  });

  test('awaiting a TaskFlow output or an operator throws a TypeError explaining it is a placeholder', async () => {
    let output: unknown;
    let operator: unknown;
    dag({ id: 'awaited' }, () => {
      output = task('produce', async () => 1)();
      operator = empty('op');
    });
    for (const ref of [output, operator]) {
      await assert.rejects(
        async () => {
          await ref;
        },
        (e: Error) => e instanceof TypeError && /cannot be awaited/.test(e.message) && /placeholder for a value produced at run time/.test(e.message),
      );
    }
  });
});
