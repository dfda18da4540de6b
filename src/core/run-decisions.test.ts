import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideRun, type DecideInput, type DecisionTask, type RunDecision, type TiView } from './run-decisions.ts';
import type { MappedSpec } from './serialized-dag.ts';
import type { TaskInstanceState } from './states.ts';
import type { TriggerRule } from './trigger-rule.ts';

const NOW = new Date('2024-01-01T12:00:00Z');

interface TaskSpec {
  up?: string[];
  rule?: TriggerRule;
  mapped?: MappedSpec;
}

/** Tasks in the order given (which must be topological); downstream lists are derived. */
function tasks(spec: Record<string, TaskSpec>): DecisionTask[] {
  const ids = Object.keys(spec);
  return ids.map((id) => ({
    taskId: id,
    upstream: spec[id]!.up ?? [],
    downstream: ids.filter((other) => (spec[other]!.up ?? []).includes(id)),
    triggerRule: spec[id]!.rule ?? 'all_success',
    mapped: spec[id]!.mapped ?? null,
  }));
}

/** One unmapped TI per entry: `{ a: 'success' }`; `a[1]` names map index 1. */
function tis(states: Record<string, TaskInstanceState>, nextTryAt: Record<string, Date> = {}): TiView[] {
  return Object.entries(states).map(([key, state]) => {
    const m = /^(.+)\[(\d+)\]$/.exec(key);
    return { taskId: m ? m[1]! : key, mapIndex: m ? Number(m[2]) : -1, state, nextTryAt: nextTryAt[key] ?? null };
  });
}

function decide(input: Partial<DecideInput> & Pick<DecideInput, 'tasks' | 'tis'>): RunDecision {
  return decideRun({ mapLength: () => undefined, now: NOW, ...input });
}

function changesOf(d: RunDecision): string[] {
  return d.changes.map((c) => `${c.taskId}${c.mapIndex >= 0 ? `[${c.mapIndex}]` : ''}:${c.from}->${c.to}`);
}

function readyOf(d: RunDecision): string[] {
  return d.ready.map((r) => (r.mapIndex >= 0 ? `${r.taskId}[${r.mapIndex}]` : r.taskId));
}

const literal = (length: number, maxMapLength = 1024): MappedSpec => ({ mode: 'expand', maxMapLength, sources: [{ key: 'x', source: { kind: 'literal', length } }] });
const fromXCom = (taskId: string, maxMapLength = 1024): MappedSpec => ({
  mode: 'expand',
  maxMapLength,
  sources: [{ key: 'x', source: { kind: 'xcom', taskId, xcomKey: 'return_value' } }],
});

describe('decideRun: trigger rules settle whole chains in one decision', () => {
  test('a failure cascades upstream_failed through the whole chain below it at once', () => {
    const d = decide({
      tasks: tasks({ a: {}, b: { up: ['a'] }, c: { up: ['b'] }, d: { up: ['c'] } }),
      tis: tis({ a: 'failed', b: 'none', c: 'none', d: 'none' }),
    });
    assert.deepEqual(changesOf(d), ['b:none->upstream_failed', 'c:none->upstream_failed', 'd:none->upstream_failed']);
    assert.equal(d.runState, 'failed');
    assert.equal(d.deadlock, false);
  });

  test('a skip propagates through all_success tasks and the run succeeds', () => {
    const d = decide({
      tasks: tasks({ a: {}, b: { up: ['a'] }, c: { up: ['b'] } }),
      tis: tis({ a: 'skipped', b: 'none', c: 'none' }),
    });
    assert.deepEqual(changesOf(d), ['b:none->skipped', 'c:none->skipped']);
    assert.equal(d.runState, 'success');
  });

  test('after a branch, a none_failed_min_one_success join runs when one branch succeeded and the other was skipped', () => {
    const d = decide({
      tasks: tasks({
        branch: {},
        left: { up: ['branch'] },
        right: { up: ['branch'] },
        right2: { up: ['right'] },
        join: { up: ['left', 'right2'], rule: 'none_failed_min_one_success' },
      }),
      tis: tis({ branch: 'success', left: 'success', right: 'skipped', right2: 'none', join: 'none' }),
    });
    assert.deepEqual(changesOf(d), ['right2:none->skipped']);
    assert.deepEqual(readyOf(d), ['join']);
    assert.equal(d.runState, 'running');
  });

  test('an all_success join after the same branch is skipped instead', () => {
    const d = decide({
      tasks: tasks({ branch: {}, left: { up: ['branch'] }, right: { up: ['branch'] }, join: { up: ['left', 'right'] } }),
      tis: tis({ branch: 'success', left: 'success', right: 'skipped', join: 'none' }),
    });
    assert.deepEqual(changesOf(d), ['join:none->skipped']);
    assert.deepEqual(readyOf(d), []);
  });

  test('tasks whose upstream tasks are done are ready, in topological order', () => {
    const d = decide({
      tasks: tasks({ a: {}, b: { up: ['a'] }, c: { up: ['a'] }, d: { up: ['b', 'c'] } }),
      tis: tis({ a: 'success', b: 'none', c: 'none', d: 'none' }),
    });
    assert.deepEqual(readyOf(d), ['b', 'c']);
    assert.deepEqual(d.changes, []);
  });
});

