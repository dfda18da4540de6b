/**
 * Recording try results: a batch of plain results is written with its history rows and XComs
 * (on PostgreSQL by one statement), only for task instances still in the try that reported.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ExecutorEvent, TiKey } from '../../src/executors/executor.ts';
import type { TryResult } from '../../src/runner/try-result.ts';
import { applyExecutorEvents, type ApplyContext } from '../../src/scheduler/apply-events.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { toJson } from '../../src/store/codec.ts';
import { eachDialect, type TestDb } from '../support/databases.ts';
import { insertDag, insertRun, insertTi } from '../support/store-fixtures.ts';

const T0 = '2024-01-01T00:00:00.000Z';

function result(state: TryResult['state'], xcoms: Array<[string, unknown]> = [], endedAt = '2024-01-01T00:00:02.500Z'): TryResult {
  return {
    state, error: state === 'failed' ? 'boom' : null, xcoms: xcoms.map(([key, v]) => ({ key, value: toJson(v) })), skip: [], mapLengths: [], datasetEvents: [],
    triggerRequests: [], rescheduleAt: null, defer: null, renderedFields: null, startedAt: T0, endedAt,
  };
}

function finished(key: TiKey, tryNumber: number, r: TryResult): ExecutorEvent {
  return { kind: 'finished', key, tryNumber, result: r };
}

for (const dialect of eachDialect()) {
  describe(`recording plain try results on ${dialect.name}`, () => {
    let t: TestDb;
    let ctx: ApplyContext;
    before(async () => {
      t = await dialect.open();
      ctx = { cache: new SerializedDagCache(), xcom: { folder: mkdtempSync(join(tmpdir(), 'baton-xcom-')), maxInlineBytes: 65536 }, logsFolder: mkdtempSync(join(tmpdir(), 'baton-logs-')), jobId: null };
      await insertDag(t.db, 'd');
    });
    after(() => t?.drop());

    const history = (runId: string) => t.db.selectFrom('task_instance_history').select(['task_id', 'try_number', 'state', 'start_date', 'end_date', 'duration', 'hostname']).where('run_id', '=', runId).orderBy('task_id').execute();
    const xcoms = (runId: string) => t.db.selectFrom('xcom').select(['task_id', 'key', 'value']).where('run_id', '=', runId).orderBy('task_id').orderBy('key').execute();

    test('moved task instances get their history rows and XComs; a later try replaces its XComs; a stale try writes nothing', async () => {
      await insertRun(t.db, 'd', 'r1', T0, { state: 'running' });
      const run = { dagId: 'd', runId: 'r1' };
      const a = await insertTi(t.db, run, 'a', 'running', { try_number: 1, start_date: T0, hostname: 'h1' });
      const b = await insertTi(t.db, run, 'b', 'queued', { try_number: 1 });
      const c = await insertTi(t.db, run, 'c', 'running', { try_number: 2, start_date: T0 });
      const s = await insertTi(t.db, run, 's', 'queued', { try_number: 1 });
      // c's first try left two XComs; its second try pushes one.
      await t.db.insertInto('xcom').values(['return_value', 'extra'].map((key) => ({ dag_id: 'd', run_id: 'r1', task_id: 'c', map_index: -1, key, value: toJson('old'), value_ref: null, size_bytes: 5, list_length: null, timestamp: T0 }))).execute();

      const out = await t.db.transaction().execute((trx) => applyExecutorEvents(trx, [
        finished(a, 1, result('success', [['return_value', 1], ['other', [1, 2]]])),
        { kind: 'started', key: b, tryNumber: 1, hostname: 'h2', pid: 42, at: '2024-01-01T00:00:01.000Z' },
        finished(b, 1, result('failed')),
        finished(c, 2, result('success', [['return_value', 3]])),
        finished(s, 2, result('success', [['return_value', 4]])),
      ], ctx));

      assert.deepEqual(out.moves.map((m) => `${m.key.taskId}:${m.state}`).sort(), ['a:success', 'b:failed', 'c:success']);
      assert.deepEqual(out.stale.map((k) => k.taskId), ['s']);
      const states = Object.fromEntries((await t.db.selectFrom('task_instance').select(['task_id', 'state']).where('run_id', '=', 'r1').execute()).map((r) => [r.task_id, r.state]));
      assert.deepEqual(states, { a: 'success', b: 'failed', c: 'success', s: 'queued' });
      assert.deepEqual(await history('r1'), [
        { task_id: 'a', try_number: 1, state: 'success', start_date: T0, end_date: '2024-01-01T00:00:02.500Z', duration: 2.5, hostname: 'h1' },
        { task_id: 'b', try_number: 1, state: 'failed', start_date: '2024-01-01T00:00:01.000Z', end_date: '2024-01-01T00:00:02.500Z', duration: 1.5, hostname: 'h2' },
        { task_id: 'c', try_number: 2, state: 'success', start_date: T0, end_date: '2024-01-01T00:00:02.500Z', duration: 2.5, hostname: null },
      ]);
      assert.deepEqual(await xcoms('r1'), [
        { task_id: 'a', key: 'other', value: toJson([1, 2]) },
        { task_id: 'a', key: 'return_value', value: toJson(1) },
        { task_id: 'c', key: 'return_value', value: toJson(3) },
      ]);
    });

    test('a batch too large for one statement is recorded whole', async () => {
      await insertRun(t.db, 'd', 'r2', '2024-01-02T00:00:00.000Z', { state: 'running' });
      const run = { dagId: 'd', runId: 'r2' };
      const n = 450;
      await t.db.insertInto('task_instance').values(Array.from({ length: n }, (_, i) => ({
        dag_id: 'd', run_id: 'r2', task_id: `t${i}`, map_index: -1, state: 'running' as const, try_number: 1, pool: 'default_pool', queue: 'default', start_date: T0, updated_at: T0,
      }))).execute();
      // 450 results with 8 XComs each: more rows and more bound parameters than one statement takes.
      const events = Array.from({ length: n }, (_, i) => finished({ ...run, taskId: `t${i}`, mapIndex: -1 }, 1, result('success', Array.from({ length: 8 }, (_, j) => [`k${j}`, i * 10 + j]))));
      const out = await t.db.transaction().execute((trx) => applyExecutorEvents(trx, events, ctx));
      assert.equal(out.moves.length, n);
      assert.equal((await history('r2')).length, n);
      const rows = await xcoms('r2');
      assert.equal(rows.length, n * 8);
      assert.equal(rows.find((r) => r.task_id === 't449' && r.key === 'k7')?.value, toJson(4497));
    });
  });
}
