import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SerializedTask } from '../../src/core/serialized-dag.ts';
import { dag, DagDefinitionError, EmptyOperator, task, taskGroup, type DefaultArgs, type TaskOptions } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

function serializedTasks(build: () => void, defaultArgs?: DefaultArgs): Record<string, SerializedTask> {
  const d = dag({ id: 'opts', defaultArgs }, build);
  return Object.fromEntries(serializeDag(d).tasks.map((t) => [t.taskId, t]));
}

const pick = (t: SerializedTask) => ({ retries: t.retries, retryDelay: t.retryDelay, pool: t.pool, owner: t.owner });

describe('task options', () => {
  test('a task without options gets the defaults', () => {
    const t = serializedTasks(() => new EmptyOperator({ taskId: 'plain' })).plain!;
    assert.deepEqual(
      {
        ...pick(t),
        triggerRule: t.triggerRule,
        executionTimeout: t.executionTimeout,
        retryExponentialBackoff: t.retryExponentialBackoff,
        maxRetryDelay: t.maxRetryDelay,
        queue: t.queue,
        poolSlots: t.poolSlots,
        priorityWeight: t.priorityWeight,
        weightRule: t.weightRule,
      },
      {
        retries: 0, retryDelay: 300, pool: 'default_pool', owner: 'baton', triggerRule: 'all_success', executionTimeout: null,
        retryExponentialBackoff: false, maxRetryDelay: null, queue: 'default', poolSlots: 1, priorityWeight: 1, weightRule: 'downstream',
      },
    );
  });

  test('DAG defaultArgs apply to every task; a task option overrides them; group defaultArgs override the DAG ones', () => {
    const tasks = serializedTasks(
      () => {
        new EmptyOperator({ taskId: 'inherits' });
        new EmptyOperator({ taskId: 'overrides', retries: 5, pool: 'own_pool' });
        task('flow', async () => 1).override({ owner: 'flow_owner' })();
        taskGroup('grp', { defaultArgs: { retries: 1, owner: 'group_owner' } }, () => {
          new EmptyOperator({ taskId: 'in_group' });
          new EmptyOperator({ taskId: 'in_group_overridden', owner: 'task_owner' });
          taskGroup('inner', { defaultArgs: { retryDelay: '5m' } }, () => {
            new EmptyOperator({ taskId: 'nested' });
          });
        });
      },
      { retries: 3, retryDelay: '30s', pool: 'dag_pool', owner: 'dag_owner' },
    );
    assert.deepEqual(pick(tasks.inherits!), { retries: 3, retryDelay: 30, pool: 'dag_pool', owner: 'dag_owner' });
    assert.deepEqual(pick(tasks.overrides!), { retries: 5, retryDelay: 30, pool: 'own_pool', owner: 'dag_owner' });
    assert.deepEqual(pick(tasks.flow!), { retries: 3, retryDelay: 30, pool: 'dag_pool', owner: 'flow_owner' });
    assert.deepEqual(pick(tasks['grp.in_group']!), { retries: 1, retryDelay: 30, pool: 'dag_pool', owner: 'group_owner' });
    assert.deepEqual(pick(tasks['grp.in_group_overridden']!), { retries: 1, retryDelay: 30, pool: 'dag_pool', owner: 'task_owner' });
    assert.deepEqual(pick(tasks['grp.inner.nested']!), { retries: 1, retryDelay: 300, pool: 'dag_pool', owner: 'group_owner' });
  });

  test('the serialized DAG lists the owners of its tasks once each', () => {
    const d = dag({ id: 'owners', defaultArgs: { owner: 'alice' } }, () => {
      new EmptyOperator({ taskId: 'a' });
      new EmptyOperator({ taskId: 'b' });
      new EmptyOperator({ taskId: 'c', owner: 'bob' });
    });
    assert.deepEqual(serializeDag(d).owners, ['alice', 'bob']);
  });

  const durations: Array<[TaskOptions['retryDelay'], number]> = [
    ['30s', 30],
    ['5m', 300],
    ['1h30m', 5400],
    ['500ms', 0.5],
    [45, 45],
    [0, 0],
    ['2d', 172_800],
  ];
  for (const [input, seconds] of durations) {
    test(`duration ${JSON.stringify(input)} is ${seconds} seconds`, () => {
      const t = serializedTasks(() => new EmptyOperator({ taskId: 't', retryDelay: input, executionTimeout: input, maxRetryDelay: input })).t!;
      assert.deepEqual([t.retryDelay, t.executionTimeout, t.maxRetryDelay], [seconds, seconds, seconds]);
    });
  }

  const invalid: Array<{ name: string; options: Partial<TaskOptions>; message: RegExp }> = [
    { name: 'a duration string with no unit it knows', options: { retryDelay: '5 minutes' }, message: /task 't' retryDelay: invalid duration "5 minutes"/ },
    { name: 'a negative duration', options: { executionTimeout: -1 }, message: /task 't' executionTimeout must be a non-negative number of seconds/ },
    { name: 'an unknown trigger rule', options: { triggerRule: 'all_good' as never }, message: /task 't': unknown trigger rule "all_good"; use one of all_success, .*always/ },
    { name: 'negative retries', options: { retries: -1 }, message: /task 't': retries must be an integer ≥ 0 \(got -1\)/ },
    { name: 'fractional retries', options: { retries: 1.5 }, message: /retries must be an integer/ },
    { name: 'zero pool slots', options: { poolSlots: 0 }, message: /poolSlots must be an integer ≥ 1/ },
    { name: 'an empty pool name', options: { pool: ' ' }, message: /pool must be a non-empty string/ },
    { name: 'an unknown weight rule', options: { weightRule: 'sideways' as never }, message: /unknown weight rule "sideways"/ },
    { name: 'a callback that is not a function', options: { onSuccess: 'notify' as never }, message: /onSuccess must be a function or a list of functions/ },
  ];
  for (const c of invalid) {
    test(`${c.name} is a DagDefinitionError naming the task`, () => {
      assert.throws(
        () => dag({ id: 'invalid' }, () => new EmptyOperator({ taskId: 't', ...c.options })),
        (e: Error) => e instanceof DagDefinitionError && c.message.test(e.message),
      );
    });
  }

  test('an invalid option in DAG defaultArgs is reported at the first task that uses it', () => {
    assert.throws(
      () => dag({ id: 'bad_defaults', defaultArgs: { triggerRule: 'sometimes' as never } }, () => new EmptyOperator({ taskId: 'first' })),
      (e: Error) => e instanceof DagDefinitionError && /task 'first': unknown trigger rule "sometimes"/.test(e.message),
    );
  });
});