describe('decideRun: the run state', () => {
  const chain3 = tasks({ a: {}, b: { up: ['a'] }, leaf1: { up: ['b'] }, leaf2: { up: ['a'], rule: 'all_done' } });
  const cases: Array<{ name: string; states: Record<string, TaskInstanceState>; runState: RunDecision['runState'] }> = [
    { name: 'every leaf succeeded', states: { a: 'success', b: 'success', leaf1: 'success', leaf2: 'success' }, runState: 'success' },
    { name: 'leaves succeeded or were skipped', states: { a: 'success', b: 'skipped', leaf1: 'skipped', leaf2: 'success' }, runState: 'success' },
    { name: 'a non-leaf failed but every leaf succeeded', states: { a: 'success', b: 'failed', leaf1: 'success', leaf2: 'success' }, runState: 'success' },
    { name: 'a leaf failed', states: { a: 'success', b: 'success', leaf1: 'failed', leaf2: 'success' }, runState: 'failed' },
    { name: 'a leaf is upstream_failed', states: { a: 'success', b: 'failed', leaf1: 'upstream_failed', leaf2: 'success' }, runState: 'failed' },
    { name: 'a task is still running', states: { a: 'success', b: 'running', leaf1: 'none', leaf2: 'success' }, runState: 'running' },
    { name: 'a task waits for a retry', states: { a: 'success', b: 'up_for_retry', leaf1: 'none', leaf2: 'success' }, runState: 'running' },
    { name: 'a task is queued', states: { a: 'success', b: 'success', leaf1: 'queued', leaf2: 'success' }, runState: 'running' },
  ];
  for (const c of cases) {
    test(`is ${c.runState} when ${c.name}`, () => {
      const d = decide({ tasks: chain3, tis: tis(c.states) });
      assert.equal(d.runState, c.runState);
      assert.equal(d.deadlock, false);
    });
  }

  test('a removed leaf does not count towards the run state', () => {
    const d = decide({ tasks: tasks({ a: {}, gone: { up: ['a'] } }), tis: tis({ a: 'success', gone: 'removed' }) });
    assert.equal(d.runState, 'success');
  });
});

describe('decideRun: deadlock', () => {
  test('a run where unfinished tasks can never become ready fails as deadlocked', () => {
    // all_success never settles on a removed (unmapped) upstream: nothing can move.
    const d = decide({
      tasks: tasks({ gone: {}, stuck: { up: ['gone'] } }),
      tis: tis({ gone: 'removed', stuck: 'none' }),
    });
    assert.deepEqual(readyOf(d), []);
    assert.deepEqual(d.changes, []);
    assert.equal(d.deadlock, true);
    assert.equal(d.runState, 'failed');
  });

  test('a run with a running task is not deadlocked even when nothing is ready', () => {
    const d = decide({ tasks: tasks({ a: {}, b: { up: ['a'] } }), tis: tis({ a: 'running', b: 'none' }) });
    assert.deepEqual(readyOf(d), []);
    assert.equal(d.deadlock, false);
    assert.equal(d.runState, 'running');
  });
});

