/**
 * API v2's pools, variables and connections (one by one and in bulk) and its reports: health,
 * version, config, import errors, DAG warnings, DAG stats, event log, jobs, providers, DAG
 * source and re-parse requests. Every response is checked against openapi-v2.yaml.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileToken } from '../../src/api/views/dag.ts';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

for (const dialect of eachDialect()) {
  describe(`API v2 pools, variables, connections and reports on ${dialect.name}`, () => {
    let h: V2Harness;
    const reparsed: string[] = [];
    before(async () => {
      h = await openV2Harness(dialect, { encrypt: true, app: { requestReparse: (f) => void reparsed.push(f) } });
    });
    after(() => h?.close());

    test('pools: create (201), get, patch with update_mask, list with a name pattern, 409 on a duplicate, default_pool cannot be deleted', async () => {
      const made = await h.call('POST', '/api/v2/pools', { body: { name: 'gpu', slots: 2, description: 'GPUs' } });
      assert.equal(made.status, 201);
      assert.deepEqual([made.body.name, made.body.open_slots], ['gpu', 2]);
      assert.equal((await h.call('POST', '/api/v2/pools', { body: { name: 'gpu', slots: 2 } })).status, 409);
      assert.equal((await h.call('POST', '/api/v2/pools', { body: { name: 'bad', slots: -5 } })).status, 422);
      const patched = await h.call('PATCH', '/api/v2/pools/gpu?update_mask=slots', { body: { slots: 4, description: 'ignored' } });
      assert.deepEqual([patched.body.slots, patched.body.description], [4, 'GPUs']);
      const list = await h.call('GET', '/api/v2/pools?pool_name_pattern=gp');
      assert.deepEqual(list.body.pools.map((p: { name: string }) => p.name), ['gpu']);
      assert.equal((await h.call('DELETE', '/api/v2/pools/default_pool')).status, 400);
      assert.equal((await h.call('GET', '/api/v2/pools', { role: 'Viewer' })).status, 403);
    });

    test('bulk pools: a failing action applies none of its entities; skip and overwrite; delete', async () => {
      const fail = await h.call('PATCH', '/api/v2/pools', { body: { actions: [{ action: 'create', entities: [{ name: 'cpu', slots: 8 }, { name: 'gpu', slots: 1 }] }] } });
      assert.equal(fail.status, 200);
      assert.deepEqual(fail.body.create.success, []);
      assert.equal(fail.body.create.errors[0].status_code, 409);
      assert.equal((await h.call('GET', '/api/v2/pools/cpu')).status, 404, 'nothing of the failed action was created');
      const ok = await h.call('PATCH', '/api/v2/pools', { body: { actions: [
        { action: 'create', action_on_existence: 'skip', entities: [{ name: 'cpu', slots: 8 }, { name: 'gpu', slots: 1 }] },
        { action: 'update', entities: [{ name: 'gpu', slots: 6 }], update_mask: ['slots'] },
        { action: 'delete', entities: ['cpu', 'default_pool'] },
      ] } });
      assert.deepEqual(ok.body.create.success, ['cpu']);
      assert.deepEqual(ok.body.update.success, ['gpu']);
      assert.equal(ok.body.delete.errors[0].status_code, 400, 'default_pool cannot be deleted, so the delete action is refused whole');
      assert.equal((await h.call('GET', '/api/v2/pools/gpu')).body.slots, 6);
      assert.equal((await h.call('GET', '/api/v2/pools/cpu')).status, 200);
      const malformed = await h.call('PATCH', '/api/v2/pools', { body: { actions: [{ action: 'explode', entities: [] }] } });
      assert.equal(malformed.status, 422);
    });

    test('variables: values listed and masked for secret keys, JSON values stored as text, *** sent back keeps the secret, bulk', async () => {
      assert.equal((await h.call('POST', '/api/v2/variables', { body: { key: 'min_f1', value: 0.85, description: 'threshold' } })).status, 201);
      const secret = await h.call('POST', '/api/v2/variables', { body: { key: 'api_token', value: 'xoxb-secret-value' } });
      assert.deepEqual([secret.body.value, secret.body.is_encrypted], ['***', true]);
      const list = await h.call('GET', '/api/v2/variables?order_by=key');
      assert.deepEqual(list.body.variables.map((v: { key: string; value: string }) => [v.key, v.value]), [['api_token', '***'], ['min_f1', '0.85']]);
      await h.call('PATCH', '/api/v2/variables/api_token', { body: { key: 'api_token', value: '***', description: 'kept' } });
      assert.equal((await h.secrets.getVariable('api_token'))!.value, 'xoxb-secret-value');
      assert.equal((await h.call('PATCH', '/api/v2/variables/min_f1', { body: { key: 'other', value: 1 } })).status, 400);
      const bulk = await h.call('PATCH', '/api/v2/variables', { body: { actions: [{ action: 'create', action_on_existence: 'overwrite', entities: [{ key: 'min_f1', value: '0.9' }, { key: 'new_var', value: 'x' }] }, { action: 'delete', action_on_non_existence: 'skip', entities: ['nope', 'new_var'] }] } });
      assert.deepEqual([bulk.body.create.success, bulk.body.delete.success], [['min_f1', 'new_var'], ['new_var']]);
      assert.equal((await h.call('GET', '/api/v2/variables/min_f1')).body.value, '0.9');
      assert.equal((await h.call('DELETE', '/api/v2/variables/new_var')).status, 404);
    });

    test('connections: created encrypted, password never returned, secret extra masked and kept, test, bulk', async () => {
      const made = await h.call('POST', '/api/v2/connections', { body: { connection_id: 'api', conn_type: 'http', host: 'example.com', password: 's3cret', extra: '{"api_key": "k-123456", "timeout": 5}' } });
      assert.equal(made.status, 201);
      assert.equal(made.body.password, null);
      assert.equal(made.body.extra, '{"api_key":"***","timeout":5}');
      assert.equal((await h.call('POST', '/api/v2/connections', { body: { connection_id: 'bad id!', conn_type: 'http' } })).status, 422);
      await h.call('PATCH', '/api/v2/connections/api?update_mask=extra', { body: { connection_id: 'api', conn_type: 'http', extra: '{"api_key": "***", "timeout": 9}' } });
      const stored = await h.secrets.getConnection('api');
      assert.deepEqual([JSON.parse(stored!.extra!), stored!.password, stored!.isEncrypted], [{ api_key: 'k-123456', timeout: 9 }, 's3cret', true]);
      const tested = await h.call('POST', '/api/v2/connections/test', { body: { connection_id: 'x', conn_type: 'ftp' } });
      assert.equal(tested.body.status, false);
      const bulk = await h.call('PATCH', '/api/v2/connections', { body: { actions: [{ action: 'update', entities: [{ connection_id: 'missing', conn_type: 'http' }] }] } });
      assert.equal(bulk.body.update.errors[0].status_code, 404);
      assert.equal((await h.call('DELETE', '/api/v2/connections/api')).status, 204);
    });

    test('health needs no token; version; config is 403 unless exposed', async () => {
      const health = await h.call('GET', '/api/v2/monitor/health', { role: null });
      assert.equal(health.status, 200);
      assert.equal(health.body.metadatabase.status, 'healthy');
      assert.equal((await h.call('GET', '/api/v2/version', { role: null })).status, 200);
      assert.equal((await h.call('GET', '/api/v2/config')).status, 403);
      h.config.apiExposeConfig = true;
      try {
        const cfg = await h.call('GET', '/api/v2/config?section=api');
        assert.ok(cfg.body.sections[0].options.some((o: { key: string }) => o.key === 'api_jwt_expiration'));
        assert.equal((await h.call('GET', '/api/v2/config/section/api/option/api_jwt_expiration')).body.sections[0].options[0].value, '86400');
      } finally {
        h.config.apiExposeConfig = false;
      }
    });

    test('import errors, DAG stats, event log (with patterns), jobs, providers and the DAG source', async () => {
      const errors = await h.call('GET', '/api/v2/importErrors?filename_pattern=broken');
      assert.equal(errors.body.total_entries, 1);
      const one = await h.call('GET', `/api/v2/importErrors/${errors.body.import_errors[0].import_error_id}`);
      assert.match(one.body.stack_trace, /./);
      assert.equal((await h.call('GET', '/api/v2/importErrors/999999')).status, 404);
      await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'stats_run', logical_date: null } });
      const stats = await h.call('GET', '/api/v2/dagStats?dag_ids=api_etl');
      assert.deepEqual(stats.body.dags[0].stats.find((s: { state: string }) => s.state === 'queued').count, 1);
      const logs = await h.call('GET', '/api/v2/eventLogs?event_pattern=pool.|variable.&order_by=-id&limit=3');
      assert.equal(logs.body.event_logs.length, 3);
      assert.ok(logs.body.event_logs.every((l: { event: string; owner: string }) => /^(pool|variable)\./.test(l.event) && l.owner === 'admin-user'));
      assert.equal((await h.call('GET', `/api/v2/eventLogs/${logs.body.event_logs[0].event_log_id}`)).status, 200);
      assert.equal((await h.call('GET', '/api/v2/jobs')).status, 200);
      assert.ok((await h.call('GET', '/api/v2/providers')).body.total_entries > 0);
      const src = await h.call('GET', '/api/v2/dagSources/api_etl');
      assert.match(src.body.content, /api_etl/);
      assert.equal((await h.call('GET', '/api/v2/dagWarnings')).status, 200);
    });

    test('PUT /parseDagFile/{file_token} asks for the file to be parsed again; an unknown token is 404', async () => {
      const dag = await h.call('GET', '/api/v2/dags/api_etl');
      assert.equal((await h.call('PUT', `/api/v2/parseDagFile/${dag.body.file_token}`)).status, 201);
      assert.deepEqual(reparsed, [dag.body.fileloc]);
      assert.equal((await h.call('PUT', `/api/v2/parseDagFile/${fileToken('/etc/passwd')}`)).status, 404);
    });
  });
}
