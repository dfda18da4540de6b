import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BaseSensor, ConditionSensor, dag, DagDefinitionError, FileSensor, type TaskContext } from '../../src/sdk/index.ts';
import { serializeDag } from '../../src/sdk/serialize.ts';
import { tempDir, tryOnce } from './helpers.ts';

/** A ConditionSensor that is done on poke number `doneOn` (never when 0), counting its pokes. */
function countingDag(id: string, doneOn: number, options: Record<string, unknown> = {}) {
  const pokes: number[] = [];
  const d = dag({ id }, () => {
    new ConditionSensor({
      taskId: 'wait',
      pokeInterval: 0.01,
      condition: () => {
        pokes.push(pokes.length + 1);
        return doneOn > 0 && pokes.length >= doneOn;
      },
      ...options,
    });
  });
  return { d, pokes };
}

describe('poke mode', () => {
  test('pokes until the condition holds, then succeeds in the same try', async () => {
    const { d, pokes } = countingDag('poke_until_done', 3);
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'success');
    assert.deepEqual(pokes, [1, 2, 3]);
    assert.ok(r.lines.some((l) => l.includes('Success criteria met')));
  });

  test('a poke result { done, xcomValue } becomes the return_value XCom', async () => {
    const d = dag({ id: 'poke_value' }, () => {
      new ConditionSensor({ taskId: 'wait', condition: () => ({ done: true, xcomValue: { rows: 12 } }) });
    });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'success');
    assert.deepEqual(r.xcoms, [{ key: 'return_value', value: JSON.stringify({ rows: 12 }) }]);
  });

  test('a boolean poke pushes no XCom', async () => {
    const { d } = countingDag('poke_bool', 1);
    const r = await tryOnce(d, 'wait');
    assert.deepEqual(r.xcoms, []);
  });

  test('a timeout fails the sensor without retrying, even with retries left', async () => {
    const { d } = countingDag('poke_timeout', 0, { timeout: 0.05, retries: 3 });
    const r = await tryOnce(d, 'wait', { maxTries: 3 });
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /SensorTimeout: Sensor has timed out/);
  });

  test('a timeout with softFail skips the sensor', async () => {
    const { d } = countingDag('poke_soft', 0, { timeout: 0.05, softFail: true });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'skipped');
  });

  test('the sleep between pokes ends when the try is aborted (execution timeout)', async () => {
    const { d, pokes } = countingDag('poke_abort', 0, { pokeInterval: 3600, executionTimeout: 0.05 });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /TaskTimeoutError/);
    assert.deepEqual(pokes, [1]);
  });

  test('a poke that returns something else than a boolean or { done } fails with a clear error', async () => {
    const d = dag({ id: 'poke_garbage' }, () => {
      new ConditionSensor({ taskId: 'wait', condition: () => 'yes' as unknown as boolean });
    });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /poke must return true\/false or \{ done, xcomValue \} \(got "yes"\)/);
  });
});

describe('reschedule mode', () => {
  test('a poke that is not done gives the slot back: up_for_reschedule at the next poke time', async () => {
    const { d, pokes } = countingDag('resched', 0, { mode: 'reschedule', pokeInterval: 30 });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'up_for_reschedule');
    assert.deepEqual(pokes, [1]);
    const at = Date.parse(r.rescheduleAt!);
    assert.ok(at >= Date.parse(r.startedAt) + 30_000 && at <= Date.parse(r.endedAt) + 30_000);
  });

  test('the timeout counts from the first try: a later try past it fails without retry', async () => {
    const { d } = countingDag('resched_timeout', 0, { mode: 'reschedule', timeout: '1h', retries: 2 });
    const r = await tryOnce(d, 'wait', { maxTries: 2, firstTryStartedAt: new Date(Date.now() - 2 * 3600_000) });
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /SensorTimeout/);
  });

  test('the next poke is never set after the timeout', async () => {
    const first = new Date(Date.now() - 59 * 60_000);
    const { d } = countingDag('resched_cap', 0, { mode: 'reschedule', timeout: '1h', pokeInterval: '10m' });
    const r = await tryOnce(d, 'wait', { firstTryStartedAt: first });
    assert.equal(r.state, 'up_for_reschedule');
    assert.ok(Date.parse(r.rescheduleAt!) <= first.getTime() + 3600_000);
  });
});

