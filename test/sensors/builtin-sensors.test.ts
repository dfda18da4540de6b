import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { dag, DateTimeSensor, ExternalTaskSensor, FileSensor, TimeDeltaSensor } from '../../src/sdk/index.ts';
import { INTERVAL_END, LOGICAL_DATE, tempDir, tryOnce } from './helpers.ts';

describe('FileSensor', () => {
  test('its filepath is templated, and it succeeds when a file matches the glob', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'sales_2024-03-10.csv'), 'x');
    const d = dag({ id: 'file_tpl', params: { dir } }, () => {
      new FileSensor({ taskId: 'wait', filepath: '{{ params.dir }}/sales_{{ ds }}.*', timeout: 0 });
    });
    const r = await tryOnce(d, 'wait', { params: { dir } });
    assert.equal(r.state, 'success');
    assert.deepEqual(r.renderedFields, { filepath: `${dir}/sales_2024-03-10.*` });
  });

  test('recursive lets ** reach files in sub-folders', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'top.txt'), 'x');
    const d = dag({ id: 'file_rec' }, () => {
      new FileSensor({ taskId: 'flat', filepath: `${dir}/**/nothing.txt`, timeout: 0, softFail: true });
      new FileSensor({ taskId: 'deep', filepath: `${dir}/**/top.txt`, recursive: true, timeout: 0 });
    });
    assert.equal((await tryOnce(d, 'flat')).state, 'skipped');
    assert.equal((await tryOnce(d, 'deep')).state, 'success');
  });
});

describe('time sensors', () => {
  test('TimeDeltaSensor waits until the data interval end plus delta, and defers to a dateTime trigger at that moment', async () => {
    const d = dag({ id: 'delta' }, () => {
      new TimeDeltaSensor({ taskId: 'past', delta: '1h' });
      new TimeDeltaSensor({ taskId: 'future', delta: '10000d', deferrable: true });
    });
    assert.equal((await tryOnce(d, 'past')).state, 'success');
    const r = await tryOnce(d, 'future');
    assert.equal(r.state, 'deferred');
    assert.deepEqual(r.defer!.kwargs, { moment: new Date(INTERVAL_END.getTime() + 10000 * 86400_000).toISOString() });
  });

  test('DateTimeSensor renders its target time and waits for it', async () => {
    const d = dag({ id: 'datetime' }, () => {
      new DateTimeSensor({ taskId: 'templated', targetTime: '{{ data_interval_end }}' });
      new DateTimeSensor({ taskId: 'later', targetTime: new Date('2999-01-01T00:00:00Z'), deferrable: true });
    });
    const r = await tryOnce(d, 'templated');
    assert.equal(r.state, 'success');
    const later = await tryOnce(d, 'later');
    assert.equal(later.state, 'deferred');
    assert.deepEqual(later.defer, { trigger: 'dateTime', kwargs: { moment: '2999-01-01T00:00:00.000Z' }, method: 'executeComplete', timeout: later.defer!.timeout });
  });

  test('a DateTimeSensor target without a time zone fails with a clear error', async () => {
    const d = dag({ id: 'datetime_bad' }, () => void new DateTimeSensor({ taskId: 'w', targetTime: '2024-01-01 10:00' }));
    const r = await tryOnce(d, 'w');
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /not an ISO-8601 time with a zone/);
  });
});

describe('ExternalTaskSensor', () => {
  const ld = LOGICAL_DATE.toISOString();
  const sensorDag = (extra: Record<string, unknown> = {}) =>
    dag({ id: 'ext' }, () => void new ExternalTaskSensor({ taskId: 'w', externalDagId: 'up', externalTaskId: 'load', timeout: 0, ...extra }));

  test('succeeds when the external task instance at the same logical date is in an allowed state', async () => {
    assert.equal((await tryOnce(sensorDag(), 'w', { externalStates: { [`up|load|${ld}`]: 'success' } })).state, 'success');
  });

  test('keeps waiting while the external task is running or missing (here: times out)', async () => {
    const r = await tryOnce(sensorDag({ retries: 1 }), 'w', { maxTries: 1, externalStates: { [`up|load|${ld}`]: 'running' } });
    assert.equal(r.state, 'failed');
    assert.match(r.error!, /SensorTimeout/);
  });

  test('fails when the external task is in a failed state, and skips instead with softFail', async () => {
    const states = { [`up|load|${ld}`]: 'failed' };
    const failed = await tryOnce(sensorDag({ timeout: 60 }), 'w', { externalStates: states });
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /The external task up\.load on .* is failed/);
    assert.equal((await tryOnce(sensorDag({ timeout: 60, softFail: true }), 'w', { externalStates: states })).state, 'skipped');
  });

  test('executionDelta looks at an earlier run, and a null task id at the DAG run itself', async () => {
    const earlier = new Date(LOGICAL_DATE.getTime() - 86400_000).toISOString();
    const d = sensorDag({ externalTaskId: null, executionDelta: '1d' });
    assert.equal((await tryOnce(d, 'w', { externalStates: { [`up|*|${earlier}`]: 'success' } })).state, 'success');
  });

  test('deferrable: defers to the externalTask trigger with the states to watch', async () => {
    const r = await tryOnce(sensorDag({ timeout: 60, deferrable: true, pokeInterval: 2, failedStates: ['failed', 'upstream_failed'] }), 'w');
    assert.equal(r.state, 'deferred');
    assert.deepEqual(r.defer!.kwargs, { dagId: 'up', taskId: 'load', logicalDate: ld, allowedStates: ['success'], failedStates: ['failed', 'upstream_failed'], pollInterval: 2 });
  });
});
