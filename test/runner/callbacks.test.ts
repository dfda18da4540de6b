import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { dag, EmptyOperator, SkipTask, task, type TaskCallback, type TaskOptions } from '../../src/sdk/index.ts';
import { run } from './helpers.ts';

/** Options whose callbacks record `<callback>@<try>` (and the error message, when given) into `events`. */
function recording(events: string[]): TaskOptions {
  const cb = (name: string): TaskCallback => (ctx, error) => {
    events.push(`${name}@${ctx.ti.tryNumber}${error instanceof Error ? `:${error.message}` : ''}`);
  };
  return { onExecute: cb('onExecute'), onSuccess: cb('onSuccess'), onFailure: cb('onFailure'), onRetry: cb('onRetry'), onSkipped: cb('onSkipped') };
}

describe('task callbacks', () => {
  const cases: Array<{ name: string; retries: number; body: (attempt: number) => void; expected: string[] }> = [
    { name: 'a successful task: onExecute before the body, onSuccess after', retries: 0, body: () => {}, expected: ['onExecute@1', 'body@1', 'onSuccess@1'] },
    {
      name: 'a task that fails once then succeeds: onRetry after the failed try, then onSuccess',
      retries: 1,
      body: (n) => {
        if (n === 1) throw new Error('flaky');
      },
      expected: ['onExecute@1', 'body@1', 'onRetry@1:flaky', 'onExecute@2', 'body@2', 'onSuccess@2'],
    },
    {
      name: 'a task that fails with no retries left: onFailure with the error',
      retries: 0,
      body: () => {
        throw new Error('broken');
      },
      expected: ['onExecute@1', 'body@1', 'onFailure@1:broken'],
    },
    {
      name: 'a task that skips itself: onSkipped',
      retries: 0,
      body: () => {
        throw new SkipTask('nothing to do');
      },
      expected: ['onExecute@1', 'body@1', 'onSkipped@1'],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const events: string[] = [];
      let attempt = 0;
      const d = dag({ id: 'callbacks' }, () => {
        task({ taskId: 't', retries: c.retries, ...recording(events) }, async (_: void, ctx) => {
          attempt++;
          events.push(`body@${ctx.ti.tryNumber}`);
          c.body(attempt);
        })();
      });
      await run(d);
      assert.deepEqual(events, c.expected);
    });
  }

  test('callbacks from DAG defaultArgs apply to every task, and a list of callbacks runs in order', async () => {
    const events: string[] = [];
    const d = dag(
      { id: 'default_callbacks', defaultArgs: { onSuccess: [(ctx) => void events.push(`first:${ctx.task.taskId}`), (ctx) => void events.push(`second:${ctx.task.taskId}`)] } },
      () => {
        new EmptyOperator({ taskId: 'a' }).then(new EmptyOperator({ taskId: 'b' }));
      },
    );
    await run(d);
    assert.deepEqual(events, ['first:a', 'second:a', 'first:b', 'second:b']);
  });

  test('a task that never runs (upstream_failed) gets no callback', async () => {
    const events: string[] = [];
    const d = dag({ id: 'no_callback' }, () => {
      task('fails', async () => {
        throw new Error('x');
      })().then(new EmptyOperator({ taskId: 'after', ...recording(events) }));
    });
    const r = await run(d);
    assert.equal(r.states.after, 'upstream_failed');
    assert.deepEqual(events, []);
  });

  test('a callback that throws is logged and does not change the task outcome', async () => {
    const d = dag({ id: 'callback_throws' }, () => {
      new EmptyOperator({
        taskId: 't',
        onSuccess: () => {
          throw new Error('alerting is down');
        },
      });
    });
    const r = await run(d);
    assert.equal(r.states.t, 'success');
    assert.ok(r.lines.some((l) => l.includes('onSuccess callback failed') && l.includes('alerting is down')));
  });
});
