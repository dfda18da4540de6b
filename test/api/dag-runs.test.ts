/**
 * DAG run endpoints: trigger (through createDagRun: conf checked against params, duplicates
 * refused), list (one DAG, `~`, batch), get, set state, clear, note and delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

const RUNS = '/api/v1/dags/api_etl/dagRuns';

for (const dialect of eachDialect()) {
  describe(`DAG run endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect);
    });
    after(() => h?.close());

    const trigger = (body: unknown) => h.call('POST', RUNS, { body });
    const tiStates = async (runId: string) =>
      Object.fromEntries((await h.db.selectFrom('task_instance').select(['task_id', 'state']).where('dag_id', '=', 'api_etl').where('run_id', '=', runId).execute()).map((t) => [t.task_id, t.state]));

    test('POST /dags/{dag_id}/dagRuns creates a queued manual run with its conf, id, logical date and note, and asks for scheduling', async () => {
      const before = h.changes;
      const r = await trigger({ dag_run_id: 'first', logical_date: '2024-02-01T00:00:00Z', conf: { greeting: 'hi', count: 5 }, note: 'by the API' });
      assert.equal(r.status, 200);
      assert.equal(r.body.dag_run_id, 'first');
      assert.equal(r.body.state, 'queued');
      assert.equal(r.body.run_type, 'manual');
      assert.equal(r.body.external_trigger, true);
      assert.equal(r.body.logical_date, '2024-02-01T00:00:00.000Z');
      assert.deepEqual(r.body.conf, { greeting: 'hi', count: 5 });
      assert.equal(r.body.note, 'by the API');
      assert.equal(h.changes, before + 1);
      assert.deepEqual(await tiStates('first'), { extract: 'none', load: 'none', transform: 'none' });
    });

    test('a run id defaults to manual__<logical date>', async () => {
      const r = await trigger({ logical_date: '2024-02-02T00:00:00+00:00' });
      assert.equal(r.body.dag_run_id, 'manual__2024-02-02T00:00:00+00:00');
    });

    test('a duplicate run id or logical date is 409 AlreadyExists', async () => {
      const same = await trigger({ dag_run_id: 'first' });
      assert.equal(same.status, 409);
      assert.match(same.body.type, /AlreadyExists$/);
      assert.equal((await trigger({ dag_run_id: 'other', logical_date: '2024-02-01T00:00:00Z' })).status, 409);
    });

    test('a conf that breaks the params, a bad field or a bad date is 400 and creates nothing', async () => {
      const count = async () => (await h.db.selectFrom('dag_run').select('id').where('dag_id', '=', 'api_etl').execute()).length;
      const n = await count();
      const bad: unknown[] = [
        { conf: { count: 0 } }, { conf: { greeting: 5 } }, { conf: [1, 2] }, { dag_run_id: 'has space' }, { logical_date: '2024-01-01T00:00:00' },
        { logical_date: 'tomorrow' }, { data_interval_start: '2024-01-01T00:00:00Z' }, { surprise: true },
        { logical_date: '2024-03-01T00:00:00Z', execution_date: '2024-03-02T00:00:00Z' },
      ];
      for (const body of bad) assert.equal((await trigger(body)).status, 400, JSON.stringify(body));
      assert.equal(await count(), n);
    });

    test('triggering an unknown DAG is 404; a Viewer may list runs but not trigger one', async () => {
      assert.equal((await h.call('POST', '/api/v1/dags/nope/dagRuns', { body: {} })).status, 404);
      assert.equal((await h.call('POST', RUNS, { body: {}, role: 'Viewer' })).status, 403);
      assert.equal((await h.call('GET', RUNS, { role: 'Viewer' })).status, 200);
    });

    test('GET /dags/{dag_id}/dagRuns lists one DAG or every DAG with ~, filtered by state and dates, paged and ordered', async () => {
      await h.call('POST', '/api/v1/dags/api_producer/dagRuns', { body: { dag_run_id: 'prod_1', logical_date: '2024-01-15T00:00:00Z' } });
      const etl = await h.call('GET', RUNS);
      assert.equal(etl.body.total_entries, 2);
      const all = await h.call('GET', '/api/v1/dags/~/dagRuns?order_by=-execution_date');
      assert.deepEqual(all.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id), ['manual__2024-02-02T00:00:00+00:00', 'first', 'prod_1']);
      const ranged = await h.call('GET', '/api/v1/dags/~/dagRuns?execution_date_gte=2024-01-20T00:00:00Z&execution_date_lte=2024-02-01T00:00:00Z');
      assert.deepEqual(ranged.body.dag_runs.map((r: { dag_run_id: string }) => r.dag_run_id), ['first']);
      const paged = await h.call('GET', '/api/v1/dags/~/dagRuns?limit=1&offset=1&order_by=dag_run_id');
      assert.deepEqual([paged.body.total_entries, paged.body.dag_runs[0].dag_run_id], [3, 'manual__2024-02-02T00:00:00+00:00']);
      assert.equal((await h.call('GET', '/api/v1/dags/~/dagRuns?state=queued&state=running')).body.total_entries, 3);
      assert.equal((await h.call('GET', '/api/v1/dags/~/dagRuns?state=success')).body.total_entries, 0);
      assert.equal((await h.call('GET', '/api/v1/dags/~/dagRuns?state=exploded')).status, 400);
      assert.equal((await h.call('GET', '/api/v1/dags/~/dagRuns?execution_date_gte=yesterday')).status, 400);
      const fields = await h.call('GET', `${RUNS}?fields=dag_run_id,state&order_by=id`);
      assert.deepEqual(fields.body.dag_runs[0], { dag_run_id: 'first', state: 'queued' });
    });

    test('POST /dags/~/dagRuns/list filters by dag_ids and states with page_limit and order_by, and validates its body', async () => {
      const r = await h.call('POST', '/api/v1/dags/~/dagRuns/list', { body: { dag_ids: ['api_producer', 'nope'], states: ['queued'], page_limit: 10, order_by: '-execution_date' } });
      assert.deepEqual(r.body.dag_runs.map((x: { dag_run_id: string }) => x.dag_run_id), ['prod_1']);
      const page = await h.call('POST', '/api/v1/dags/~/dagRuns/list', { body: { page_limit: 1, page_offset: 0, order_by: 'dag_run_id' } });
      assert.deepEqual([page.body.total_entries, page.body.dag_runs.length], [3, 1]);
      for (const body of [{ page_limit: 5000 }, { dag_ids: 'api_etl' }, { pages: 1 }, { order_by: 'nope' }, { execution_date_gte: 'soon' }]) {
        assert.equal((await h.call('POST', '/api/v1/dags/~/dagRuns/list', { body })).status, 400, JSON.stringify(body));
      }
    });

    test('GET /dags/{dag_id}/dagRuns/{dag_run_id} returns one run; an unknown run is 404', async () => {
      const r = await h.call('GET', `${RUNS}/first`);
      assert.equal(r.body.dag_run_id, 'first');
      assert.equal((await h.call('GET', `${RUNS}/missing`)).status, 404);
    });

    test('PATCH a run to success marks its unfinished task instances success; to failed skips those not started; to queued requeues it', async () => {
      await trigger({ dag_run_id: 'marked', logical_date: '2024-03-01T00:00:00Z' });
      const before = h.changes;
      const ok = await h.call('PATCH', `${RUNS}/marked`, { body: { state: 'success' } });
      assert.equal(ok.body.state, 'success');
      assert.ok(ok.body.end_date);
      assert.deepEqual(await tiStates('marked'), { extract: 'success', load: 'success', transform: 'success' });
      assert.equal(h.changes, before + 1);
      await trigger({ dag_run_id: 'failing', logical_date: '2024-03-02T00:00:00Z' });
      assert.equal((await h.call('PATCH', `${RUNS}/failing`, { body: { state: 'failed' } })).body.state, 'failed');
      assert.deepEqual(await tiStates('failing'), { extract: 'skipped', load: 'skipped', transform: 'skipped' });
      const requeued = await h.call('PATCH', `${RUNS}/failing`, { body: { state: 'queued' } });
      assert.deepEqual([requeued.body.state, requeued.body.end_date], ['queued', null]);
      assert.equal((await h.call('PATCH', `${RUNS}/failing`, { body: { state: 'running' } })).status, 400);
      assert.equal((await h.call('PATCH', `${RUNS}/nope`, { body: { state: 'success' } })).status, 404);
    });

    test('POST …/clear previews by default (dry_run) and, with dry_run false, clears the run\'s task instances and requeues it', async () => {
      const preview = await h.call('POST', `${RUNS}/marked/clear`, { body: {} });
      assert.deepEqual(preview.body.task_instances.map((t: { task_id: string; state: string }) => [t.task_id, t.state]), [['extract', 'success'], ['load', 'success'], ['transform', 'success']]);
      assert.equal(preview.body.total_entries, 3);
      assert.equal((await h.call('GET', `${RUNS}/marked`)).body.state, 'success', 'a dry run changes nothing');
      const cleared = await h.call('POST', `${RUNS}/marked/clear`, { body: { dry_run: false } });
      assert.equal(cleared.body.dag_run_id, 'marked');
      assert.equal(cleared.body.state, 'queued');
      assert.deepEqual(await tiStates('marked'), { extract: 'none', load: 'none', transform: 'none' });
      assert.equal((await h.call('POST', `${RUNS}/marked/clear`, { body: { dry_run: 'no' } })).status, 400);
    });

    test('PATCH …/setNote sets the note (and requires one)', async () => {
      const r = await h.call('PATCH', `${RUNS}/first/setNote`, { body: { note: 'checked' } });
      assert.equal(r.body.note, 'checked');
      assert.equal((await h.call('PATCH', `${RUNS}/first/setNote`, { body: {} })).status, 400);
    });

    test('DELETE a run removes it with its task instances', async () => {
      assert.equal((await h.call('DELETE', `${RUNS}/failing`)).status, 204);
      assert.equal((await h.call('GET', `${RUNS}/failing`)).status, 404);
      assert.deepEqual(await tiStates('failing'), {});
      assert.equal((await h.call('DELETE', `${RUNS}/failing`)).status, 404);
    });
  });
}
