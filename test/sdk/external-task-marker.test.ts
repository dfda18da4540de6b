/**
 * ExternalTaskMarker: its options are checked when the DAG is defined, it reaches the serialized
 * DAG with its (unrendered) templates and recursion depth, and it succeeds at once when run.
 * The walk of a recursive clear over markers (pure, on an in-memory source): it follows chains,
 * ends on cycles, applies the depth of the first marker, and names the chain when too deep.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { SerializedDag } from '../../src/core/serialized-dag.ts';
import type { ClearCandidate, ClearFilter } from '../../src/scheduler/clear-tasks.ts';
import { RecursiveClearError, walkRecursiveClear, type ClearWalkSource } from '../../src/scheduler/recursive-clear.ts';
import { dag, DagDefinitionError, EmptyOperator, ExternalTaskMarker, type ExternalTaskMarkerOptions } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';

const define = (o: Partial<ExternalTaskMarkerOptions>) =>
  dag({ id: 'm', schedule: null }, () => {
    new ExternalTaskMarker({ taskId: 'mark', externalDagId: 'child', externalTaskId: 'wait', ...o });
  });

describe('ExternalTaskMarker', () => {
  test('is serialized with its external DAG and task, the run logical date template by default, and a recursion depth of 10', () => {
    const t = serializeDag(define({})).tasks[0];
    assert.equal(t.operator, 'ExternalTaskMarker');
    assert.deepEqual(t.externalTaskMarker, { externalDagId: 'child', externalTaskId: 'wait', logicalDate: '{{ logical_date.isoformat() }}', recursionDepth: 10 });
    assert.deepEqual(t.templateFields, ['externalDagId', 'externalTaskId', 'logicalDate']);
  });

  test('keeps a given logical date template and recursion depth', () => {
    const t = serializeDag(define({ logicalDate: '{{ macros.ds_add(ds, 1) }}', recursionDepth: 3 })).tasks[0];
    assert.equal(t.externalTaskMarker?.logicalDate, '{{ macros.ds_add(ds, 1) }}');
    assert.equal(t.externalTaskMarker?.recursionDepth, 3);
  });

  test('other operators have no marker in the serialized DAG', () => {
    const d = dag({ id: 'plain', schedule: null }, () => void new EmptyOperator({ taskId: 'e' }));
    assert.equal('externalTaskMarker' in serializeDag(d).tasks[0], false);
  });

  for (const [name, o, pattern] of [
    ['no external DAG', { externalDagId: '' }, /externalDagId must be a non-empty string/],
    ['no external task', { externalTaskId: undefined as unknown as string }, /externalTaskId must be a non-empty string/],
    ['a recursion depth of 0', { recursionDepth: 0 }, /recursionDepth must be a positive integer/],
    ['a fractional recursion depth', { recursionDepth: 1.5 }, /recursionDepth must be a positive integer/],
    ['an empty logical date', { logicalDate: '' }, /logicalDate must be a date or a template string/],
  ] as const) {
    test(`refuses ${name}`, () => {
      assert.throws(() => define(o), (e: Error) => e instanceof DagDefinitionError && pattern.test(e.message));
    });
  }

  test('succeeds at once when run', async () => {
    const d = define({});
    const lines: string[] = [];
    const op = d.getTask('mark') as ExternalTaskMarker;
    const out = await op.execute({ log: { info: (m: string) => lines.push(m) } } as never);
    assert.equal(out, undefined);
    assert.match(lines.join('\n'), /child\.wait/);
  });
});

/** An in-memory source: DAGs given as task → downstream / marker, one run per DAG per day. */
function source(dags: Record<string, Record<string, { down?: string[]; marker?: { dag: string; task: string; depth?: number } }>>): ClearWalkSource & { dags: Map<string, SerializedDag> } {
  const all = new Map<string, SerializedDag>();
  for (const [dagId, tasks] of Object.entries(dags)) {
    all.set(dagId, {
      dagId, params: {},
      tasks: Object.entries(tasks).map(([taskId, t]) => ({
        taskId, downstream: t.down ?? [], upstream: Object.entries(tasks).filter(([, u]) => u.down?.includes(taskId)).map(([id]) => id),
        ...(t.marker ? { externalTaskMarker: { externalDagId: t.marker.dag, externalTaskId: t.marker.task, logicalDate: '{{ ds }}', recursionDepth: t.marker.depth ?? 10 } } : {}),
      })),
    } as unknown as SerializedDag);
  }
  const ti = (dagId: string, taskId: string): ClearCandidate => ({ dagId, runId: 'r1', taskId, mapIndex: -1, state: 'success', tryNumber: 1, logicalDate: '2026-03-01T00:00:00.000Z' });
  return {
    dags: all,
    dag: async (id) => all.get(id),
    async find(d: SerializedDag, f: ClearFilter) {
      const start = d.tasks.filter((t) => f.taskRegex!.test(t.taskId)).map((t) => t.taskId);
      const out = new Set(start);
      for (const s of [...out]) for (const n of d.tasks.find((t) => t.taskId === s)!.downstream) out.add(n);
      return [...out].sort().map((id) => ti(d.dagId, id));
    },
    render: async (_d, _ti, spec) => ({ externalDagId: spec.externalDagId, externalTaskId: spec.externalTaskId, logicalDate: new Date('2026-03-01T00:00:00Z') }),
  };
}
const start = (s: ReturnType<typeof source>, dagId: string, taskId: string) => [{ dagId, runId: 'r1', taskId, mapIndex: -1, state: 'success' as const, tryNumber: 1, logicalDate: '2026-03-01T00:00:00.000Z' }];

