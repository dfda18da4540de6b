/**
 * API v2's DAG, DAG run and task instance endpoints on a store without the engine: lists with
 * v2's paging, `order_by` lists, range filters and `*_pattern` searches; malformed parameters
 * and bodies are 422 and change nothing; triggering with and without a logical date; patching
 * and clearing runs; marking task instances. Every response is checked against openapi-v2.yaml.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

const ids = (list: Array<{ dag_id: string }>) => list.map((d) => d.dag_id);

for (const dialect of eachDialect()) {
  describe(`API v2 DAGs, runs and task instances on ${dialect.name}`, () => {
    let h: V2Harness;
    before(async () => {
      h = await openV2Harness(dialect);
    });
    after(() => h?.close());

    test('GET /dags lists active DAGs in the DAGCollectionResponse envelope, tags as DagTagResponse', async () => {
      const r = await h.call('GET', '/api/v2/dags');
      assert.equal(r.status, 200);
      assert.deepEqual(ids(r.body.dags), ['api_consumer', 'api_etl', 'api_mapped', 'api_producer']);
      const etl = r.body.dags.find((d: { dag_id: string }) => d.dag_id === 'api_etl');
      assert.deepEqual(etl.tags, [{ name: 'etl', dag_id: 'api_etl', dag_display_name: 'api_etl' }, { name: 'example', dag_id: 'api_etl', dag_display_name: 'api_etl' }]);
      assert.equal(etl.is_stale, false);
    });

    test('order_by takes a list, limit/offset page, and an unknown order_by is 400 naming the allowed fields', async () => {
      const r = await h.call('GET', '/api/v2/dags?order_by=-dag_id&limit=2&offset=1');
      assert.deepEqual(ids(r.body.dags), ['api_mapped', 'api_etl']);
      assert.equal(r.body.total_entries, 4);
      const multi = await h.call('GET', '/api/v2/dags?order_by=is_paused&order_by=-dag_id');
      assert.deepEqual(ids(multi.body.dags), ['api_producer', 'api_etl', 'api_consumer', 'api_mapped']);
      const bad = await h.call('GET', '/api/v2/dags?order_by=password');
      assert.equal(bad.status, 400);
      assert.match(bad.body.detail, /order by one of: dag_id/);
    });

    test('malformed parameters are 422 with every problem located', async () => {
      const r = await h.call('GET', '/api/v2/dags?limit=ten&offset=-1&paused=maybe');
      assert.equal(r.status, 422);
      assert.deepEqual(r.body.detail.map((d: { loc: string[] }) => d.loc.join('.')).sort(), ['query.limit', 'query.offset', 'query.paused']);
      const date = await h.call('GET', '/api/v2/dags/~/dagRuns?start_date_gte=yesterday');
      assert.equal(date.status, 422);
      assert.equal(date.body.detail[0].type, 'datetime_from_date_parsing');
      const state = await h.call('GET', '/api/v2/dags?last_dag_run_state=exploded');
      assert.equal(state.status, 422);
    });

    test('dag_id_pattern is a case-insensitive LIKE with % and _ and | between alternatives; tags match any or all', async () => {
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?dag_id_pattern=PROD')).body.dags), ['api_producer']);
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?dag_id_pattern=etl|mapped')).body.dags), ['api_etl', 'api_mapped']);
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?dag_id_pattern=api_c%25r')).body.dags), ['api_consumer']);
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?tags=etl&tags=datasets')).body.dags), ['api_consumer', 'api_etl', 'api_producer']);
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?tags=etl&tags=example&tags_match_mode=all')).body.dags), ['api_etl']);
    });

    test('PATCH /dags/{id} pauses; a body with an unknown field is 422 and changes nothing', async () => {
      const bad = await h.call('PATCH', '/api/v2/dags/api_etl', { body: { is_paused: true, owner: 'x' } });
      assert.equal(bad.status, 422);
      assert.deepEqual(bad.body.detail[0].loc, ['body', 'owner']);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl')).body.is_paused, false);
      const r = await h.call('PATCH', '/api/v2/dags/api_etl', { body: { is_paused: true } });
      assert.equal(r.body.is_paused, true);
      const many = await h.call('PATCH', '/api/v2/dags?dag_id_pattern=api_etl', { body: { is_paused: false } });
      assert.deepEqual(many.body.dags.map((d: { is_paused: boolean }) => d.is_paused), [false]);
    });

    test('details, tasks and tags', async () => {
      const d = await h.call('GET', '/api/v2/dags/api_etl/details');
      assert.equal(d.status, 200);
      assert.equal(d.body.catchup, false);
      const tasks = await h.call('GET', '/api/v2/dags/api_etl/tasks');
      assert.deepEqual(tasks.body.tasks.map((t: { task_id: string }) => t.task_id), ['extract', 'load', 'transform']);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/tasks/extract')).body.retries, 2);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/tasks/nope')).status, 404);
      const tags = await h.call('GET', '/api/v2/dagTags?tag_name_pattern=ex');
      assert.deepEqual(tags.body, { tags: ['example'], total_entries: 1 });
      assert.equal((await h.call('GET', '/api/v2/dags/nope')).status, 404);
    });

    test('triggering without a logical date makes a run due now with logical_date null; with one, it is kept; a duplicate run id is 409', async () => {
      const none = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'no_date', logical_date: null, conf: { count: 2 } } });
      assert.equal(none.status, 200);
      assert.equal(none.body.logical_date, null);
      assert.ok(Math.abs(Date.parse(none.body.run_after) - Date.now()) < 60_000);
      assert.equal(none.body.state, 'queued');
      assert.equal(none.body.triggering_user_name, 'admin-user');
      const dated = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'dated', logical_date: '2024-01-02T00:00:00Z' } });
      assert.equal(dated.body.logical_date, '2024-01-02T00:00:00.000Z');
      const dup = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'dated' } });
      assert.equal(dup.status, 409);
      const badConf = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'bad', conf: { count: 0 } } });
      assert.equal(badConf.status, 400);
      const badBody = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { execution_date: '2024-01-01T00:00:00Z' } });
      assert.equal(badBody.status, 422, "Airflow 2's execution_date is not a v2 field");
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagRuns/bad')).status, 404, 'nothing was created');
    });

    test('run lists filter by ranges, patterns and states, across DAGs with ~ and in the batch form', async () => {
      const all = await h.call('GET', '/api/v2/dags/~/dagRuns?order_by=-run_after');
      assert.deepEqual(all.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id), ['no_date', 'dated']);
      const ranged = await h.call('GET', '/api/v2/dags/api_etl/dagRuns?logical_date_lt=2024-01-03T00:00:00Z');
      assert.deepEqual(ranged.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id), ['dated']);
      const pattern = await h.call('GET', '/api/v2/dags/api_etl/dagRuns?run_id_pattern=no_');
      assert.deepEqual(pattern.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id), ['no_date']);
      const batch = await h.call('POST', '/api/v2/dags/~/dagRuns/list', { body: { dag_ids: ['api_etl'], states: ['queued'], order_by: 'run_id', page_limit: 1 } });
      assert.deepEqual([batch.body.dag_runs[0].dag_run_id, batch.body.total_entries], ['dated', 2]);
    });

    test('PATCH a run sets its state and note; clear with dry_run lists what it would clear', async () => {
      const r = await h.call('PATCH', '/api/v2/dags/api_etl/dagRuns/dated', { body: { state: 'failed', note: 'checked' } });
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.state, r.body.note], ['failed', 'checked']);
      const bad = await h.call('PATCH', '/api/v2/dags/api_etl/dagRuns/dated', { body: { state: 'running' } });
      assert.equal(bad.status, 422);
      const tis = await h.call('GET', '/api/v2/dags/api_etl/dagRuns/dated/taskInstances');
      assert.equal(tis.status, 200);
      const preview = await h.call('POST', '/api/v2/dags/api_etl/dagRuns/dated/clear', { body: { dry_run: true } });
      assert.equal(preview.status, 200);
      assert.ok(Array.isArray(preview.body.task_instances));
    });

    test('task instances: list with filters, get one, mark with dry run first, tries and a 404 for an unknown task', async () => {
      const list = await h.call('GET', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances?order_by=-task_id');
      assert.deepEqual(list.body.task_instances.map((t: { task_id: string }) => t.task_id), ['transform', 'load', 'extract']);
      assert.equal(list.body.task_instances[0].logical_date, null);
      const one = await h.call('GET', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/extract');
      assert.match(one.body.id, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const dry = await h.call('PATCH', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/extract/dry_run', { body: { new_state: 'success' } });
      assert.equal(dry.body.total_entries, 1);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/extract')).body.state, null, 'a dry run changes nothing');
      const done = await h.call('PATCH', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/extract', { body: { new_state: 'success', note: 'by hand' } });
      assert.deepEqual([done.body.task_instances[0].state, done.body.task_instances[0].note], ['success', 'by hand']);
      const successes = await h.call('GET', '/api/v2/dags/~/dagRuns/~/taskInstances?state=success');
      assert.deepEqual(successes.body.task_instances.map((t: { task_id: string }) => t.task_id), ['extract']);
      const batch = await h.call('POST', '/api/v2/dags/~/dagRuns/~/taskInstances/list', { body: { dag_ids: ['api_etl'], task_ids: ['load'] } });
      assert.equal(batch.body.total_entries, 2);
      const tries = await h.call('GET', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/extract/tries');
      assert.equal(tries.status, 200);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/nope')).status, 404);
      const cleared = await h.call('POST', '/api/v2/dags/api_etl/clearTaskInstances', { body: { dry_run: false, only_failed: false, task_ids: ['extract'], dag_run_id: 'no_date' } });
      assert.equal(cleared.body.total_entries, 1);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances/extract')).body.state, null);
    });

    test('favourites are per user: favorite, filter, details, unfavorite (409 when not a favourite)', async () => {
      assert.equal((await h.call('POST', '/api/v2/dags/api_etl/favorite', { role: 'Viewer' })).status, 204);
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?is_favorite=true', { role: 'Viewer' })).body.dags), ['api_etl']);
      assert.deepEqual(ids((await h.call('GET', '/api/v2/dags?is_favorite=true')).body.dags), [], "another user's favourites are not mine");
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/details', { role: 'Viewer' })).body.is_favorite, true);
      assert.equal((await h.call('POST', '/api/v2/dags/api_etl/unfavorite', { role: 'Viewer' })).status, 204);
      assert.equal((await h.call('POST', '/api/v2/dags/api_etl/unfavorite', { role: 'Viewer' })).status, 409);
      assert.equal((await h.call('POST', '/api/v2/dags/nope/favorite')).status, 404);
    });

    test('bulk task instances: update states and notes, refuse creation, delete one; the external log URL is 400', async () => {
      const base = '/api/v2/dags/api_etl/dagRuns/no_date/taskInstances';
      const r = await h.call('PATCH', base, { body: { actions: [
        { action: 'update', entities: [{ task_id: 'load', new_state: 'skipped', note: 'not today' }] },
        { action: 'create', entities: [{ task_id: 'x' }] },
      ] } });
      assert.deepEqual(r.body.update.success, ['load']);
      assert.equal(r.body.create.errors[0].status_code, 400);
      const load = await h.call('GET', `${base}/load`);
      assert.deepEqual([load.body.state, load.body.note], ['skipped', 'not today']);
      const missing = await h.call('PATCH', base, { body: { actions: [{ action: 'delete', entities: ['transform', 'nope'] }] } });
      assert.equal(missing.body.delete.errors[0].status_code, 404);
      assert.equal((await h.call('GET', `${base}/transform`)).status, 200, 'a failing action deletes nothing');
      assert.equal((await h.call('DELETE', `${base}/transform`)).status, 200);
      assert.equal((await h.call('GET', `${base}/transform`)).status, 404);
      assert.equal((await h.call('GET', `${base}/load/externalLogUrl/1`)).status, 400);
    });

    test('an unknown v2 path is 404 and a wrong method 405, both as {"detail": …}', async () => {
      const r = await h.call('GET', '/api/v2/nothing', { unchecked: true });
      assert.deepEqual([r.status, r.body], [404, { detail: 'Not Found' }]);
      const m = await h.call('PUT', '/api/v2/dags/api_etl', { unchecked: true, body: {} });
      assert.equal(m.status, 405);
      assert.match(m.headers.get('allow') ?? '', /PATCH/);
    });

    test('a Viewer may not trigger or delete; deleting a run is 204 and it is gone', async () => {
      assert.equal((await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { role: 'Viewer', body: {} })).status, 403);
      assert.equal((await h.call('DELETE', '/api/v2/dags/api_etl/dagRuns/dated', { role: 'Viewer' })).status, 403);
      assert.equal((await h.call('DELETE', '/api/v2/dags/api_etl/dagRuns/dated')).status, 204);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl/dagRuns/dated')).status, 404);
    });
  });
}
