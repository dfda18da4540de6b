import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LocalExecutor } from '../../src/executors/local/index.ts';
import { EventRecorder, fakeServices, logsDir, workload } from './helpers.ts';

describe('LocalExecutor with a prefetch backlog', { timeout: 120_000 }, () => {
  const logs = logsDir();
  const events = new EventRecorder();
  const executor = new LocalExecutor({ parallelism: 1, prefetch: 2 });

  before(() => executor.start(events.onEvent, fakeServices({})));
  after(() => executor.stop(0));

  test('offers the idle worker plus its backlog as slots, and refuses work past that', () => {
    assert.equal(executor.openSlots(), 3);
  });

  test('accepts work beyond its idle workers and runs it in order as the worker frees up', async () => {
    const ws = [0, 1, 2].map(() => workload(logs, 'noop'));
    for (const w of ws) executor.queue(w);
    assert.equal(executor.openSlots(), 0);
    assert.throws(() => executor.queue(workload(logs, 'noop')), /backlog is full/);
    assert.equal(executor.activeKeys().length, 3, 'waiting tries count as active');
    const finished = await Promise.all(ws.map((w) => events.next('finished', 'noop', w.key.runId)));
    assert.deepEqual(finished.map((f) => f.result.state), ['success', 'success', 'success']);
    const starts = ws.map((w) => events.of(w.key.runId).findIndex((e) => e.kind === 'started'));
    const order = ws.map((w) => events.of(w.key.runId)).map((list) => list.length);
    assert.ok(order.every((n) => n === 2), 'each try reports started then finished');
    assert.ok(starts.every((i) => i === 0));
    assert.equal(executor.openSlots(), 3);
  });

  test('terminate() of a try still waiting in the backlog reports it lost without running it', async () => {
    const busy = workload(logs, 'bash_sleeps', { params: { ms: 0, sleepFor: '2' } });
    const waiting = workload(logs, 'noop');
    executor.queue(busy);
    executor.queue(waiting);
    executor.terminate(waiting.key, 'cleared by a user');
    const lost = await events.next('lost', 'noop', waiting.key.runId);
    assert.equal(lost.reason, 'cleared by a user');
    assert.equal(events.of(waiting.key.runId).some((e) => e.kind === 'started'), false);
    await events.next('finished', 'bash_sleeps', busy.key.runId);
  });
});

test('stop() drops tries that never started, without an event, so their task instances can be put back', async () => {
  const logs = logsDir();
  const events = new EventRecorder();
  const executor = new LocalExecutor({ parallelism: 1, prefetch: 1 });
  await executor.start(events.onEvent, fakeServices({}));
  const running = workload(logs, 'bash_sleeps', { params: { ms: 0, sleepFor: '1' } });
  const waiting = workload(logs, 'noop');
  executor.queue(running);
  executor.queue(waiting);
  await events.next('started', 'bash_sleeps', running.key.runId);
  await executor.stop(5000);
  assert.equal(events.of(running.key.runId).at(-1)?.kind, 'finished', 'the running try finished within the grace period');
  assert.deepEqual(events.of(waiting.key.runId), [], 'the waiting try produced no event');
});
