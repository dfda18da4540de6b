import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decideRun, type DecisionTask, type RunDecision, type TiView } from './run-decisions.ts';
import { RunTracker } from './run-tracker.ts';
import type { MappedSpec } from './serialized-dag.ts';
import type { TaskInstanceState } from './states.ts';
import { ALL_TRIGGER_RULES, type TriggerRule } from './trigger-rule.ts';

const NOW = new Date('2024-01-01T12:00:00Z');

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tasksFrom(spec: Array<{ id: string; up: string[]; rule: TriggerRule; mapped?: MappedSpec }>): DecisionTask[] {
  return spec.map((s) => ({
    taskId: s.id,
    upstream: s.up,
    downstream: spec.filter((o) => o.up.includes(s.id)).map((o) => o.id),
    triggerRule: s.rule,
    mapped: s.mapped ?? null,
  }));
}

/** A random DAG in topological order: each task depends on a few earlier ones; some are mapped. */
function randomDag(rand: () => number): DecisionTask[] {
  const n = 2 + Math.floor(rand() * 9);
  const spec: Array<{ id: string; up: string[]; rule: TriggerRule; mapped?: MappedSpec }> = [];
  for (let i = 0; i < n; i++) {
    const up = spec.filter(() => rand() < 0.35).map((s) => s.id);
    const rule = rand() < 0.5 ? 'all_success' : ALL_TRIGGER_RULES[Math.floor(rand() * ALL_TRIGGER_RULES.length)]!;
    let mapped: MappedSpec | undefined;
    const r = rand();
    if (r < 0.12) mapped = { mode: 'expand', maxMapLength: 3, sources: [{ key: 'x', source: { kind: 'literal', length: Math.floor(rand() * 3) } }] };
    else if (r < 0.25 && up.length) {
      const producer = up[Math.floor(rand() * up.length)]!;
      mapped = { mode: 'expand', maxMapLength: 3, sources: [{ key: 'x', source: { kind: 'xcom', taskId: producer, xcomKey: 'return_value' } }] };
    }
    spec.push({ id: `t${i}`, up, rule, mapped });
  }
  return tasksFrom(spec);
}

const RESULTS: TaskInstanceState[] = ['success', 'success', 'success', 'failed', 'skipped', 'up_for_retry', 'removed'];

/**
 * Drives a run both ways: decideRun on the whole state (the reference) and a RunTracker fed the
 * same changes. After each decision, ready TIs become scheduled in both; then a random active TI
 * gets a result, or a random TI is cleared back to none, or time passes.
 */
function compareOnRandomHistory(seed: number): void {
  const rand = prng(seed);
  const tasks = randomDag(rand);
  const lengths = new Map(tasks.map((t) => [t.taskId, Math.floor(rand() * 4)]));
  const mapLength = (taskId: string) => lengths.get(taskId);
  let truth: TiView[] = tasks.map((t) => ({ taskId: t.taskId, mapIndex: -1, state: 'none', nextTryAt: null }));
  const tracker = new RunTracker(tasks, truth);
  let now = NOW;
  for (let step = 0; step < 40; step++) {
    const expected = decideRun({ tasks, tis: truth, mapLength, now });
    const actual = tracker.decide(now, mapLength);
    const where = `seed ${seed}, step ${step}, DAG ${JSON.stringify(tasks.map((t) => [t.taskId, t.upstream, t.triggerRule, t.mapped?.sources[0]?.source]))}`;
    assert.deepEqual(summary(actual), summary(expected), where);
    truth = applyDecision(truth, expected);
    for (const r of expected.ready) {
      tracker.update(r.taskId, r.mapIndex, 'scheduled');
    }
    if (expected.runState !== 'running') return;

    const roll = rand();
    if (roll < 0.75) {
      const active = truth.filter((t) => t.state === 'scheduled');
      if (!active.length) {
        now = new Date(now.getTime() + 60_000);
        continue;
      }
      const ti = active[Math.floor(rand() * active.length)]!;
      const to = RESULTS[Math.floor(rand() * RESULTS.length)]!;
      const nextTryAt = to === 'up_for_retry' ? new Date(now.getTime() + Math.floor(rand() * 3) * 30_000) : null;
      ti.state = to;
      ti.nextTryAt = nextTryAt;
      assert.ok(tracker.update(ti.taskId, ti.mapIndex, to, nextTryAt));
    } else if (roll < 0.85) {
      const ti = truth[Math.floor(rand() * truth.length)]!;
      ti.state = 'none';
      ti.nextTryAt = null;
      assert.ok(tracker.update(ti.taskId, ti.mapIndex, 'none'));
    } else {
      now = new Date(now.getTime() + 45_000);
    }
  }
}

function summary(d: RunDecision) {
  return {
    changes: d.changes.map((c) => `${c.taskId}[${c.mapIndex}]:${c.from}->${c.to}`),
    expansions: d.expansions.map((e) => `${e.taskId}x${e.length}`),
    ready: d.ready.map((r) => `${r.taskId}[${r.mapIndex}]`),
    runState: d.runState,
    deadlock: d.deadlock,
    nextWakeAt: d.nextWakeAt?.toISOString() ?? null,
  };
}