describe('recursive clear walk', () => {
  test('a cycle of markers ends once each marker instance has been followed', async () => {
    const s = source({ a: { m: { marker: { dag: 'b', task: 'm' } } }, b: { m: { marker: { dag: 'a', task: 'm' } } } });
    const groups = await walkRecursiveClear(s, s.dags.get('a')!, start(s, 'a', 'm'));
    assert.deepEqual(groups.map((g) => [g.dag.dagId, g.tis.map((t) => t.taskId)]), [['a', ['m']], ['b', ['m']]]);
  });

  test('the depth of the first marker limits the whole chain', async () => {
    const s = source({ a: { m: { marker: { dag: 'b', task: 'm', depth: 2 } } }, b: { m: { marker: { dag: 'c', task: 'm', depth: 50 } } }, c: { m: { marker: { dag: 'd', task: 't' } } }, d: { t: {} } });
    await assert.rejects(walkRecursiveClear(s, s.dags.get('a')!, start(s, 'a', 'm')), (e: Error) =>
      e instanceof RecursiveClearError && e.message.includes('recursion depth of 2') && e.message.includes('a.m (run r1) → b.m (run r1) → c.m (run r1)'));
  });

  test('a marker pointing at an unknown DAG or task is refused', async () => {
    const s = source({ a: { m: { marker: { dag: 'nope', task: 't' } }, n: { marker: { dag: 'a', task: 'ghost' } } } });
    await assert.rejects(walkRecursiveClear(s, s.dags.get('a')!, start(s, 'a', 'm')), /points at DAG 'nope', which is not known/);
    await assert.rejects(walkRecursiveClear(s, s.dags.get('a')!, start(s, 'a', 'n')), /points at task 'ghost', which DAG 'a' does not have/);
  });

  test('tasks reached twice are listed once', async () => {
    const s = source({ a: { m1: { marker: { dag: 'b', task: 'x' } }, m2: { marker: { dag: 'b', task: 'x' } } }, b: { x: { down: ['y'] }, y: {} } });
    const groups = await walkRecursiveClear(s, s.dags.get('a')!, [...start(s, 'a', 'm1'), ...start(s, 'a', 'm2')]);
    assert.deepEqual(groups.map((g) => [g.dag.dagId, g.tis.map((t) => t.taskId)]), [['a', ['m1', 'm2']], ['b', ['x', 'y']]]);
  });
});
