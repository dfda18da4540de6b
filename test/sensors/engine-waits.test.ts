import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type Harness } from './engine-harness.ts';

for (const dialect of eachDialect()) {
  describe(`external-task and time sensors in the engine on ${dialect.name}`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect, 2);
    });
    after(async () => {
      await h?.stop();
    });

    const endDate = async (dagId: string, runId: string, taskId: string) => {
      const r = await h.engine.db.db.selectFrom('task_instance').select('end_date').where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', taskId).executeTakeFirstOrThrow();
      return Date.parse(r.end_date!);
    };

    test("ExternalTaskSensor waits for another DAG's task at the same logical date (poke, reschedule and deferrable)", async () => {
      const logicalDate = new Date(Date.UTC(2024, 5, 1));
      const runId = await h.trigger('sensor_downstream', {}, logicalDate);
      await h.waitTi('sensor_downstream', runId, 'wait_deferred', ['deferred']);
      await h.waitTi('sensor_downstream', runId, 'wait_run', ['up_for_reschedule', 'queued', 'running']);
      assert.equal((await h.ti('sensor_downstream', runId, 'wait_poke')).state !== 'success', true);
      const upRun = await h.trigger('sensor_upstream', {}, logicalDate);
      await h.waitTi('sensor_upstream', upRun, 'load', ['success']);
      const loadedAt = await endDate('sensor_upstream', upRun, 'load');
      for (const taskId of ['wait_poke', 'wait_deferred', 'wait_run']) {
        const ti = await h.waitTi('sensor_downstream', runId, taskId, ['success', 'failed', 'skipped']);
        assert.deepEqual([taskId, ti.state, ti.try_number], [taskId, 'success', 1]);
        assert.ok((await endDate('sensor_downstream', runId, taskId)) >= loadedAt);
      }
    });

    test('TimeDeltaSensor and DateTimeSensor succeed only once their moment has come (poke and deferrable)', async () => {
      const logicalDate = new Date(Date.now() + 1000);
      const at = new Date(Date.now() + 1500);
      const runId = await h.trigger('sensor_times', { at: at.toISOString() }, logicalDate);
      const moments: Record<string, number> = {
        delta_poke: logicalDate.getTime() + 1000,
        delta_deferred: logicalDate.getTime() + 1000,
        datetime_poke: at.getTime(),
        datetime_deferred: at.getTime(),
      };
      for (const [taskId, moment] of Object.entries(moments)) {
        const ti = await h.waitTi('sensor_times', runId, taskId, ['success', 'failed', 'skipped']);
        assert.deepEqual([taskId, ti.state, ti.try_number], [taskId, 'success', 1]);
        assert.ok((await endDate('sensor_times', runId, taskId)) >= moment, `${taskId} ended before its moment`);
      }
    });
  });
}
