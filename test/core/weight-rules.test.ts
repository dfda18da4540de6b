import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { priorityWeights } from '../../src/core/weight-rules.ts';
import type { WeightedTask } from '../../src/core/weight-rules.ts';
import type { WeightRule } from '../../src/core/trigger-rule.ts';

/** Builds tasks from "a>b" edges; every task has weight 1 unless `weights` says otherwise. */
function dag(edges: string[], rule: WeightRule, weights: Record<string, number> = {}, ids: string[] = []): WeightedTask[] {
  const tasks = new Map<string, WeightedTask>();
  const get = (id: string) => {
    if (!tasks.has(id)) tasks.set(id, { taskId: id, upstream: [], downstream: [], priorityWeight: weights[id] ?? 1, weightRule: rule });
    return tasks.get(id)!;
  };
  ids.forEach(get);
  for (const e of edges) {
    const [a, b] = e.split('>');
    get(a).downstream.push(b);
    get(b).upstream.push(a);
  }
  return [...tasks.values()];
}

const asObject = (m: Map<string, number>) => Object.fromEntries([...m].sort(([a], [b]) => a.localeCompare(b)));

describe('priorityWeights', () => {
  const cases: Array<[string, WeightedTask[], Record<string, number>]> = [
    ['downstream sums a chain from the end', dag(['a>b', 'b>c'], 'downstream'), { a: 3, b: 2, c: 1 }],
    ['upstream sums a chain from the start', dag(['a>b', 'b>c'], 'upstream'), { a: 1, b: 2, c: 3 }],
    ['absolute keeps each own weight', dag(['a>b', 'b>c'], 'absolute', { a: 5, b: 7 }), { a: 5, b: 7, c: 1 }],
    ['a diamond counts the shared descendant once', dag(['a>b', 'a>c', 'b>d', 'c>d'], 'downstream'), { a: 4, b: 2, c: 2, d: 1 }],
    ['a diamond counts the shared ancestor once', dag(['a>b', 'a>c', 'b>d', 'c>d'], 'upstream'), { a: 1, b: 2, c: 2, d: 4 }],
    ['own weights are summed, not counted', dag(['a>b', 'b>c'], 'downstream', { a: 10, b: 20, c: 30 }), { a: 60, b: 50, c: 30 }],
    ['negative weights are allowed', dag(['a>b'], 'downstream', { a: 1, b: -5 }), { a: -4, b: -5 }],
    ['isolated tasks keep their own weight', dag([], 'downstream', {}, ['x', 'y']), { x: 1, y: 1 }],
    ['totals are clamped to a 32-bit integer', dag(['a>b'], 'downstream', { a: 2147483647, b: 5 }), { a: 2147483647, b: 5 }],
  ];
  for (const [name, tasks, expected] of cases) {
    test(name, () => assert.deepEqual(asObject(priorityWeights(tasks)), expected));
  }

  test('rules are applied per task in a mixed DAG', () => {
    const tasks = dag(['a>b', 'b>c'], 'downstream');
    tasks[1].weightRule = 'upstream';
    tasks[2].weightRule = 'absolute';
    assert.deepEqual(asObject(priorityWeights(tasks)), { a: 3, b: 2, c: 1 });
  });

  test('an edge listed on only one side still counts', () => {
    const tasks: WeightedTask[] = [
      { taskId: 'a', upstream: [], downstream: [], priorityWeight: 1, weightRule: 'downstream' },
      { taskId: 'b', upstream: ['a'], downstream: [], priorityWeight: 2, weightRule: 'downstream' },
    ];
    assert.equal(priorityWeights(tasks).get('a'), 3);
  });

  const errors: Array<[string, WeightedTask[], RegExp]> = [
    ['an unknown task id', [{ taskId: 'a', upstream: [], downstream: ['zz'], priorityWeight: 1, weightRule: 'downstream' }], /'a' lists downstream task 'zz', which is not in the DAG/],
    ['a cycle', dag(['a>b', 'b>a'], 'downstream'), /cycle through task\(s\) 'a', 'b'/],
    ['a duplicate id', [...dag([], 'absolute', {}, ['a']), ...dag([], 'absolute', {}, ['a'])], /'a' appears twice/],
  ];
  for (const [name, tasks, message] of errors) {
    test(`rejects ${name}`, () => assert.throws(() => priorityWeights(tasks), message));
  }

  // CPU time of this process, not wall time: other processes on a busy machine do not count.
  const cpuMs = (since: NodeJS.CpuUsage) => {
    const d = process.cpuUsage(since);
    return (d.user + d.system) / 1000;
  };

  test('a fan of 2000 tasks is fast', () => {
    const edges = Array.from({ length: 2000 }, (_, i) => `root>leaf${i}`);
    const t0 = process.cpuUsage();
    const down = priorityWeights(dag(edges, 'downstream'));
    const up = priorityWeights(dag(edges, 'upstream'));
    assert.equal(down.get('root'), 2001);
    assert.equal(up.get('leaf7'), 2);
    assert.ok(cpuMs(t0) < 500, 'took too long');
  });

  test('a chain of 3000 tasks is fast and sums every descendant', () => {
    const edges = Array.from({ length: 2999 }, (_, i) => `t${i}>t${i + 1}`);
    const t0 = process.cpuUsage();
    const weights = priorityWeights(dag(edges, 'downstream'));
    assert.equal(weights.get('t0'), 3000);
    assert.equal(weights.get('t2999'), 1);
    assert.ok(cpuMs(t0) < 1000, 'took too long');
  });

  test('fan-out then fan-in of 1000 counts the shared sink once', () => {
    const edges = Array.from({ length: 1000 }, (_, i) => [`src>m${i}`, `m${i}>sink`]).flat();
    const weights = priorityWeights(dag(edges, 'downstream'));
    assert.equal(weights.get('src'), 1002);
    assert.equal(weights.get('m3'), 2);
  });
});
