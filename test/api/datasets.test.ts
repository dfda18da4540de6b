/**
 * Dataset endpoints: list and get datasets, list events, record an external event (which queues
 * the consuming DAG as a producing task's success does, so the scheduler creates its run),
 * queued events per DAG and per dataset, and the events behind a dataset-triggered run.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDatasetRuns } from '../../src/scheduler/dataset-runs.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

const URI = 'warehouse://orders/daily';
const ENCODED = encodeURIComponent(URI);

for (const dialect of eachDialect()) {
  describe(`dataset endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect, {
        files: { 'api_more.ts': `import { Dataset, dag, task } from 'baton';\nexport default dag({ id: 'api_more', schedule: null }, () => { task({ taskId: 'w', outlets: [new Dataset('s3://bucket/raw.csv')] }, async () => 1)(); });` },
      });
    });
    after(() => h?.close());

    test('GET /datasets lists datasets with the DAGs consuming them and the tasks producing them', async () => {
      const r = await h.call('GET', '/api/v1/datasets');
      assert.equal(r.status, 200);
      assert.deepEqual(r.body.datasets.map((d: { uri: string }) => d.uri).sort(), ['s3://bucket/raw.csv', URI]);
      const orders = r.body.datasets.find((d: { uri: string }) => d.uri === URI);
      assert.deepEqual(orders.consuming_dags.map((c: { dag_id: string }) => c.dag_id), ['api_consumer']);
      assert.deepEqual(orders.producing_tasks.map((p: { dag_id: string; task_id: string }) => [p.dag_id, p.task_id]), [['api_producer', 'write_orders']]);
      assert.deepEqual(orders.extra, {});
    });

    test('uri_pattern, dag_ids, paging and order_by narrow the dataset list', async () => {
      assert.deepEqual((await h.call('GET', '/api/v1/datasets?uri_pattern=BUCKET')).body.datasets.map((d: { uri: string }) => d.uri), ['s3://bucket/raw.csv']);
      assert.deepEqual((await h.call('GET', '/api/v1/datasets?dag_ids=api_consumer,nope')).body.datasets.map((d: { uri: string }) => d.uri), [URI]);
      const page = await h.call('GET', '/api/v1/datasets?order_by=-uri&limit=1');
      assert.deepEqual([page.body.datasets[0].uri, page.body.total_entries], [URI, 2]);
      assert.equal((await h.call('GET', '/api/v1/datasets?order_by=extra')).status, 400);
    });

    test('GET /datasets/{uri} finds a dataset by its URL-encoded URI; an unknown one is 404', async () => {
      const r = await h.call('GET', `/api/v1/datasets/${ENCODED}`);
      assert.equal(r.body.uri, URI);
      assert.equal((await h.call('GET', `/api/v1/datasets/${encodeURIComponent('warehouse://nothing')}`)).status, 404);
    });

    test('POST /datasets/events records an external event and queues the consuming DAG, whose dataset-triggered run the scheduler then creates', async () => {
      const before = h.changes;
      const r = await h.call('POST', '/api/v1/datasets/events', { body: { dataset_uri: URI, extra: { batch: 7 } }, role: 'Op' });
      assert.equal(r.status, 200);
      assert.equal(r.body.dataset_uri, URI);
      assert.deepEqual(r.body.extra, { batch: 7, from_rest_api: true });
      assert.equal(r.body.source_dag_id, null);
      assert.equal(h.changes, before + 1);
      const queued = await h.db.selectFrom('dataset_dag_run_queue').select('target_dag_id').execute();
      assert.deepEqual(queued.map((q) => q.target_dag_id), ['api_consumer']);
      const created = await createDatasetRuns(h.db, new SerializedDagCache(), new Date(), null);
      assert.deepEqual(created.map((c) => c.dagId), ['api_consumer']);
      const run = await h.call('GET', `/api/v1/dags/api_consumer/dagRuns/${encodeURIComponent(created[0]!.runId)}`);
      assert.equal(run.body.run_type, 'dataset_triggered');
      const upstream = await h.call('GET', `/api/v1/dags/api_consumer/dagRuns/${encodeURIComponent(created[0]!.runId)}/upstreamDatasetEvents`);
      assert.deepEqual(upstream.body.dataset_events.map((e: { id: number }) => e.id), [r.body.id]);
      const events = await h.call('GET', `/api/v1/datasets/events?dataset_id=${r.body.dataset_id}`);
      assert.deepEqual(events.body.dataset_events[0].created_dagruns.map((x: { dag_id: string }) => x.dag_id), ['api_consumer']);
    });

    test('recording an event needs the Datasets create permission, a known dataset and a valid body', async () => {
      assert.equal((await h.call('POST', '/api/v1/datasets/events', { body: { dataset_uri: URI }, role: 'User' })).status, 403);
      assert.equal((await h.call('POST', '/api/v1/datasets/events', { body: { dataset_uri: 'warehouse://nothing' } })).status, 404);
      for (const body of [{}, { dataset_uri: URI, extra: 'text' }, { dataset_uri: URI, source: 'me' }]) {
        assert.equal((await h.call('POST', '/api/v1/datasets/events', { body })).status, 400, JSON.stringify(body));
      }
      assert.equal((await h.db.selectFrom('dataset_dag_run_queue').select('target_dag_id').execute()).length, 0, 'a refused event queues nothing');
    });

    test('GET /datasets/events filters by source and pages newest first with order_by=-timestamp', async () => {
      await h.call('POST', '/api/v1/datasets/events', { body: { dataset_uri: 's3://bucket/raw.csv' } });
      const all = await h.call('GET', '/api/v1/datasets/events?order_by=-timestamp');
      assert.equal(all.body.total_entries, 2);
      assert.equal(all.body.dataset_events[0].dataset_uri, 's3://bucket/raw.csv');
      assert.equal((await h.call('GET', '/api/v1/datasets/events?source_dag_id=api_producer')).body.total_entries, 0);
      assert.equal((await h.call('GET', '/api/v1/datasets/events?dataset_id=x')).status, 400);
    });

    test('queued events are listed per DAG, per dataset and for one DAG and dataset, and can be deleted', async () => {
      await h.call('POST', '/api/v1/datasets/events', { body: { dataset_uri: URI } });
      const perDag = await h.call('GET', '/api/v1/dags/api_consumer/datasets/queuedEvent');
      assert.deepEqual(perDag.body.datasets.map((q: { uri: string; dag_id: string }) => [q.dag_id, q.uri]), [['api_consumer', URI]]);
      assert.equal((await h.call('GET', `/api/v1/datasets/queuedEvent/${ENCODED}`)).body.total_entries, 1);
      const one = await h.call('GET', `/api/v1/dags/api_consumer/datasets/queuedEvent/${ENCODED}`);
      assert.deepEqual([one.body.dag_id, one.body.uri], ['api_consumer', URI]);
      assert.equal((await h.call('GET', '/api/v1/dags/api_consumer/datasets/queuedEvent?before=2000-01-01T00:00:00Z')).status, 404);
      assert.equal((await h.call('DELETE', `/api/v1/dags/api_consumer/datasets/queuedEvent/${ENCODED}`, { role: 'User' })).status, 403);
      assert.equal((await h.call('DELETE', `/api/v1/dags/api_consumer/datasets/queuedEvent/${ENCODED}`)).status, 204);
      assert.equal((await h.call('GET', '/api/v1/dags/api_consumer/datasets/queuedEvent')).status, 404);
      assert.equal((await h.call('DELETE', `/api/v1/datasets/queuedEvent/${ENCODED}`)).status, 404);
      await h.call('POST', '/api/v1/datasets/events', { body: { dataset_uri: URI } });
      assert.equal((await h.call('DELETE', '/api/v1/dags/api_consumer/datasets/queuedEvent')).status, 204);
      assert.equal((await h.call('GET', '/api/v1/dags/nope/datasets/queuedEvent')).status, 404);
    });
  });
}
