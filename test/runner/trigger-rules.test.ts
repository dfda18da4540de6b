import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TaskInstanceState } from '../../src/core/states.ts';
import type { TriggerRule } from '../../src/core/trigger-rule.ts';
import { dag, EmptyOperator, SkipTask, task, type TaskOutput } from '../../src/sdk/index.ts';
import { run } from './helpers.ts';

// Upstream tasks: ok* succeed, bad* fail, skip* skip.
type Parent = 'ok1' | 'ok2' | 'bad1' | 'bad2' | 'skip1' | 'skip2';

const CASES: Array<{ rule: TriggerRule; parents: Parent[]; expected: TaskInstanceState }> = [
  { rule: 'all_success', parents: ['ok1', 'ok2'], expected: 'success' },
  { rule: 'all_success', parents: ['ok1', 'bad1'], expected: 'upstream_failed' },
  { rule: 'all_success', parents: ['ok1', 'skip1'], expected: 'skipped' },
  { rule: 'all_failed', parents: ['bad1', 'bad2'], expected: 'success' },
  { rule: 'all_failed', parents: ['bad1', 'ok1'], expected: 'skipped' },
  { rule: 'all_done', parents: ['ok1', 'bad1', 'skip1'], expected: 'success' },
  { rule: 'all_done_min_one_success', parents: ['ok1', 'bad1'], expected: 'success' },
  { rule: 'all_done_min_one_success', parents: ['bad1', 'bad2'], expected: 'upstream_failed' },
  { rule: 'all_skipped', parents: ['skip1', 'skip2'], expected: 'success' },
  { rule: 'all_skipped', parents: ['skip1', 'ok1'], expected: 'skipped' },
  { rule: 'one_success', parents: ['ok1', 'bad1'], expected: 'success' },
  { rule: 'one_success', parents: ['bad1', 'bad2'], expected: 'upstream_failed' },
  { rule: 'one_success', parents: ['skip1', 'skip2'], expected: 'skipped' },
  { rule: 'one_failed', parents: ['ok1', 'bad1'], expected: 'success' },
  { rule: 'one_failed', parents: ['ok1', 'ok2'], expected: 'skipped' },
  { rule: 'one_done', parents: ['bad1', 'skip1'], expected: 'success' },
  { rule: 'one_done', parents: ['skip1', 'skip2'], expected: 'skipped' },
  { rule: 'none_failed', parents: ['ok1', 'skip1'], expected: 'success' },
  { rule: 'none_failed', parents: ['ok1', 'bad1'], expected: 'upstream_failed' },
  { rule: 'none_failed_min_one_success', parents: ['ok1', 'skip1'], expected: 'success' },
  { rule: 'none_failed_min_one_success', parents: ['skip1', 'skip2'], expected: 'skipped' },
  { rule: 'none_failed_min_one_success', parents: ['ok1', 'bad1'], expected: 'upstream_failed' },
  { rule: 'none_skipped', parents: ['ok1', 'bad1'], expected: 'success' },
  { rule: 'none_skipped', parents: ['ok1', 'skip1'], expected: 'skipped' },
  { rule: 'always', parents: ['bad1', 'skip1'], expected: 'success' },
];

const caseId = (c: (typeof CASES)[number]) => `${c.rule}__${c.parents.join('_')}`;

describe('trigger rules end to end (runDagLocally)', () => {
  test('every rule gives the Airflow outcome for its upstream successes, failures and skips', async () => {
    const ran: string[] = [];
    const d = dag({ id: 'trigger_rules' }, () => {
      const parents: Record<Parent, TaskOutput<unknown>> = {
        ok1: task('ok1', async () => 'ok')(),
        ok2: task('ok2', async () => 'ok')(),
        bad1: task('bad1', async () => { throw new Error('boom'); })(),
        bad2: task('bad2', async () => { throw new Error('boom'); })(),
        skip1: task('skip1', async () => { throw new SkipTask('not today'); })(),
        skip2: task('skip2', async () => { throw new SkipTask('not today'); })(),
      };
      for (const c of CASES) {
        const id = caseId(c);
        task({ taskId: id, triggerRule: c.rule }, async () => {
          ran.push(id);
        })().after(...c.parents.map((p) => parents[p]));
      }
    });
    const r = await run(d);
    const actual = Object.fromEntries(CASES.map((c) => [caseId(c), r.states[caseId(c)]]));
    const expected = Object.fromEntries(CASES.map((c) => [caseId(c), c.expected]));
    assert.deepEqual(actual, expected);
    assert.deepEqual(ran.sort(), CASES.filter((c) => c.expected === 'success').map(caseId).sort(), 'exactly the tasks marked success ran');
    assert.deepEqual([r.states.ok1, r.states.bad1, r.states.skip1], ['success', 'failed', 'skipped']);
  });

  test('an always task runs after an upstream_failed chain, and a successful leaf makes the run succeed', async () => {
    const d = dag({ id: 'always_after_failure' }, () => {
      const fail = task('fail', async () => { throw new Error('boom'); })();
      const middle = new EmptyOperator({ taskId: 'middle' });
      const cleanup = new EmptyOperator({ taskId: 'cleanup', triggerRule: 'always' });
      fail.then(middle).then(cleanup);
    });
    const r = await run(d);
    assert.deepEqual(r.states, { fail: 'failed', middle: 'upstream_failed', cleanup: 'success' });
    assert.equal(r.state, 'success');
  });

  test('a run whose leaf failed is failed', async () => {
    const d = dag({ id: 'leaf_fails' }, () => {
      new EmptyOperator({ taskId: 'first' }).then(new EmptyOperator({ taskId: 'second' })).then(task('last', async () => { throw new Error('no'); })());
    });
    const r = await run(d);
    assert.equal(r.state, 'failed');
    assert.equal(r.states.last, 'failed');
  });

  test('a one_failed alerting task runs as soon as a parent failed, without waiting for the others', async () => {
    const order: string[] = [];
    const d = dag({ id: 'one_failed_early' }, () => {
      const fails = task({ taskId: 'fails', priorityWeight: 100, weightRule: 'absolute' }, async () => {
        order.push('fails');
        throw new Error('boom');
      })();
      const slow = task({ taskId: 'slow', priorityWeight: 1, weightRule: 'absolute' }, async () => {
        order.push('slow');
      })();
      const alert = task({ taskId: 'alert', triggerRule: 'one_failed', priorityWeight: 50, weightRule: 'absolute' }, async () => {
        order.push('alert');
      })();
      alert.after(fails, slow);
    });
    const r = await run(d);
    assert.equal(r.states.alert, 'success');
    assert.deepEqual(order, ['fails', 'alert', 'slow']);
  });
});
