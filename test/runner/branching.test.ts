import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BranchOperator, dag, EmptyOperator, LatestOnlyOperator, ShortCircuitOperator, task, taskGroup } from '../../src/sdk/index.ts';
import { run, statesOf } from './helpers.ts';

const empty = (taskId: string, triggerRule?: 'all_done' | 'none_failed_min_one_success') => new EmptyOperator({ taskId, triggerRule });

describe('branching', () => {
  //          ┌─> left ──> left_after ──┐
  //  branch ─┤                         ├─> join (none_failed_min_one_success), strict_join (all_success)
  //          └─> right ─> right_after ─┘
  function branchDag(id: string, choose: string | string[] | null) {
    return dag({ id }, () => {
      const branch = task.branch('branch', async () => choose)();
      const left = empty('left');
      const right = empty('right');
      branch.then([left, right]);
      const leftAfter = left.then(empty('left_after'));
      const rightAfter = right.then(empty('right_after'));
      empty('join', 'none_failed_min_one_success').after(leftAfter, rightAfter);
      empty('strict_join').after(leftAfter, rightAfter);
    });
  }

  test('the unchosen branch and everything below it are skipped; a none_failed_min_one_success join runs', async () => {
    const r = await run(branchDag('branch_left', 'left'));
    assert.deepEqual(r.states, {
      branch: 'success',
      left: 'success',
      left_after: 'success',
      right: 'skipped',
      right_after: 'skipped',
      join: 'success',
      strict_join: 'skipped',
    });
    assert.equal(r.state, 'success');
    assert.equal(r.returned('branch'), 'left');
  });

  test('a branch may follow several tasks', async () => {
    const r = await run(branchDag('branch_both', ['left', 'right']));
    assert.deepEqual(statesOf(r, ['left', 'right', 'join', 'strict_join']), { left: 'success', right: 'success', join: 'success', strict_join: 'success' });
  });

  test('a branch returning nothing skips every branch, and the join too', async () => {
    const r = await run(branchDag('branch_none', null));
    assert.deepEqual(statesOf(r, ['left', 'right', 'left_after', 'right_after', 'join']), {
      left: 'skipped',
      right: 'skipped',
      left_after: 'skipped',
      right_after: 'skipped',
      join: 'skipped',
    });
  });

  test('a branch returning an id that is not directly downstream fails the branch task with a clear message', async () => {
    const r = await run(branchDag('branch_bad', 'left_after'));
    assert.equal(r.states.branch, 'failed');
    const error = r.tis.find((t) => t.taskId === 'branch')!.error!;
    assert.match(error, /branch task 'branch' chose 'left_after', which is not directly downstream of it; choose from: left, right/);
    assert.deepEqual(statesOf(r, ['left', 'right']), { left: 'upstream_failed', right: 'upstream_failed' });
    assert.equal(r.state, 'failed');
  });

  test('a branch directly upstream of the join keeps the join when the chosen task leads to it (empty branch)', async () => {
    const d = dag({ id: 'branch_empty' }, () => {
      const branch = task.branch('branch', async () => 'work')();
      const work = empty('work');
      const join = empty('join', 'none_failed_min_one_success');
      branch.then([work, join]);
      work.then(join);
    });
    const r = await run(d);
    assert.deepEqual(r.states, { branch: 'success', work: 'success', join: 'success' });
  });

  test('a branch choosing a task group runs the group and skips the other direct downstream tasks', async () => {
    const d = dag({ id: 'branch_group' }, () => {
      const branch = task.branch('branch', async () => 'grp')();
      const grp = taskGroup('grp', () => {
        empty('a').then(empty('b'));
      });
      const other = empty('other');
      branch.then([grp, other]);
    });
    const r = await run(d);
    assert.deepEqual(r.states, { branch: 'success', 'grp.a': 'success', 'grp.b': 'success', other: 'skipped' });
  });

  test('BranchOperator follows the ids its function returns', async () => {
    const d = dag({ id: 'branch_operator', params: { mode: 'slow' } }, () => {
      const branch = new BranchOperator({ taskId: 'branch', fn: (ctx) => (ctx.params.mode === 'fast' ? 'fast' : ['slow', 'audit']) });
      branch.then([empty('fast'), empty('slow'), empty('audit')]);
    });
    const slow = await run(d);
    assert.deepEqual(statesOf(slow, ['fast', 'slow', 'audit']), { fast: 'skipped', slow: 'success', audit: 'success' });
    const fast = await run(d, { conf: { mode: 'fast' } });
    assert.deepEqual(statesOf(fast, ['fast', 'slow', 'audit']), { fast: 'success', slow: 'skipped', audit: 'skipped' });
  });
});

describe('short-circuit', () => {
  // check -> direct -> after_direct (all_done) -> last
  //       -> sibling
  function shortCircuitDag(id: string, ignoreDownstreamTriggerRules: boolean | undefined, result: unknown) {
    return dag({ id }, () => {
      const check = new ShortCircuitOperator({ taskId: 'check', fn: () => result, ignoreDownstreamTriggerRules });
      const direct = empty('direct');
      const sibling = empty('sibling');
      check.then([direct, sibling]);
      direct.then(empty('after_direct', 'all_done')).then(empty('last'));
    });
  }

  test('a falsy result with ignoreDownstreamTriggerRules true skips everything downstream, even all_done tasks', async () => {
    const r = await run(shortCircuitDag('sc_ignore', true, false));
    assert.deepEqual(r.states, { check: 'success', direct: 'skipped', sibling: 'skipped', after_direct: 'skipped', last: 'skipped' });
    assert.equal(r.state, 'success');
  });

  test('ignoreDownstreamTriggerRules defaults to true', async () => {
    const r = await run(shortCircuitDag('sc_default', undefined, 0));
    assert.equal(r.states.after_direct, 'skipped');
  });

  test('a falsy result with ignoreDownstreamTriggerRules false skips direct downstream tasks only; an all_done task further down runs', async () => {
    const r = await run(shortCircuitDag('sc_respect', false, ''));
    assert.deepEqual(r.states, { check: 'success', direct: 'skipped', sibling: 'skipped', after_direct: 'success', last: 'success' });
  });

  test('a truthy result lets everything run', async () => {
    const r = await run(shortCircuitDag('sc_truthy', true, 'yes'));
    assert.deepEqual(Object.values(r.states), ['success', 'success', 'success', 'success', 'success']);
  });

  test('task.shortCircuit with a falsy result skips everything downstream', async () => {
    const d = dag({ id: 'sc_taskflow' }, () => {
      const gate = task.shortCircuit('gate', async () => false)();
      gate.then(empty('next')).then(empty('cleanup', 'all_done'));
    });
    const r = await run(d);
    assert.deepEqual(r.states, { gate: 'success', next: 'skipped', cleanup: 'skipped' });
  });
});

describe('LatestOnlyOperator', () => {
  test('in a manually triggered run, downstream tasks run', async () => {
    const d = dag({ id: 'latest_only', schedule: '@daily', startDate: '2024-01-01' }, () => {
      new LatestOnlyOperator({ taskId: 'latest_only' }).then(empty('downstream'));
    });
    const r = await run(d);
    assert.deepEqual(r.states, { latest_only: 'success', downstream: 'success' });
    assert.ok(r.lines.some((l) => l.includes('Manually triggered run: downstream tasks run.')));
  });
});
