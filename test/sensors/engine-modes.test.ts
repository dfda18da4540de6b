import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type Harness } from './engine-harness.ts';
import { tempDir } from './helpers.ts';

for (const dialect of eachDialect()) {
  describe(`sensor modes in the engine on ${dialect.name} (parallelism 1)`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, 1);
    });
    after(async () => {
      await h?.stop();
    });

    test('a poke-mode FileSensor succeeds once the file is created mid-run', async () => {
      const path = join(tempDir(), 'arrived.csv');
      const runId = await h.trigger('sensor_poke_file', { path });
      await h.waitTi('sensor_poke_file', runId, 'wait', ['running']);
      writeFileSync(path, 'a,b\n');
      const ti = await h.waitTi('sensor_poke_file', runId, 'after', ['success', 'failed', 'upstream_failed']);
      assert.equal(ti.state, 'success');
      assert.equal((await h.ti('sensor_poke_file', runId, 'wait')).try_number, 1);
    });

    test('a reschedule-mode sensor frees its slot between pokes, keeps its try number, and succeeds later', async () => {
      const path = join(tempDir(), 'later.flag');
      const runId = await h.trigger('sensor_reschedule', { path });
      await h.waitTi('sensor_reschedule', runId, 'wait', ['up_for_reschedule']);
      // With one worker slot, another DAG's task can only run if the sensor gave its slot back.
      const otherRun = await h.trigger('sensor_other');
      assert.equal((await h.waitTi('sensor_other', otherRun, 'work', ['success', 'failed'])).state, 'success');
      assert.notEqual((await h.ti('sensor_reschedule', runId, 'wait')).state, 'success');
      writeFileSync(path, '');
      const done = await h.waitTi('sensor_reschedule', runId, 'wait', ['success', 'failed']);
      assert.equal(done.state, 'success');
      assert.equal(done.try_number, 1);
      const db = h.engine.db.db;
      const reschedules = await db.selectFrom('task_reschedule').select('try_number').where('run_id', '=', runId).where('task_id', '=', 'wait').execute();
      assert.ok(reschedules.length >= 1);
      assert.ok(reschedules.every((r) => r.try_number === 1));
      assert.equal((await h.waitTi('sensor_reschedule', runId, 'after', ['success', 'failed'])).state, 'success');
    });

    test('a deferrable FileSensor defers without holding its slot, then resumes and succeeds when the file appears', async () => {
      const path = join(tempDir(), 'deferred.csv');
      const runId = await h.trigger('sensor_deferrable_file', { path });
      await h.waitTi('sensor_deferrable_file', runId, 'wait', ['deferred']);
      const otherRun = await h.trigger('sensor_other');
      assert.equal((await h.waitTi('sensor_other', otherRun, 'work', ['success', 'failed'])).state, 'success');
      assert.equal((await h.ti('sensor_deferrable_file', runId, 'wait')).state, 'deferred');
      const firedBefore = h.triggerer.triggerer.firedCount;
      writeFileSync(path, 'x\n');
      const done = await h.waitTi('sensor_deferrable_file', runId, 'wait', ['success', 'failed']);
      assert.equal(done.state, 'success');
      assert.equal(done.try_number, 1);
      assert.ok(h.triggerer.triggerer.firedCount > firedBefore);
      assert.equal((await h.waitTi('sensor_deferrable_file', runId, 'after', ['success', 'failed'])).state, 'success');
    });

    test('sensor timeouts fail without retry even with retries set (poke, reschedule and deferrable), and softFail skips', async () => {
      const runId = await h.trigger('sensor_timeouts');
      const hard = await h.waitTi('sensor_timeouts', runId, 'hard', ['failed', 'success', 'skipped']);
      assert.deepEqual([hard.state, hard.try_number, hard.max_tries], ['failed', 1, 2]);
      const soft = await h.waitTi('sensor_timeouts', runId, 'soft', ['failed', 'success', 'skipped']);
      assert.deepEqual([soft.state, soft.try_number], ['skipped', 1]);
      const rescheduled = await h.waitTi('sensor_timeouts', runId, 'rescheduled', ['failed', 'success', 'skipped']);
      assert.deepEqual([rescheduled.state, rescheduled.try_number], ['failed', 1]);
      const deferred = await h.waitTi('sensor_timeouts', runId, 'deferred', ['failed', 'success', 'skipped']);
      assert.deepEqual([deferred.state, deferred.try_number], ['failed', 1]);
    });
  });
}
