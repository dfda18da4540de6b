import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TaskInstanceState } from './states.ts';
import { ALL_TRIGGER_RULES, type TriggerRule } from './trigger-rule.ts';
import { countUpstream, evaluateTriggerRule } from './trigger-rule-eval.ts';

// Parent states: S success, F failed, K skipped, U upstream_failed, R running (not finished).
const STATE: Record<string, TaskInstanceState> = { S: 'success', F: 'failed', K: 'skipped', U: 'upstream_failed', R: 'running' };
const MIXES = ['SS', 'SF', 'SK', 'SU', 'SR', 'FF', 'FK', 'FU', 'FR', 'KK', 'KU', 'KR', 'UU', 'UR', 'RR'] as const;

// Expected decision for each mix, in MIXES order: run, wait, UF (set upstream_failed), SK (set skipped).
const TABLE: Record<TriggerRule, string> = {
  all_success:                 'run UF  SK  UF  wait UF  UF  UF  UF  SK  UF  SK  UF  UF  wait',
  all_failed:                  'SK  SK  SK  SK  SK   run SK  run wait SK SK  SK  run wait wait',
  all_done:                    'run run run run wait run run run wait run run wait run wait wait',
  all_done_min_one_success:    'run run SK  run wait UF  SK  UF  wait SK  SK  SK  UF  wait wait',
  all_skipped:                 'SK  SK  SK  SK  SK   SK  SK  SK  SK  run SK  wait SK SK  wait',
  one_success:                 'run run run run run  UF  UF  UF  wait SK UF  wait UF wait wait',
  one_failed:                  'SK  run SK  run wait run run run run  SK  run wait run run wait',
  one_done:                    'run run run run run  run run run run  SK  SK  wait SK wait wait',
  none_failed:                 'run UF  run UF  wait UF  UF  UF  UF  run UF  wait UF UF  wait',
  none_failed_min_one_success: 'run UF  run UF  wait UF  UF  UF  UF  SK  UF  wait UF UF  wait',
  none_skipped:                'run run SK  run wait run SK  run wait SK  SK  SK  run wait wait',
  always:                      'run run run run run  run run run run  run run run  run run  run',
};

function decide(rule: TriggerRule, parents: TaskInstanceState[], mapIndex = -1): string {
  const d = evaluateTriggerRule({ rule, upstream: parents.length, counts: countUpstream(parents), mapIndex });
  if (d.met) return 'run';
  if (d.setState === 'upstream_failed') return 'UF';
  if (d.setState === 'skipped') return 'SK';
  if (d.setState === 'removed') return 'RM';
  return 'wait';
}

describe('trigger rules decide like Airflow for every mix of two parent states', () => {
  for (const rule of ALL_TRIGGER_RULES) {
    const expected = TABLE[rule].trim().split(/\s+/);
    test(`${rule}`, () => {
      assert.equal(expected.length, MIXES.length, `table row for ${rule} has ${expected.length} entries`);
      MIXES.forEach((mix, i) => {
        const parents = [...mix].map((c) => STATE[c]!);
        assert.equal(decide(rule, parents), expected[i], `${rule} with parents ${mix}`);
      });
    });
  }
});

describe('trigger rule edge cases', () => {
  test('a task with no upstream tasks is always runnable, whatever its rule', () => {
    for (const rule of ALL_TRIGGER_RULES) assert.equal(decide(rule, []), 'run', rule);
  });

  test('one_success runs as soon as one parent succeeded, before the others finish', () => {
    assert.equal(decide('one_success', ['success', 'running', 'queued']), 'run');
  });

  test('one_failed runs as soon as one parent failed, before the others finish', () => {
    assert.equal(decide('one_failed', ['failed', 'running', 'none']), 'run');
  });

  test('all_success marks upstream_failed early when one of many parents failed', () => {
    assert.equal(decide('all_success', ['failed', 'running', 'running', 'none']), 'UF');
  });

  test('none_failed_min_one_success after a branch: one chosen success and one skipped branch runs', () => {
    assert.equal(decide('none_failed_min_one_success', ['success', 'skipped', 'skipped']), 'run');
  });

  test('a mapped copy beyond the successful count of a mapped upstream with removed copies is removed', () => {
    const parents: TaskInstanceState[] = ['success', 'success', 'removed'];
    assert.equal(decide('all_success', parents, 2), 'RM');
    assert.equal(decide('all_success', parents, 1), 'run');
  });

  test('with flagUpstreamFailed off no state is ever set early', () => {
    const d = evaluateTriggerRule({ rule: 'all_success', upstream: 2, counts: countUpstream(['failed', 'success']), mapIndex: -1, flagUpstreamFailed: false });
    assert.equal(d.met, false);
    assert.equal('setState' in d ? d.setState : undefined, undefined);
  });

  test('the reason names the rule and the counts', () => {
    const d = evaluateTriggerRule({ rule: 'all_done', upstream: 2, counts: countUpstream(['success', 'running']), mapIndex: -1 });
    assert.equal(d.met, false);
    assert.match(!d.met ? d.reason : '', /all_done.*upstream=2 success=1/);
  });
});
