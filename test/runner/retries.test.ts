import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { nextRetryAt } from '../../src/core/retry-delay.ts';
import { dag, EmptyOperator, FailTask, SkipTask, task } from '../../src/sdk/index.ts';
import { LOGICAL_DATE, run } from './helpers.ts';

/** A task that fails its first `failures` tries, then returns 'done'. */
function flakyDag(id: string, failures: number, retries: number) {
  const tries: number[] = [];
  const d = dag({ id }, () => {
    task({ taskId: 'flaky', retries }, async (_: void, ctx) => {
      tries.push(ctx.ti.tryNumber);
      if (tries.length <= failures) throw new Error(`failure ${tries.length}`);
      return 'done';
    })().then(new EmptyOperator({ taskId: 'after' }));
  });
  return { d, tries };
}

describe('retries', () => {
  test('a task failing twice then succeeding with retries 2 ends success on try 3', async () => {
    const { d, tries } = flakyDag('retry_ok', 2, 2);
    const r = await run(d);
    assert.equal(r.states.flaky, 'success');
    assert.equal(r.tries.flaky, 3);
    assert.deepEqual(tries, [1, 2, 3]);
    assert.equal(r.states.after, 'success');
    assert.equal(r.state, 'success');
    assert.equal(r.lines.filter((l) => l.includes('flaky up_for_retry')).length, 2);
  });

  test('the same task with retries 1 ends failed after 2 tries', async () => {
    const { d, tries } = flakyDag('retry_exhausted', 2, 1);
    const r = await run(d);
    assert.equal(r.states.flaky, 'failed');
    assert.equal(r.tries.flaky, 2);
    assert.deepEqual(tries, [1, 2]);
    assert.equal(r.states.after, 'upstream_failed');
    assert.equal(r.state, 'failed');
    assert.match(r.tis.find((t) => t.taskId === 'flaky')!.error!, /failure 2/);
  });

  test('FailTask fails the task at once, without using its retries', async () => {
    let calls = 0;
    const d = dag({ id: 'fail_task' }, () => {
      task({ taskId: 'give_up', retries: 3 }, async () => {
        calls++;
        throw new FailTask('the input is corrupt');
      })();
    });
    const r = await run(d);
    assert.equal(r.states.give_up, 'failed');
    assert.equal(calls, 1);
    assert.equal(r.tries.give_up, 1);
    assert.match(r.tis[0]!.error!, /the input is corrupt/);
  });

  test('SkipTask skips the task (without retrying) and its all_success downstream', async () => {
    let calls = 0;
    const d = dag({ id: 'skip_task' }, () => {
      task({ taskId: 'maybe', retries: 2 }, async () => {
        calls++;
        throw new SkipTask('nothing new');
      })().then(new EmptyOperator({ taskId: 'after' }));
    });
    const r = await run(d);
    assert.deepEqual(r.states, { maybe: 'skipped', after: 'skipped' });
    assert.equal(calls, 1);
    assert.equal(r.state, 'success');
    assert.ok(r.lines.some((l) => l.includes('Skipping task: nothing new')));
  });

  test('without fastRetries the next try starts no sooner than retryDelay after the failed one ended', async () => {
    const marks: number[] = [];
    const d = dag({ id: 'retry_delay' }, () => {
      task({ taskId: 'slow_retry', retries: 1, retryDelay: 1 }, async () => {
        marks.push(Date.now());
        if (marks.length === 1) throw new Error('first try fails');
      })();
    });
    const r = await run(d, { fastRetries: false });
    assert.equal(r.states.slow_retry, 'success');
    assert.equal(marks.length, 2);
    assert.ok(marks[1]! - marks[0]! >= 1000, `second try started ${marks[1]! - marks[0]!} ms after the first`);
  });

  test('exponential backoff waits what nextRetryAt says for each try', async () => {
    const startedAt: number[] = [];
    const failedAt: number[] = [];
    const options = { retries: 2, retryDelay: 0.6, retryExponentialBackoff: true };
    const d = dag({ id: 'backoff' }, () => {
      task({ taskId: 'flaky', ...options }, async () => {
        startedAt.push(Date.now());
        if (startedAt.length <= 2) {
          failedAt.push(Date.now());
          throw new Error('not yet');
        }
      })();
    });
    const r = await run(d, { fastRetries: false });
    assert.equal(r.states.flaky, 'success');
    const printed = r.lines.filter((l) => l.includes('flaky up_for_retry · next try at ')).map((l) => Date.parse(l.split('next try at ')[1]!));
    assert.equal(printed.length, 2);
    for (const tryNumber of [1, 2]) {
      // The delay nextRetryAt gives for this try, independent of when the try ended.
      const delay = nextRetryAt({ dagId: 'backoff', taskId: 'flaky', logicalDate: LOGICAL_DATE, tryNumber, endDate: new Date(0), retryDelay: 0.6, retryExponentialBackoff: true, maxRetryDelay: null }).getTime();
      const endedAt = printed[tryNumber - 1]! - delay;
      assert.ok(endedAt >= failedAt[tryNumber - 1]!, `try ${tryNumber}: the retry time is the end of the try plus ${delay} ms`);
      assert.ok(endedAt <= startedAt[tryNumber]! - delay, `try ${tryNumber}: the next try waited for it`);
    }
  });

  test('the exponential backoff delay grows with the try number and is capped by maxRetryDelay', () => {
    const at = (tryNumber: number, maxRetryDelay: number | null) =>
      nextRetryAt({ dagId: 'd', taskId: 't', logicalDate: LOGICAL_DATE, tryNumber, endDate: new Date(0), retryDelay: 10, retryExponentialBackoff: true, maxRetryDelay }).getTime() / 1000;
    const delays = [1, 2, 3, 4].map((n) => at(n, null));
    for (let i = 0; i < delays.length; i++) {
      const min = 10 * 2 ** i;
      assert.ok(delays[i]! >= min && delays[i]! < 2 * min, `try ${i + 1}: ${delays[i]} in [${min}, ${2 * min})`);
    }
    assert.equal(at(4, 15), 15);
  });
});

describe('execution timeout', () => {
  test('a try running past executionTimeout fails with a timeout message, aborts ctx.signal, and is retried while retries remain', async () => {
    const signals: boolean[] = [];
    const d = dag({ id: 'timeout' }, () => {
      task({ taskId: 'hang', executionTimeout: 1, retries: 1 }, async (_: void, ctx) => {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(resolve, 10_000);
          ctx.signal.addEventListener('abort', () => {
            clearTimeout(timer);
            signals.push(ctx.signal.aborted);
            reject(ctx.signal.reason);
          });
        });
      })();
    });
    const r = await run(d);
    assert.equal(r.states.hang, 'failed');
    assert.equal(r.tries.hang, 2);
    assert.deepEqual(signals, [true, true]);
    assert.match(r.tis[0]!.error!, /TaskTimeoutError: Timeout: the task ran longer than its execution timeout of 1s/);
    assert.equal(r.lines.filter((l) => l.includes('hang up_for_retry')).length, 1);
  });
});
