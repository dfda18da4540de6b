import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { asFromWorker, asToWorker } from '../../src/executors/local/protocol.ts';
import { isTryResult, workloadProblem } from '../../src/executors/local/shapes.ts';
import { workload } from './helpers.ts';

const result = {
  state: 'success', error: null, xcoms: [{ key: 'return_value', value: '1' }], skip: [], mapLengths: [], datasetEvents: [], triggerRequests: [],
  rescheduleAt: null, defer: null, renderedFields: null, startedAt: '2024-01-01T00:00:00.000Z', endedAt: '2024-01-01T00:00:01.000Z',
};

describe('local executor messages from a worker', () => {
  test('well-formed messages of every kind are accepted', () => {
    assert.deepEqual(asFromWorker({ kind: 'ready', pid: 7 }), { kind: 'ready', pid: 7 });
    assert.deepEqual(asFromWorker({ kind: 'started', seq: 1, hostname: 'h', pid: 7, at: 'now' }), { kind: 'started', seq: 1, hostname: 'h', pid: 7, at: 'now' });
    assert.equal(asFromWorker({ kind: 'finished', seq: 1, result })?.kind, 'finished');
    assert.deepEqual(asFromWorker({ kind: 'service', seq: 1, id: 3, call: { method: 'pullXComs', taskIds: ['a'], key: null } }), {
      kind: 'service', seq: 1, id: 3, call: { method: 'pullXComs', taskIds: ['a'], key: null },
    });
    assert.deepEqual(asFromWorker({ kind: 'service', seq: 1, id: 4, call: { method: 'getExternalState', dagId: 'd', taskId: null, logicalDate: 'x' } })?.kind, 'service');
  });

  test('anything else is rejected (null), so task code writing to the channel cannot confuse the executor', () => {
    const junk: unknown[] = [
      null, 'finished', [], { kind: 'nope' },
      { kind: 'ready', pid: '7' },
      { kind: 'started', seq: 1.5, hostname: 'h', pid: 7, at: 'now' },
      { kind: 'finished', seq: 1, result: { ...result, state: 'great' } },
      { kind: 'finished', seq: 1, result: { ...result, xcoms: [{ key: 'k', value: 1 }] } },
      { kind: 'service', seq: 1, id: 1, call: { method: 'dropTables' } },
      { kind: 'service', seq: 1, id: 1, call: { method: 'getVariable', key: 5 } },
      { kind: 'service', seq: 1, id: 1, call: { method: 'pullXComs', taskIds: 'a', key: null } },
    ];
    for (const m of junk) assert.equal(asFromWorker(m), null, JSON.stringify(m));
  });

  test('a try result needs every field with its type', () => {
    assert.equal(isTryResult(result), true);
    const { endedAt: _, ...withoutEnd } = result;
    assert.equal(isTryResult(withoutEnd), false);
    assert.equal(isTryResult({ ...result, defer: { trigger: 't', kwargs: {}, method: 'm', timeout: null } }), true);
    assert.equal(isTryResult({ ...result, defer: { trigger: 't' } }), false);
  });
});

describe('local executor messages to a worker', () => {
  test('run and reply messages are accepted; a reply without ok/error shape is not', () => {
    const w = workload('/tmp/logs', 'noop');
    assert.equal(asToWorker({ kind: 'run', seq: 1, workload: w })?.kind, 'run');
    assert.deepEqual(asToWorker({ kind: 'reply', id: 1, ok: true, value: [1] }), { kind: 'reply', id: 1, ok: true, value: [1] });
    assert.deepEqual(asToWorker({ kind: 'reply', id: 1, ok: false, error: 'x' }), { kind: 'reply', id: 1, ok: false, error: 'x' });
    assert.equal(asToWorker({ kind: 'reply', id: 1, ok: false }), null);
    assert.equal(asToWorker({ kind: 'run', seq: 1, workload: { ...w, key: null } }), null);
  });

  test('workloadProblem names the first wrong field', () => {
    const w = workload('/tmp/logs', 'noop');
    assert.equal(workloadProblem(w), null);
    assert.match(workloadProblem({ ...w, tryNumber: 0 }) ?? '', /^tryNumber must be an integer of at least 1$/);
    assert.match(workloadProblem({ ...w, logPath: '' }) ?? '', /^logPath must be a non-empty string$/);
    assert.match(workloadProblem({ ...w, executionTimeout: -1 }) ?? '', /^executionTimeout must be null or a non-negative number/);
    assert.match(workloadProblem({ ...w, run: { ...w.run, runType: 'sometimes' } }) ?? '', /^run\.runType must be one of manual, scheduled, backfill, dataset_triggered$/);
    assert.match(workloadProblem({ ...w, triggerEvent: undefined }) ?? '', /^triggerEvent must be present/);
  });
});
