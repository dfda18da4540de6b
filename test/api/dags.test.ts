/**
 * DAG endpoints: list with filters and paging, get, pause/unpause one or many, delete, details,
 * tasks, source by file token and re-parse requests; every response checked against the
 * OpenAPI document.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { casTaskInstanceState } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { FIXTURE_DAGS, openApiHarness, type ApiHarness } from './support/api-harness.ts';

for (const dialect of eachDialect()) {
  describe(`DAG endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    const reparsed: string[] = [];
    before(async () => {
      h = await openApiHarness(dialect, { app: { requestReparse: (f) => void reparsed.push(f) } });
    });
    after(() => h?.close());

    test('GET /dags lists the active DAGs by dag_id in the collection envelope', async () => {
      const r = await h.call('GET', '/api/v1/dags');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.dags.map((d: { dag_id: string }) => d.dag_id), FIXTURE_DAGS);
      assert.equal(r.body.total_entries, 4);
      const etl = r.body.dags.find((d: { dag_id: string }) => d.dag_id === 'api_etl');
      assert.deepEqual(etl.tags, [{ name: 'etl' }, { name: 'example' }]);
      assert.deepEqual(etl.schedule_interval, { __type: 'CronExpression', value: '@daily' });
      assert.equal(etl.has_task_concurrency_limits, true);
    });

    test('limit and offset page the list while total_entries counts every match; order_by - sorts descending', async () => {
      const page = await h.call('GET', '/api/v1/dags?limit=2&offset=1');
      assert.deepEqual(page.body.dags.map((d: { dag_id: string }) => d.dag_id), ['api_etl', 'api_mapped']);
      assert.equal(page.body.total_entries, 4);
      const desc = await h.call('GET', '/api/v1/dags?order_by=-dag_id&limit=1');
      assert.equal(desc.body.dags[0].dag_id, 'api_producer');
    });

    test('paging and ordering parameters are validated: limit over 1000, a negative offset, an unknown order_by are 400', async () => {
      for (const q of ['limit=1001', 'limit=abc', 'offset=-1', 'order_by=secret_column', 'paused=maybe']) {
        const r = await h.call('GET', `/api/v1/dags?${q}`);
        assert.equal(r.status, 400, q);
        assert.equal(r.body.title, 'Bad Request');
      }
    });

    test('tags (any of), paused and dag_id_pattern (case-insensitive substring) filter the list', async () => {
      const tagged = await h.call('GET', '/api/v1/dags?tags=datasets&tags=nothing');
      assert.deepEqual(tagged.body.dags.map((d: { dag_id: string }) => d.dag_id), ['api_consumer', 'api_producer']);
      const paused = await h.call('GET', '/api/v1/dags?paused=true');
      assert.deepEqual(paused.body.dags.map((d: { dag_id: string }) => d.dag_id), ['api_mapped']);
      const pattern = await h.call('GET', '/api/v1/dags?dag_id_pattern=PROD');
      assert.deepEqual(pattern.body.dags.map((d: { dag_id: string }) => d.dag_id), ['api_producer']);
      const literal = await h.call('GET', '/api/v1/dags?dag_id_pattern=api%25');
      assert.equal(literal.body.total_entries, 0, 'a % in the pattern matches itself, not anything');
    });

    test('only_active=false also lists DAGs whose file no longer defines them', async () => {
      await h.db.updateTable('dag').set({ is_active: 0 }).where('dag_id', '=', 'api_consumer').execute();
      try {
        assert.equal((await h.call('GET', '/api/v1/dags')).body.total_entries, 3);
        assert.equal((await h.call('GET', '/api/v1/dags?only_active=false')).body.total_entries, 4);
      } finally {
        await h.db.updateTable('dag').set({ is_active: 1 }).where('dag_id', '=', 'api_consumer').execute();
      }
    });

    test('fields returns only the asked fields; an unknown field is a 400', async () => {
      const r = await h.call('GET', '/api/v1/dags/api_etl?fields=dag_id,is_paused');
      assert.deepEqual(r.body, { dag_id: 'api_etl', is_paused: false });
      assert.equal((await h.call('GET', '/api/v1/dags?fields=dag_id,password')).status, 400);
      const list = await h.call('GET', '/api/v1/dags?fields=dag_id,tags,has_import_errors&order_by=dag_id');
      assert.deepEqual(list.body.dags[1], { dag_id: 'api_etl', tags: [{ name: 'etl' }, { name: 'example' }], has_import_errors: false });
      const limits = await h.call('GET', '/api/v1/dags?fields=dag_id,has_task_concurrency_limits&order_by=dag_id');
      assert.deepEqual(limits.body.dags.map((d: { has_task_concurrency_limits: boolean }) => typeof d.has_task_concurrency_limits), ['boolean', 'boolean', 'boolean', 'boolean'], 'a field that needs the serialized DAG is still answered');
    });

    test('GET /dags/{dag_id} answers 404 for an unknown DAG and 400 for an id that could walk a path', async () => {
      const missing = await h.call('GET', '/api/v1/dags/no_such_dag');
      assert.equal(missing.status, 404);
      assert.match(missing.body.detail, /no_such_dag/);
      assert.equal((await h.call('GET', '/api/v1/dags/a%2F..%2Fetc')).status, 400);
    });

    test('PATCH /dags/{dag_id} pauses and unpauses (asking for scheduling on unpause) and accepts an echoed DAG object', async () => {
      const before = h.changes;
      const paused = await h.call('PATCH', '/api/v1/dags/api_etl?update_mask=is_paused', { body: { is_paused: true } });
      assert.equal(paused.status, 200);
      assert.equal(paused.body.is_paused, true);
      assert.equal(h.changes, before, 'pausing needs no scheduling');
      const dag = (await h.call('GET', '/api/v1/dags/api_etl')).body;
      const unpaused = await h.call('PATCH', '/api/v1/dags/api_etl?update_mask=is_paused', { body: { ...dag, is_paused: false } });
      assert.equal(unpaused.body.is_paused, false);
      assert.equal(h.changes, before + 1);
      const log = await h.db.selectFrom('log').selectAll().where('event', '=', 'dag.edit').where('dag_id', '=', 'api_etl').execute();
      assert.equal(log.length, 2);
      assert.equal(log[0]!.owner, 'test-admin');
    });

    test('PATCH /dags/{dag_id} refuses other fields, unknown fields, a missing is_paused and malformed JSON, changing nothing', async () => {
      const cases: Array<[string, unknown, number]> = [
        ['?update_mask=description', { is_paused: true }, 400],
        ['', { is_paused: true, colour: 'red' }, 400],
        ['', {}, 400],
        ['', { is_paused: 'yes' }, 400],
        ['', '{"is_paused": tru', 400],
      ];
      for (const [q, body, status] of cases) {
        const r = await h.call('PATCH', `/api/v1/dags/api_etl${q}`, { body });
        assert.equal(r.status, status, JSON.stringify(body));
      }
      assert.equal((await h.call('GET', '/api/v1/dags/api_etl')).body.is_paused, false);
      const form = await h.call('PATCH', '/api/v1/dags/api_etl', { body: 'is_paused=true', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      assert.equal(form.status, 415);
    });

    test('PATCH /dags pauses every DAG matching dag_id_pattern (~ for all) and requires the pattern', async () => {
      const some = await h.call('PATCH', '/api/v1/dags?dag_id_pattern=api_p', { body: { is_paused: true } });
      assert.deepEqual(some.body.dags.map((d: { dag_id: string; is_paused: boolean }) => [d.dag_id, d.is_paused]), [['api_producer', true]]);
      const all = await h.call('PATCH', '/api/v1/dags?dag_id_pattern=~&update_mask=is_paused', { body: { is_paused: false } });
      assert.equal(all.body.total_entries, 4);
      assert.ok(all.body.dags.every((d: { is_paused: boolean }) => d.is_paused === false));
      assert.equal((await h.call('PATCH', '/api/v1/dags', { body: { is_paused: true } })).status, 400);
    });

    test('GET /dags/{dag_id}/details shows params, catchup, timezone, docs and the dataset expression', async () => {
      const etl = (await h.call('GET', '/api/v1/dags/api_etl/details')).body;
      assert.equal(etl.catchup, false);
      assert.equal(etl.timezone, 'UTC');
      assert.equal(etl.start_date, '2024-01-01T00:00:00.000Z');
      assert.match(etl.doc_md, /A small pipeline/);
      assert.deepEqual(etl.params.count, { __class: 'airflow.models.param.Param', value: 3, description: null, schema: { type: 'integer', minimum: 1 } });
      const consumer = (await h.call('GET', '/api/v1/dags/api_consumer/details')).body;
      assert.deepEqual(consumer.dataset_expression, { all: ['warehouse://orders/daily'] });
      assert.deepEqual(consumer.schedule_interval, { __type: 'CronExpression', value: 'Dataset' });
    });

    test('GET /dags/{dag_id}/tasks lists tasks (order_by supported) and GET /tasks/{task_id} one task; unknown ones are 404', async () => {
      const tasks = (await h.call('GET', '/api/v1/dags/api_etl/tasks')).body.tasks;
      assert.deepEqual(tasks.map((t: { task_id: string }) => t.task_id), ['extract', 'load', 'transform']);
      const extract = tasks[0];
      assert.deepEqual(extract.downstream_task_ids, ['transform']);
      assert.deepEqual(extract.retry_delay, { __type: 'TimeDelta', days: 0, seconds: 30, microseconds: 0 });
      assert.equal(extract.retries, 2);
      const byWeight = (await h.call('GET', '/api/v1/dags/api_etl/tasks?order_by=-priority_weight')).body.tasks;
      assert.equal(byWeight[0].task_id, 'extract');
      const mapped = await h.call('GET', '/api/v1/dags/api_mapped/tasks/square');
      assert.equal(mapped.body.is_mapped, true);
      assert.equal((await h.call('GET', '/api/v1/dags/api_etl/tasks/nope')).status, 404);
      assert.equal((await h.call('GET', '/api/v1/dags/api_etl/tasks?order_by=bogus')).status, 400);
    });

    test('GET /dagSources/{file_token} returns the DAG file as text or JSON, and only for files that define a DAG', async () => {
      const dag = (await h.call('GET', '/api/v1/dags/api_etl')).body;
      const text = await h.call('GET', `/api/v1/dagSources/${dag.file_token}`, { headers: { accept: 'text/plain' } });
      assert.equal(text.status, 200);
      assert.match(text.body, /id: 'api_etl'/);
      const json = await h.call('GET', `/api/v1/dagSources/${dag.file_token}`, { headers: { accept: 'application/json' } });
      assert.match(json.body.content, /id: 'api_etl'/);
      const forged = Buffer.from('/etc/passwd').toString('base64url');
      assert.equal((await h.call('GET', `/api/v1/dagSources/${forged}`)).status, 404);
      assert.equal((await h.call('GET', '/api/v1/dagSources/not*a*token')).status, 404);
      assert.equal((await h.call('GET', `/api/v1/dagSources/${dag.file_token}`, { headers: { accept: 'image/png' } })).status, 406);
    });

    test('PUT /parseDagFile/{file_token} asks for the file to be parsed again', async () => {
      const dag = (await h.call('GET', '/api/v1/dags/api_etl')).body;
      const r = await h.call('PUT', `/api/v1/parseDagFile/${dag.file_token}`);
      assert.equal(r.status, 201);
      assert.deepEqual(reparsed, [dag.fileloc]);
    });

    test('DELETE /dags/{dag_id} refuses while a task runs (409), then deletes the DAG and its runs (204)', async () => {
      const dag = (await new SerializedDagCache().get(h.db, 'api_producer'))!;
      const run = await h.db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: 'to_delete' }));
      const key = { dagId: 'api_producer', runId: run.runId, taskId: 'write_orders', mapIndex: -1 };
      assert.ok(await casTaskInstanceState(h.db, key, 'none', { state: 'running' }));
      const busy = await h.call('DELETE', '/api/v1/dags/api_producer');
      assert.equal(busy.status, 409);
      assert.ok(await casTaskInstanceState(h.db, key, 'running', { state: 'failed' }));
      assert.equal((await h.call('DELETE', '/api/v1/dags/api_producer')).status, 204);
      assert.equal((await h.call('GET', '/api/v1/dags/api_producer')).status, 404);
      assert.equal((await h.db.selectFrom('dag_run').select('id').where('dag_id', '=', 'api_producer').execute()).length, 0);
      assert.equal((await h.call('DELETE', '/api/v1/dags/api_producer')).status, 404);
    });
  });
}
