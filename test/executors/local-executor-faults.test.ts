import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { LocalExecutor } from '../../src/executors/local/index.ts';
import { EventRecorder, eventually, fakeServices, logsDir, workload } from './helpers.ts';

const LONG = { ms: 120_000 };

describe('LocalExecutor when a worker dies or is killed', { timeout: 120_000 }, () => {
  const logs = logsDir();
  const events = new EventRecorder();
  const executor = new LocalExecutor({ parallelism: 2, killGraceMs: 500 });

  before(() => executor.start(events.onEvent, fakeServices()));
  after(() => executor.stop(0));

  const bothIdle = () => eventually(() => executor.openSlots() === 2, 'both workers are idle');

  test('a task calling process.exit(3) is lost with its exit code, and the next try runs on a replacement worker', async () => {
    await bothIdle();
    const w = workload(logs, 'exits');
    executor.queue(w);
    const started = await events.next('started', 'exits', w.key.runId);
    const lost = await events.next('lost', 'exits', w.key.runId);
    assert.match(lost.reason, /exited with code 3 while running the try/);
    assert.match(readFileSync(w.logPath, 'utf8'), /ERROR - The try was lost: .*exited with code 3/);
    await bothIdle();
    const pids = new Set<number>();
    for (let i = 0; i < 2; i++) {
      const next = workload(logs, 'sleeps', { params: { ms: 50 } });
      executor.queue(next);
      pids.add((await events.next('started', 'sleeps', next.key.runId)).pid);
    }
    for (const pid of pids) assert.notEqual(pid, started.pid);
    await bothIdle();
  });

  test('a worker killed with SIGKILL from outside loses its try, naming the signal; the other try is unaffected', async () => {
    await bothIdle();
    const victim = workload(logs, 'sleeps', { params: LONG });
    const bystander = workload(logs, 'sleeps', { params: { ms: 300 } });
    executor.queue(victim);
    executor.queue(bystander);
    const { pid } = await events.next('started', 'sleeps', victim.key.runId);
    process.kill(pid, 'SIGKILL');
    const lost = await events.next('lost', 'sleeps', victim.key.runId);
    assert.match(lost.reason, /was killed by signal SIGKILL/);
    const finished = await events.next('finished', 'sleeps', bystander.key.runId);
    assert.equal(finished.result.state, 'success');
    assert.ok(!events.of(bystander.key.runId).some((e) => e.kind === 'lost'));
  });

  test('a synchronous endless loop past its execution timeout plus the grace is killed and lost with the timeout reason', async () => {
    await bothIdle();
    const w = workload(logs, 'spins', { executionTimeout: 1 });
    executor.queue(w);
    const lost = await events.next('lost', 'spins', w.key.runId);
    assert.match(lost.reason, /exceeded its execution timeout of 1s and was killed/);
    assert.deepEqual(executor.activeKeys(), []);
  });

  test('terminate() kills the worker of that try and reports it lost with the given reason', async () => {
    await bothIdle();
    const w = workload(logs, 'sleeps', { params: LONG });
    executor.queue(w);
    await events.next('started', 'sleeps', w.key.runId);
    assert.deepEqual(executor.activeKeys(), [w.key]);
    executor.terminate(w.key, 'marked failed by a user');
    const lost = await events.next('lost', 'sleeps', w.key.runId);
    assert.equal(lost.reason, 'marked failed by a user');
    assert.deepEqual(executor.activeKeys(), []);
    assert.ok(!events.of(w.key.runId).some((e) => e.kind === 'finished'));
  });

  test('terminate() of a try that is not here does nothing', () => {
    const before = events.events.length;
    executor.terminate({ dagId: 'exec_tasks', runId: 'nowhere', taskId: 'noop', mapIndex: -1 }, 'why not');
    assert.equal(events.events.length, before);
  });

  test('openSlots() counts idle workers, and queue() throws when none is idle', async () => {
    await bothIdle();
    const a = workload(logs, 'sleeps', { params: LONG });
    const b = workload(logs, 'sleeps', { params: LONG });
    executor.queue(a);
    assert.equal(executor.openSlots(), 1);
    executor.queue(b);
    assert.equal(executor.openSlots(), 0);
    assert.throws(() => executor.queue(workload(logs, 'noop')), /no free worker \(all 2 are busy\)/);
    assert.equal(executor.activeKeys().length, 2);
    executor.terminate(a.key, 'test cleanup');
    executor.terminate(b.key, 'test cleanup');
    await events.next('lost', 'sleeps', a.key.runId);
    await events.next('lost', 'sleeps', b.key.runId);
    await bothIdle();
  });
});

describe('LocalExecutor heap limit', { timeout: 120_000 }, () => {
  const logs = logsDir();
  const events = new EventRecorder();
  const executor = new LocalExecutor({ parallelism: 1, maxOldSpaceMb: 96 });

  before(() => executor.start(events.onEvent, fakeServices()));
  after(() => executor.stop(0));

  test('a task that exhausts the heap is lost with an out-of-memory reason, and a fresh worker takes over', async () => {
    const w = workload(logs, 'hogs_memory');
    executor.queue(w);
    const lost = await events.next('lost', 'hogs_memory', w.key.runId);
    assert.match(lost.reason, /ran out of memory .* heap limit of 96 MB/);
    await eventually(() => executor.openSlots() === 1, 'the replacement worker is idle');
    const next = workload(logs, 'noop');
    executor.queue(next);
    assert.equal((await events.next('finished', 'noop', next.key.runId)).result.state, 'success');
  });
});

describe('LocalExecutor.stop()', { timeout: 120_000 }, () => {
  test('with a grace period, a running try finishes and its finished event is delivered', async () => {
    const logs = logsDir();
    const events = new EventRecorder();
    const executor = new LocalExecutor({ parallelism: 1 });
    await executor.start(events.onEvent, fakeServices());
    const w = workload(logs, 'sleeps', { params: { ms: 300 } });
    executor.queue(w);
    await events.next('started', 'sleeps', w.key.runId);
    await executor.stop(60_000);
    const mine = events.of(w.key.runId).map((e) => e.kind);
    assert.deepEqual(mine, ['started', 'finished']);
    assert.equal(executor.openSlots(), 0);
    assert.throws(() => executor.queue(workload(logs, 'noop')), /cannot take work: it is stopped/);
  });

  test('tries still running when the grace period ends are lost with "executor stopped"', async () => {
    const logs = logsDir();
    const events = new EventRecorder();
    const executor = new LocalExecutor({ parallelism: 1 });
    await executor.start(events.onEvent, fakeServices());
    const w = workload(logs, 'sleeps', { params: LONG });
    executor.queue(w);
    await events.next('started', 'sleeps', w.key.runId);
    const stopping = executor.stop(100);
    assert.equal(executor.openSlots(), 0);
    assert.throws(() => executor.queue(workload(logs, 'noop')), /cannot take work: it is stopping/);
    await stopping;
    const lost = await events.next('lost', 'sleeps', w.key.runId);
    assert.equal(lost.reason, 'executor stopped');
    assert.deepEqual(executor.activeKeys(), []);
  });
});