describe('decideRun: retries', () => {
  const later = new Date(NOW.getTime() + 30_000);
  const sooner = new Date(NOW.getTime() + 10_000);

  test('an up_for_retry task is not ready before its nextTryAt, and nextWakeAt reports the earliest one', () => {
    const d = decide({
      tasks: tasks({ a: {}, b: {} }),
      tis: tis({ a: 'up_for_retry', b: 'up_for_retry' }, { a: later, b: sooner }),
    });
    assert.deepEqual(readyOf(d), []);
    assert.deepEqual(d.nextWakeAt, sooner);
    assert.equal(d.runState, 'running');
    assert.equal(d.deadlock, false);
  });

  test('an up_for_retry task is ready once nextTryAt has passed', () => {
    const d = decide({ tasks: tasks({ a: {} }), tis: tis({ a: 'up_for_retry' }, { a: later }), now: new Date(later.getTime() + 1) });
    assert.deepEqual(readyOf(d), ['a']);
    assert.equal(d.nextWakeAt, null);
  });

  test('an up_for_retry task with no nextTryAt is ready at once', () => {
    const d = decide({ tasks: tasks({ a: {} }), tis: tis({ a: 'up_for_retry' }) });
    assert.deepEqual(readyOf(d), ['a']);
  });
});

describe('decideRun: mapped tasks', () => {
  test('a task mapped over a literal list expands at once and every copy is ready', () => {
    const d = decide({ tasks: tasks({ m: { mapped: literal(3) } }), tis: tis({ m: 'none' }) });
    assert.deepEqual(d.expansions, [{ taskId: 'm', length: 3 }]);
    assert.deepEqual(readyOf(d), ['m[0]', 'm[1]', 'm[2]']);
  });

  test('a task mapped over an upstream output waits for it, then expands to the length of its list', () => {
    const t = tasks({ produce: {}, m: { up: ['produce'], mapped: fromXCom('produce') } });
    const asked: string[] = [];
    const mapLength = (taskId: string, key: string) => {
      asked.push(`${taskId}/${key}`);
      return 4;
    };
    const before = decide({ tasks: t, tis: tis({ produce: 'running', m: 'none' }), mapLength });
    assert.deepEqual(before.expansions, []);
    assert.deepEqual(readyOf(before), []);

    const after = decide({ tasks: t, tis: tis({ produce: 'success', m: 'none' }), mapLength });
    assert.deepEqual(after.expansions, [{ taskId: 'm', length: 4 }]);
    assert.deepEqual(readyOf(after), ['m[0]', 'm[1]', 'm[2]', 'm[3]']);
    assert.deepEqual(asked, ['produce/return_value']);
  });

  test('a task mapped over the outputs of a mapped upstream gets one copy per upstream copy', () => {
    const d = decide({
      tasks: tasks({ first: { mapped: literal(2) }, second: { up: ['first'], mapped: fromXCom('first') } }),
      tis: tis({ 'first[0]': 'success', 'first[1]': 'success', second: 'none' }),
    });
    assert.deepEqual(d.expansions, [{ taskId: 'second', length: 2 }]);
  });

  test('the cross product of two sources multiplies their lengths', () => {
    const mapped: MappedSpec = {
      mode: 'expand',
      maxMapLength: 1024,
      sources: [
        { key: 'x', source: { kind: 'literal', length: 2 } },
        { key: 'y', source: { kind: 'xcom', taskId: 'produce', xcomKey: 'ys' } },
      ],
    };
    const d = decide({ tasks: tasks({ produce: {}, m: { up: ['produce'], mapped } }), tis: tis({ produce: 'success', m: 'none' }), mapLength: () => 3 });
    assert.deepEqual(d.expansions, [{ taskId: 'm', length: 6 }]);
  });

  test('a task mapped over an empty list is skipped, and so is its all_success downstream', () => {
    const d = decide({
      tasks: tasks({ produce: {}, m: { up: ['produce'], mapped: fromXCom('produce') }, after: { up: ['m'] } }),
      tis: tis({ produce: 'success', m: 'none', after: 'none' }),
      mapLength: () => 0,
    });
    assert.deepEqual(d.expansions, []);
    assert.deepEqual(changesOf(d), ['m:none->skipped', 'after:none->skipped']);
    assert.equal(d.runState, 'success');
  });

  test('a task that would expand past maxMapLength fails, and its downstream is upstream_failed', () => {
    const d = decide({
      tasks: tasks({ produce: {}, m: { up: ['produce'], mapped: fromXCom('produce', 5) }, after: { up: ['m'] } }),
      tis: tis({ produce: 'success', m: 'none', after: 'none' }),
      mapLength: () => 6,
    });
    assert.deepEqual(d.expansions, []);
    assert.deepEqual(changesOf(d), ['m:none->failed', 'after:none->upstream_failed']);
    assert.match(d.changes[0]!.reason, /6 copies, more than maxMapLength 5/);
    assert.equal(d.runState, 'failed');
  });

  test('a task mapped over a failed upstream is upstream_failed and never expands', () => {
    const d = decide({
      tasks: tasks({ produce: {}, m: { up: ['produce'], mapped: fromXCom('produce') } }),
      tis: tis({ produce: 'failed', m: 'none' }),
      mapLength: () => 3,
    });
    assert.deepEqual(d.expansions, []);
    assert.deepEqual(changesOf(d), ['m:none->upstream_failed']);
  });

  test('a mapped task whose trigger rule is met but whose upstream list was never produced is upstream_failed', () => {
    const t = tasks({ produce: {}, m: { up: ['produce'], rule: 'all_done', mapped: fromXCom('produce') }, cleanup: { up: ['m'], rule: 'all_done' } });
    const failed = decide({ tasks: t, tis: tis({ produce: 'failed', m: 'none', cleanup: 'none' }), mapLength: () => 3 });
    assert.deepEqual(changesOf(failed), ['m:none->upstream_failed']);
    assert.deepEqual(readyOf(failed), ['cleanup']);
    assert.equal(failed.deadlock, false);

    const noLength = decide({ tasks: t, tis: tis({ produce: 'success', m: 'none', cleanup: 'none' }), mapLength: () => undefined });
    assert.deepEqual(changesOf(noLength), ['m:none->upstream_failed']);
  });

  test('a mapped task with a met trigger rule keeps waiting while its list producer runs', () => {
    const d = decide({
      tasks: tasks({ other: {}, produce: {}, m: { up: ['other', 'produce'], rule: 'one_success', mapped: fromXCom('produce') } }),
      tis: tis({ other: 'success', produce: 'running', m: 'none' }),
    });
    assert.deepEqual(d.changes, []);
    assert.deepEqual(readyOf(d), []);
    assert.equal(d.runState, 'running');
  });

  test('the downstream of a mapped task waits until every copy has finished', () => {
    const t = tasks({ m: { mapped: literal(3) }, reduce: { up: ['m'] } });
    const partly = decide({ tasks: t, tis: tis({ 'm[0]': 'success', 'm[1]': 'running', 'm[2]': 'success', reduce: 'none' }) });
    assert.deepEqual(readyOf(partly), []);
    assert.deepEqual(partly.changes, []);
    const done = decide({ tasks: t, tis: tis({ 'm[0]': 'success', 'm[1]': 'success', 'm[2]': 'success', reduce: 'none' }) });
    assert.deepEqual(readyOf(done), ['reduce']);
  });

  test('the downstream of an unexpanded mapped task waits for the expansion', () => {
    const d = decide({
      tasks: tasks({ produce: {}, m: { up: ['produce'], mapped: fromXCom('produce') }, reduce: { up: ['m'] } }),
      tis: tis({ produce: 'running', m: 'none', reduce: 'none' }),
    });
    assert.deepEqual(readyOf(d), []);
    assert.deepEqual(d.changes, []);
  });

  test('one failed copy makes the all_success downstream upstream_failed', () => {
    const d = decide({
      tasks: tasks({ m: { mapped: literal(3) }, reduce: { up: ['m'] } }),
      tis: tis({ 'm[0]': 'success', 'm[1]': 'failed', 'm[2]': 'success', reduce: 'none' }),
    });
    assert.deepEqual(changesOf(d), ['reduce:none->upstream_failed']);
  });
});
