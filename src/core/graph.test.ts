import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { reachable, topologicalOrder, type GraphNode } from './graph.ts';

const nodes = (edges: Record<string, string[]>): GraphNode[] => Object.entries(edges).map(([id, upstream]) => ({ id, upstream }));

describe('topologicalOrder', () => {
  test('puts every task after all of its upstream tasks', () => {
    const order = topologicalOrder(nodes({ d: ['b', 'c'], b: ['a'], c: ['a'], a: [] }));
    const pos = (id: string) => order.indexOf(id);
    assert.equal(order.length, 4);
    assert.ok(pos('a') < pos('b') && pos('a') < pos('c'));
    assert.ok(pos('b') < pos('d') && pos('c') < pos('d'));
  });

  test('keeps the input order among tasks that are ready together (stable)', () => {
    assert.deepEqual(topologicalOrder(nodes({ z: [], y: [], x: [] })), ['z', 'y', 'x']);
    assert.deepEqual(topologicalOrder(nodes({ root: [], m2: ['root'], m1: ['root'], m3: ['root'] })), ['root', 'm2', 'm1', 'm3']);
  });

  test('gives the same order on every call for the same input', () => {
    const input = nodes({ a: [], c: ['a'], b: ['a'], e: ['b', 'c'], d: ['a'] });
    const first = topologicalOrder(input);
    for (let i = 0; i < 5; i++) assert.deepEqual(topologicalOrder(input), first);
    assert.deepEqual(first, ['a', 'c', 'b', 'd', 'e']);
  });

  test('a cycle is an error that names the tasks on it in order', () => {
    assert.throws(
      () => topologicalOrder(nodes({ start: [], a: ['start', 'c'], b: ['a'], c: ['b'], after: ['c'] })),
      (e: Error) => {
        assert.match(e.message, /cycle/);
        const cycle = e.message.slice(e.message.indexOf(':') + 1).trim().split(' -> ');
        // The cycle is closed (first = last) and follows the edges a -> b -> c -> a.
        assert.equal(cycle[0], cycle[cycle.length - 1]);
        assert.deepEqual(new Set(cycle), new Set(['a', 'b', 'c']));
        const edges = new Set(['a>b', 'b>c', 'c>a']);
        for (let i = 0; i + 1 < cycle.length; i++) assert.ok(edges.has(`${cycle[i]}>${cycle[i + 1]}`), `${cycle[i]} -> ${cycle[i + 1]} is an edge`);
        assert.ok(!e.message.includes('start') && !e.message.includes('after'), 'tasks off the cycle are not named');
        return true;
      },
    );
  });

  test('a task depending on itself is a cycle', () => {
    assert.throws(() => topologicalOrder(nodes({ a: ['a'] })), /cycle among tasks: a -> a/);
  });

  test('an upstream id that is not a task is an error naming both', () => {
    assert.throws(() => topologicalOrder(nodes({ a: ['ghost'] })), /task 'a' depends on unknown task 'ghost'/);
  });
});

describe('reachable', () => {
  test('returns every node reachable from the start, excluding the start, across diamonds', () => {
    const down: Record<string, string[]> = { a: ['b', 'c'], b: ['d'], c: ['d'], d: [], e: ['a'] };
    assert.deepEqual([...reachable('a', (id) => down[id] ?? [])].sort(), ['b', 'c', 'd']);
    assert.deepEqual([...reachable('d', (id) => down[id] ?? [])], []);
  });
});
