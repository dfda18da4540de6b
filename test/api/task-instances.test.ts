/**
 * Task instance endpoints with the real engine running: list (one run, `~`, batch), get (and
 * mapped copies), mark states, clear, notes, and the dependencies that explain why a task
 * instance is not running — including a paused DAG, whose triggered run stays queued.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

const ETL = '/api/v1/dags/api_etl/dagRuns/etl1/taskInstances';
const MAPPED = '/api/v1/dags/api_mapped/dagRuns/m1/taskInstances';

for (const dialect of eachDialect()) {
  describe(`task instance endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect, { engine: true });
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: { dag_run_id: 'etl1' } })).status, 200);
      assert.equal(await h.engine!.waitForRun('api_etl', 'etl1', 60_000), 'success');
    });
    after(() => h?.close());

    const state = async (dagId: string, runId: string, taskId: string, mapIndex = -1) =>
      (await h.db.selectFrom('task_instance').select('state').where('dag_id', '=', dagId).where('run_id', '=', runId).where('task_id', '=', taskId).where('map_index', '=', mapIndex).executeTakeFirstOrThrow()).state;

    test('GET …/taskInstances lists a run\'s task instances; ~/~ lists every run\'s, with state, duration and paging filters', async () => {
      const r = await h.call('GET', ETL);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.task_instances.map((t: { task_id: string; state: string }) => [t.task_id, t.state]), [['extract', 'success'], ['load', 'success'], ['transform', 'success']]);
      const ti = r.body.task_instances[0];
      assert.equal(ti.dag_run_id, 'etl1');
      assert.equal(ti.try_number, 1);
      assert.equal(ti.max_tries, 2);
      assert.ok(ti.duration >= 0 && ti.hostname !== '' && ti.pid > 0);
      const all = await h.call('GET', '/api/v1/dags/~/dagRuns/~/taskInstances?state=success&limit=2');
      assert.deepEqual([all.body.task_instances.length, all.body.total_entries], [2, 3]);
      assert.equal((await h.call('GET', '/api/v1/dags/~/dagRuns/~/taskInstances?state=failed')).body.total_entries, 0);
      assert.equal((await h.call('GET', `${ETL}?duration_gte=3600`)).body.total_entries, 0);
      assert.equal((await h.call('GET', `${ETL}?pool=default_pool&queue=default`)).body.total_entries, 3);
      assert.equal((await h.call('GET', `${ETL}?state=melted`)).status, 400);
    });

    test('POST /dags/~/dagRuns/~/taskInstances/list filters by DAGs, runs, tasks and states (null is no state)', async () => {
      const r = await h.call('POST', '/api/v1/dags/~/dagRuns/~/taskInstances/list', { body: { dag_ids: ['api_etl'], task_ids: ['load', 'extract'], state: ['success'] } });
      assert.deepEqual(r.body.task_instances.map((t: { task_id: string }) => t.task_id).sort(), ['extract', 'load']);
      const none = await h.call('POST', '/api/v1/dags/~/dagRuns/~/taskInstances/list', { body: { dag_run_ids: ['etl1'], state: [null] } });
      assert.equal(none.body.total_entries, 0);
      assert.equal((await h.call('POST', '/api/v1/dags/~/dagRuns/~/taskInstances/list', { body: { dag_ids: 'api_etl' } })).status, 400);
    });

    test('GET …/taskInstances/{task_id} returns one task instance; unknown ones are 404', async () => {
      const r = await h.call('GET', `${ETL}/load`);
      assert.deepEqual([r.body.task_id, r.body.state, r.body.map_index, r.body.operator], ['load', 'success', -1, '@task']);
      assert.equal((await h.call('GET', `${ETL}/nope`)).status, 404);
      assert.equal((await h.call('GET', '/api/v1/dags/api_etl/dagRuns/no_run/taskInstances/load')).status, 404);
    });

    test('a paused DAG\'s triggered run stays queued, and its dependencies say why; unpausing lets it run', async () => {
      assert.equal((await h.call('POST', '/api/v1/dags/api_mapped/dagRuns', { body: { dag_run_id: 'm1' } })).status, 200);
      h.engine!.engine.scheduler!.poke();
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await h.call('GET', '/api/v1/dags/api_mapped/dagRuns/m1')).body.state, 'queued');
      const deps = await h.call('GET', `${MAPPED}/numbers/dependencies`);
      assert.deepEqual(deps.body.dependencies.map((d: { name: string }) => d.name), ['Dag Not Paused', 'Dagrun Running']);
      const square = await h.call('GET', `${MAPPED}/square/dependencies`);
      const rule = square.body.dependencies.find((d: { name: string }) => d.name === 'Trigger Rule');
      assert.match(rule.reason, /all_success/);
      await h.call('PATCH', '/api/v1/dags/api_mapped', { body: { is_paused: false } });
      assert.equal(await h.engine!.waitForRun('api_mapped', 'm1', 60_000), 'success');
      const done = await h.call('GET', `${ETL}/load/dependencies`);
      assert.deepEqual(done.body.dependencies.map((d: { name: string }) => d.name), ['Dagrun Running', 'Task Instance State']);
    });

    test('a mapped task\'s copies are listed by listMapped and fetched by map index; without it the task is 404 with a hint', async () => {
      const list = await h.call('GET', `${MAPPED}/square/listMapped`);
      assert.deepEqual(list.body.task_instances.map((t: { map_index: number; state: string }) => [t.map_index, t.state]), [[0, 'success'], [1, 'success'], [2, 'success']]);
      const desc = await h.call('GET', `${MAPPED}/square/listMapped?order_by=-map_index&limit=1`);
      assert.deepEqual([desc.body.task_instances[0].map_index, desc.body.total_entries], [2, 3]);
      assert.equal((await h.call('GET', `${MAPPED}/square/1`)).body.map_index, 1);
      const unmapped = await h.call('GET', `${MAPPED}/square`);
      assert.equal(unmapped.status, 404);
      assert.match(unmapped.body.detail, /mapped/);
      assert.equal((await h.call('GET', `${MAPPED}/numbers/listMapped`)).status, 404);
      assert.equal((await h.call('GET', `${MAPPED}/square/7`)).status, 404);
      assert.deepEqual((await h.call('GET', `${MAPPED}/square/2/tries`)).body.task_instances.map((t: { try_number: number }) => t.try_number), [1]);
      const log = await h.call('GET', `${MAPPED}/square/logs/1?map_index=2`);
      assert.match(log.body.content, /square/);
      assert.equal((await h.call('GET', `${MAPPED}/square/logs/1`)).status, 404, 'a mapped task\'s log needs its map index');
      const xcom = await h.call('GET', `${MAPPED}/square/xcomEntries/return_value?map_index=2&deserialize=true&stringify=false`);
      assert.equal(xcom.body.value, 9);
    });

    test('PATCH a task instance previews by default and marks it with dry_run false; a mapped copy is marked by map index', async () => {
      const preview = await h.call('PATCH', `${ETL}/extract`, { body: { new_state: 'failed' } });
      assert.deepEqual(preview.body, { task_id: 'extract', dag_id: 'api_etl', dag_run_id: 'etl1', execution_date: preview.body.execution_date });
      assert.equal(await state('api_etl', 'etl1', 'extract'), 'success');
      await h.call('PATCH', `${ETL}/extract`, { body: { new_state: 'failed', dry_run: false } });
      assert.equal(await state('api_etl', 'etl1', 'extract'), 'failed');
      await h.call('PATCH', `${MAPPED}/square/1`, { body: { new_state: 'skipped', dry_run: false } });
      assert.equal(await state('api_mapped', 'm1', 'square', 1), 'skipped');
      for (const body of [{ new_state: 'running' }, {}, { new_state: 'success', extra: 1 }]) {
        assert.equal((await h.call('PATCH', `${ETL}/extract`, { body })).status, 400, JSON.stringify(body));
      }
    });

    test('POST /dags/{dag_id}/updateTaskInstancesState marks a task with its downstream tasks and lists what changed', async () => {
      const body = { task_id: 'extract', dag_run_id: 'etl1', include_downstream: true, new_state: 'success' };
      const preview = await h.call('POST', '/api/v1/dags/api_etl/updateTaskInstancesState', { body });
      assert.deepEqual(preview.body.task_instances.map((t: { task_id: string }) => t.task_id), ['extract']);
      assert.equal(await state('api_etl', 'etl1', 'extract'), 'failed');
      const done = await h.call('POST', '/api/v1/dags/api_etl/updateTaskInstancesState', { body: { ...body, dry_run: false } });
      assert.deepEqual(done.body.task_instances.map((t: { task_id: string }) => t.task_id), ['extract']);
      assert.equal(await state('api_etl', 'etl1', 'extract'), 'success');
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/updateTaskInstancesState', { body: { task_id: 'extract', new_state: 'success' } })).status, 400);
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/updateTaskInstancesState', { body: { ...body, task_id: 'nope' } })).status, 404);
    });

    test('POST /dags/{dag_id}/clearTaskInstances previews, then clears a task and its downstream tasks, which the scheduler runs again', async () => {
      const body = { dag_run_id: 'etl1', task_ids: ['transform'], include_downstream: true, only_failed: false };
      const preview = await h.call('POST', '/api/v1/dags/api_etl/clearTaskInstances', { body });
      assert.deepEqual(preview.body.task_instances.map((t: { task_id: string }) => t.task_id).sort(), ['load', 'transform']);
      assert.equal(await state('api_etl', 'etl1', 'load'), 'success');
      const before = h.changes;
      const cleared = await h.call('POST', '/api/v1/dags/api_etl/clearTaskInstances', { body: { ...body, dry_run: false } });
      assert.equal(cleared.body.task_instances.length, 2);
      assert.equal(h.changes, before + 1);
      await h.engine!.waitFor('the cleared tasks to run again', async () => (await h.call('GET', `${ETL}/load`)).body.try_number === 2);
      assert.equal(await h.engine!.waitForRun('api_etl', 'etl1', 60_000), 'success');
      assert.equal((await h.call('GET', `${ETL}/extract`)).body.try_number, 1, 'extract was not cleared');
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/clearTaskInstances', { body: { task_ids: ['ghost'] } })).status, 404);
      assert.equal((await h.call('POST', '/api/v1/dags/api_etl/clearTaskInstances', { body: { task_ids: [] } })).status, 400);
    });

    test('PATCH …/setNote sets a task instance\'s note; a Viewer may not', async () => {
      const r = await h.call('PATCH', `${ETL}/load/setNote`, { body: { note: 'looked fine' } });
      assert.equal(r.body.note, 'looked fine');
      assert.equal((await h.call('PATCH', `${MAPPED}/square/0/setNote`, { body: { note: 'copy 0' } })).body.note, 'copy 0');
      assert.equal((await h.call('PATCH', `${ETL}/load/setNote`, { body: { note: 'x' }, role: 'Viewer' })).status, 403);
      assert.equal((await h.call('GET', `${ETL}/load/links`)).body.extra_links.length, 0);
    });
  });
}
