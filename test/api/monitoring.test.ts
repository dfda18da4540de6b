/**
 * Monitoring and reporting endpoints: health (database, scheduler and triggerer heartbeats),
 * version, config (hidden unless exposed), providers, plugins, import errors, DAG warnings,
 * DAG stats and the event log the API's own changes write to.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { endJob, startJob } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

for (const dialect of eachDialect()) {
  describe(`monitoring endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect);
    });
    after(() => h?.close());

    test('GET /health needs no credentials and reports the scheduler unhealthy until a scheduler job heartbeats', async () => {
      const none = await h.call('GET', '/health', { role: null });
      assert.equal(none.status, 200);
      assert.deepEqual(none.body.metadatabase, { status: 'healthy' });
      assert.deepEqual(none.body.scheduler, { status: 'unhealthy', latest_scheduler_heartbeat: null });
      assert.deepEqual(none.body.triggerer, { status: null, latest_triggerer_heartbeat: null });
      const job = await startJob(h.db, { jobType: 'scheduler' });
      const alive = await h.call('GET', '/api/v1/health', { role: null });
      assert.deepEqual(alive.body.scheduler, { status: 'healthy', latest_scheduler_heartbeat: job.latestHeartbeat });
      await endJob(h.db, job.id, 'success');
      assert.equal((await h.call('GET', '/health', { role: null })).body.scheduler.status, 'unhealthy');
      await startJob(h.db, { jobType: 'triggerer', now: new Date(Date.now() - 3600_000) });
      assert.equal((await h.call('GET', '/health', { role: null })).body.triggerer.status, 'unhealthy', 'a stale heartbeat is unhealthy');
    });

    test('GET /version needs no credentials and gives Baton\'s version', async () => {
      const r = await h.call('GET', '/api/v1/version', { role: null });
      assert.match(r.body.version, /^\d+\.\d+\.\d+/);
      assert.equal(r.body.git_version, null);
    });

    test('GET /config is 403 unless BATON_API_EXPOSE_CONFIG is true; then it lists sections as JSON or INI text, without the database password', async () => {
      assert.equal((await h.call('GET', '/api/v1/config')).status, 403);
      const url = h.config.databaseUrl;
      h.config.apiExposeConfig = true;
      h.config.databaseUrl = 'postgres://baton:topsecret@db.example.com:5432/baton';
      try {
        const r = await h.call('GET', '/api/v1/config');
        const core = r.body.sections.find((s: { name: string }) => s.name === 'core');
        assert.equal(core.options.find((o: { key: string }) => o.key === 'dags_folder').value, h.config.dagsFolder);
        assert.ok(!r.text.includes('topsecret'));
        const text = await h.call('GET', '/api/v1/config?section=database', { headers: { accept: 'text/plain' } });
        assert.match(text.body, /^\[database\]\ndatabase_url = postgres:\/\/baton:\*+@db\.example\.com/);
        const one = await h.call('GET', '/api/v1/config/section/webserver/option/port');
        assert.deepEqual(one.body, { sections: [{ name: 'webserver', options: [{ key: 'port', value: String(h.config.port) }] }] });
        assert.equal((await h.call('GET', '/api/v1/config?section=nope')).status, 404);
        assert.equal((await h.call('GET', '/api/v1/config/section/core/option/nope')).status, 404);
        assert.equal((await h.call('GET', '/api/v1/config', { role: 'User' })).status, 403);
      } finally {
        h.config.apiExposeConfig = false;
        h.config.databaseUrl = url;
      }
    });

    test('GET /providers lists Baton\'s providers; GET /plugins an empty list', async () => {
      const r = await h.call('GET', '/api/v1/providers');
      assert.deepEqual(r.body.providers.map((p: { package_name: string }) => p.package_name), ['duckdb', 'validation', 'http', 'notify', 'objectstore', 'ml'].map((n) => `baton-providers-${n}`));
      assert.equal(r.body.total_entries, 6);
      assert.deepEqual((await h.call('GET', '/api/v1/plugins')).body, { plugins: [], total_entries: 0 });
    });

    test('GET /importErrors lists files that failed to load; GET /importErrors/{id} one of them', async () => {
      const r = await h.call('GET', '/api/v1/importErrors');
      assert.equal(r.body.total_entries, 1);
      const error = r.body.import_errors[0];
      assert.match(error.filename, /api_broken\.ts$/);
      assert.match(error.stack_trace, /fails on purpose/);
      assert.deepEqual((await h.call('GET', `/api/v1/importErrors/${error.import_error_id}`)).body, error);
      assert.equal((await h.call('GET', '/api/v1/importErrors/999999')).status, 404);
      assert.equal((await h.call('GET', '/api/v1/importErrors/abc')).status, 400);
    });

    test('GET /dagWarnings lists warnings, filtered by DAG and type', async () => {
      await h.db.insertInto('dag_warning').values([
        { dag_id: 'api_etl', warning_type: 'non-existent pool', message: 'pool gpu does not exist', timestamp: '2024-01-01T00:00:00.000Z' },
        { dag_id: 'api_mapped', warning_type: 'non-existent pool', message: 'pool cpu does not exist', timestamp: '2024-01-02T00:00:00.000Z' },
      ]).execute();
      const all = await h.call('GET', '/api/v1/dagWarnings?order_by=-timestamp');
      assert.deepEqual(all.body.import_errors.map((w: { dag_id: string }) => w.dag_id), ['api_mapped', 'api_etl']);
      assert.equal((await h.call('GET', '/api/v1/dagWarnings?dag_id=api_etl')).body.total_entries, 1);
      assert.equal((await h.call('GET', '/api/v1/dagWarnings?warning_type=other')).body.total_entries, 0);
    });

    test('GET /dagStats counts each DAG\'s runs in every state, for the DAGs named in dag_ids', async () => {
      await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: { dag_run_id: 'a' } });
      await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: { dag_run_id: 'b', logical_date: '2024-01-01T00:00:00Z' } });
      await h.call('PATCH', '/api/v1/dags/api_etl/dagRuns/b', { body: { state: 'failed' } });
      const r = await h.call('GET', '/api/v1/dagStats?dag_ids=api_etl,api_mapped,unknown');
      assert.deepEqual(r.body, {
        dags: [
          { dag_id: 'api_etl', stats: [{ state: 'queued', count: 1 }, { state: 'running', count: 0 }, { state: 'success', count: 0 }, { state: 'failed', count: 1 }] },
          { dag_id: 'api_mapped', stats: [{ state: 'queued', count: 0 }, { state: 'running', count: 0 }, { state: 'success', count: 0 }, { state: 'failed', count: 0 }] },
        ],
        total_entries: 2,
      });
      assert.equal((await h.call('GET', '/api/v1/dagStats')).status, 400);
    });

    test('changes made through the API are in the event log as the calling user, with Airflow\'s filters', async () => {
      await h.call('POST', '/api/v1/dags/api_etl/dagRuns', { body: { dag_run_id: 'logged', conf: { count: 4 } }, headers: { 'x-test-user': 'alice' } });
      const r = await h.call('GET', '/api/v1/eventLogs?event=dag_run.create&owner=alice');
      assert.equal(r.body.total_entries, 1);
      const entry = r.body.event_logs[0];
      assert.deepEqual([entry.dag_id, entry.run_id, entry.owner], ['api_etl', 'logged', 'alice']);
      assert.ok(entry.execution_date, 'the run\'s logical date');
      assert.deepEqual(JSON.parse(entry.extra).conf, { count: 4 });
      assert.deepEqual((await h.call('GET', `/api/v1/eventLogs/${entry.event_log_id}`)).body, entry);
      const excluded = await h.call('GET', '/api/v1/eventLogs?excluded_events=dag_run.create,dag_run.edit');
      assert.ok(excluded.body.event_logs.every((e: { event: string }) => !e.event.startsWith('dag_run.c') && e.event !== 'dag_run.edit'));
      assert.equal((await h.call('GET', '/api/v1/eventLogs?included_events=dag_run.create&dag_id=api_etl&order_by=-when')).body.total_entries, 3);
      assert.equal((await h.call('GET', '/api/v1/eventLogs?after=2999-01-01T00:00:00Z')).body.total_entries, 0);
      assert.equal((await h.call('GET', '/api/v1/eventLogs/424242')).status, 404);
    });
  });
}