describe('deferrable mode', () => {
  test('a deferrable FileSensor whose file is missing defers to the fileExists trigger', async () => {
    const dir = tempDir();
    const d = dag({ id: 'defer_file' }, () => {
      new FileSensor({ taskId: 'wait', filepath: join(dir, 'in.csv'), deferrable: true, pokeInterval: 7, timeout: '2h' });
    });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'deferred');
    assert.equal(r.defer!.trigger, 'fileExists');
    assert.deepEqual(r.defer!.kwargs, { pattern: join(dir, 'in.csv'), recursive: false, pollInterval: 7 });
    assert.equal(r.defer!.method, 'executeComplete');
    assert.ok(r.defer!.timeout! > 0 && r.defer!.timeout! <= 7200);
  });

  test('a deferrable sensor whose condition already holds succeeds without deferring', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'in.csv'), 'a\n');
    const d = dag({ id: 'defer_present' }, () => {
      new FileSensor({ taskId: 'wait', filepath: join(dir, 'in.csv'), deferrable: true });
    });
    const r = await tryOnce(d, 'wait');
    assert.equal(r.state, 'success');
    assert.equal(r.defer, null);
  });

  const deferred = (id: string, extra: Record<string, unknown> = {}) =>
    dag({ id }, () => {
      new FileSensor({ taskId: 'wait', filepath: '/nonexistent/x', deferrable: true, retries: 2, ...extra });
    });

  test('resuming with a success event ends the task successfully', async () => {
    const r = await tryOnce(deferred('resume_ok'), 'wait', { nextMethod: 'executeComplete', triggerEvent: { status: 'success', path: '/x' } });
    assert.equal(r.state, 'success');
  });

  test('resuming with a timeout event fails without retry', async () => {
    const r = await tryOnce(deferred('resume_timeout'), 'wait', { maxTries: 2, nextMethod: 'executeComplete', triggerEvent: { status: 'timeout' } });
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /SensorTimeout/);
  });

  test('resuming with a timeout event and softFail skips the task', async () => {
    const r = await tryOnce(deferred('resume_soft', { softFail: true }), 'wait', { nextMethod: 'executeComplete', triggerEvent: { status: 'timeout' } });
    assert.equal(r.state, 'skipped');
  });

  test("resuming with a failed event is a normal failure carrying the trigger's message", async () => {
    const r = await tryOnce(deferred('resume_failed'), 'wait', { maxTries: 2, nextMethod: 'executeComplete', triggerEvent: { status: 'failed', message: 'disk gone' } });
    assert.equal(r.state, 'up_for_retry');
    assert.match(r.error!, /The trigger failed: disk gone/);
  });
});

describe('definition', () => {
  test('a ConditionSensor refuses deferrable: user code cannot run in the triggerer', () => {
    assert.throws(
      () => dag({ id: 'cond_defer' }, () => void new ConditionSensor({ taskId: 'wait', condition: () => true, deferrable: true })),
      (e: unknown) => e instanceof DagDefinitionError && /cannot be deferrable.*triggerer.*reschedule/s.test(e.message),
    );
  });

  test('a custom sensor without a trigger refuses deferrable', () => {
    class Custom extends BaseSensor {
      poke(_ctx: TaskContext): boolean {
        return true;
      }
    }
    assert.throws(() => dag({ id: 'custom_defer' }, () => void new Custom({ taskId: 'wait', deferrable: true })), /Custom 'wait' cannot be deferrable: it has no built-in trigger/);
  });

  test('bad options are refused with the task named', () => {
    assert.throws(() => dag({ id: 'bad_mode' }, () => void new ConditionSensor({ taskId: 'w', condition: () => true, mode: 'wait' as 'poke' })), /sensor 'w': mode must be "poke" or "reschedule"/);
    assert.throws(() => dag({ id: 'bad_interval' }, () => void new ConditionSensor({ taskId: 'w', condition: () => true, pokeInterval: 'soon' })), /sensor 'w' pokeInterval: invalid duration/);
  });

  test('the serialized task describes how the sensor waits, with the documented defaults', () => {
    const d = dag({ id: 'spec' }, () => {
      new ConditionSensor({ taskId: 'plain', condition: () => true });
      new FileSensor({ taskId: 'file', filepath: '/x', mode: 'reschedule', pokeInterval: '5m', timeout: '1h', softFail: true, exponentialBackoff: true, deferrable: true });
    });
    const tasks = serializeDag(d).tasks;
    assert.deepEqual(tasks.find((t) => t.taskId === 'plain')!.sensor, { mode: 'poke', pokeInterval: 60, timeout: 604800, softFail: false, exponentialBackoff: false, deferrable: false });
    assert.deepEqual(tasks.find((t) => t.taskId === 'file')!.sensor, { mode: 'reschedule', pokeInterval: 300, timeout: 3600, softFail: true, exponentialBackoff: true, deferrable: true });
  });
});