/** The TI list after a decision: expansions replace the unexpanded TI, changes apply, ready TIs are scheduled. */
function applyDecision(tis: TiView[], d: RunDecision): TiView[] {
  let out = tis.map((t) => ({ ...t }));
  for (const e of d.expansions) {
    out = out.filter((t) => t.taskId !== e.taskId);
    for (let i = 0; i < e.length; i++) out.push({ taskId: e.taskId, mapIndex: i, state: 'none', nextTryAt: null });
  }
  const find = (taskId: string, mapIndex: number) => out.find((t) => t.taskId === taskId && t.mapIndex === mapIndex)!;
  for (const c of d.changes) find(c.taskId, c.mapIndex).state = c.to;
  for (const r of d.ready) find(r.taskId, r.mapIndex).state = 'scheduled';
  return out;
}

describe('RunTracker decides as decideRun does on the whole run', () => {
  test('on 400 random DAGs (every trigger rule, mapped tasks) and random histories of results, clears and time', () => {
    for (let seed = 1; seed <= 400; seed++) compareOnRandomHistory(seed);
  });
});

describe('RunTracker re-evaluates only what a change affects', () => {
  const fan = tasksFrom([
    { id: 'start', up: [], rule: 'all_success' },
    ...Array.from({ length: 1000 }, (_, i) => ({ id: `t${i}`, up: ['start'], rule: 'all_success' as const })),
    { id: 'join', up: Array.from({ length: 1000 }, (_, i) => `t${i}`), rule: 'all_success' },
  ]);
  const initial = (): TiView[] => fan.map((t) => ({ taskId: t.taskId, mapIndex: -1, state: 'none', nextTryAt: null }));

  test('a fan-out of 1,000 becomes ready when its start succeeds, and the join only when the last one does', () => {
    const tracker = new RunTracker(fan, initial());
    assert.deepEqual(tracker.decide(NOW).ready, [{ taskId: 'start', mapIndex: -1 }]);
    tracker.update('start', -1, 'scheduled');
    tracker.update('start', -1, 'success');
    const middle = tracker.decide(NOW);
    assert.equal(middle.ready.length, 1000);
    for (const r of middle.ready) tracker.update(r.taskId, r.mapIndex, 'scheduled');
    for (let i = 0; i < 999; i++) {
      tracker.update(`t${i}`, -1, 'success');
      const d = tracker.decide(NOW);
      assert.deepEqual(d.ready, [], `after t${i}`);
      assert.equal(d.runState, 'running');
    }
    tracker.update('t999', -1, 'success');
    assert.deepEqual(tracker.decide(NOW).ready, [{ taskId: 'join', mapIndex: -1 }]);
    tracker.update('join', -1, 'scheduled');
    tracker.update('join', -1, 'success');
    assert.equal(tracker.decide(NOW).runState, 'success');
  });

  test('one failure in the fan-out settles the join as upstream_failed at once, and the run fails when the rest finish', () => {
    const tracker = new RunTracker(fan, initial());
    tracker.decide(NOW);
    tracker.update('start', -1, 'success');
    for (const r of tracker.decide(NOW).ready) tracker.update(r.taskId, r.mapIndex, 'scheduled');
    tracker.update('t5', -1, 'failed');
    const d = tracker.decide(NOW);
    assert.deepEqual(d.changes.map((c) => `${c.taskId}:${c.from}->${c.to}`), ['join:none->upstream_failed']);
    assert.equal(d.runState, 'running');
    for (let i = 0; i < 1000; i++) if (i !== 5) tracker.update(`t${i}`, -1, 'success');
    assert.equal(tracker.decide(NOW).runState, 'failed');
  });

  test('update() of a TI the run does not have returns false', () => {
    const tracker = new RunTracker(fan, initial());
    assert.equal(tracker.update('nope', -1, 'success'), false);
    assert.equal(tracker.update('start', 3, 'success'), false);
    assert.equal(tracker.size, 1002);
  });

  test('a retry not yet due sets the wake-up time, and the TI is ready once it is due', () => {
    const tasks = tasksFrom([{ id: 'a', up: [], rule: 'all_success' }]);
    const tracker = new RunTracker(tasks, [{ taskId: 'a', mapIndex: -1, state: 'none', nextTryAt: null }]);
    tracker.decide(NOW);
    const due = new Date(NOW.getTime() + 300_000);
    tracker.update('a', -1, 'up_for_retry', due);
    const before = tracker.decide(NOW);
    assert.deepEqual(before.ready, []);
    assert.equal(before.nextWakeAt?.toISOString(), due.toISOString());
    assert.deepEqual(tracker.decide(due).ready, [{ taskId: 'a', mapIndex: -1 }]);
  });

  test('an upstream list of 3 expands a mapped task into 3 ready copies', () => {
    const tasks = tasksFrom([
      { id: 'make', up: [], rule: 'all_success' },
      { id: 'each', up: ['make'], rule: 'all_success', mapped: { mode: 'expand', maxMapLength: 10, sources: [{ key: 'x', source: { kind: 'xcom', taskId: 'make', xcomKey: 'return_value' } }] } },
      { id: 'sum', up: ['each'], rule: 'all_success' },
    ]);
    const tracker = new RunTracker(tasks, tasks.map((t) => ({ taskId: t.taskId, mapIndex: -1, state: 'none', nextTryAt: null })));
    tracker.decide(NOW);
    tracker.update('make', -1, 'success');
    assert.deepEqual(tracker.mapSourcesNeeded(), [{ taskId: 'make', xcomKey: 'return_value' }]);
    const d = tracker.decide(NOW, () => 3);
    assert.deepEqual(d.expansions, [{ taskId: 'each', length: 3 }]);
    assert.deepEqual(d.ready.map((r) => r.mapIndex), [0, 1, 2]);
    assert.equal(tracker.size, 5);
  });
});
