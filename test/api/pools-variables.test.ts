/**
 * Pool and variable endpoints: CRUD with update_mask, the protected default_pool, slots in use,
 * variables encrypted at rest, and sensitive values masked without a round trip losing them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createDagRun } from '../../src/scheduler/create-run.ts';
import { SerializedDagCache } from '../../src/scheduler/serialized-dags.ts';
import { casTaskInstanceState } from '../../src/store/index.ts';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

for (const dialect of eachDialect()) {
  describe(`pool and variable endpoints on ${dialect.name}`, () => {
    let h: ApiHarness;
    before(async () => {
      h = await openApiHarness(dialect, { encrypt: true });
    });
    after(() => h?.close());

    test('GET /pools shows default_pool with the slots its running and queued task instances take', async () => {
      const dag = (await new SerializedDagCache().get(h.db, 'api_etl'))!;
      const run = await h.db.transaction().execute((trx) => createDagRun(trx, { dag, runType: 'manual', runId: 'busy' }));
      await casTaskInstanceState(h.db, { dagId: 'api_etl', runId: run.runId, taskId: 'extract', mapIndex: -1 }, 'none', { state: 'running' });
      await casTaskInstanceState(h.db, { dagId: 'api_etl', runId: run.runId, taskId: 'load', mapIndex: -1 }, 'none', { state: 'queued' });
      const r = await h.call('GET', '/api/v1/pools');
      assert.equal(r.status, 200);
      const pool = r.body.pools[0];
      assert.deepEqual([pool.name, pool.running_slots, pool.queued_slots, pool.occupied_slots, pool.open_slots], ['default_pool', 1, 1, 2, pool.slots - 2]);
      assert.equal(r.body.total_entries, 1);
    });

    test('POST /pools creates a pool; a taken name is 409; missing or invalid fields are 400', async () => {
      const r = await h.call('POST', '/api/v1/pools', { body: { name: 'gpu', slots: 2, description: 'GPUs' } });
      assert.deepEqual([r.status, r.body.name, r.body.slots, r.body.open_slots, r.body.include_deferred], [200, 'gpu', 2, 2, false]);
      assert.equal((await h.call('POST', '/api/v1/pools', { body: { name: 'gpu', slots: 3 } })).status, 409);
      for (const body of [{ name: 'x' }, { slots: 1 }, { name: 'x', slots: -2 }, { name: 'x', slots: 1.5 }, { name: 'x', slots: 1, color: 'red' }, { name: '', slots: 1 }]) {
        assert.equal((await h.call('POST', '/api/v1/pools', { body })).status, 400, JSON.stringify(body));
      }
      assert.equal((await h.call('POST', '/api/v1/pools', { body: { name: 'y', slots: 1 }, role: 'User' })).status, 403);
    });

    test('PATCH /pools/{name} changes the fields update_mask names, renames a pool, and keeps default_pool\'s name', async () => {
      const slots = await h.call('PATCH', '/api/v1/pools/gpu?update_mask=slots', { body: { name: 'ignored', slots: 4 } });
      assert.deepEqual([slots.body.name, slots.body.slots, slots.body.description], ['gpu', 4, 'GPUs']);
      const renamed = await h.call('PATCH', '/api/v1/pools/gpu', { body: { name: 'accelerators', slots: 5 } });
      assert.deepEqual([renamed.body.name, renamed.body.slots], ['accelerators', 5]);
      assert.equal((await h.call('GET', '/api/v1/pools/gpu')).status, 404);
      await h.call('POST', '/api/v1/pools', { body: { name: 'other', slots: 1 } });
      assert.equal((await h.call('PATCH', '/api/v1/pools/other?update_mask=name', { body: { name: 'accelerators' } })).status, 409);
      assert.equal((await h.call('PATCH', '/api/v1/pools/default_pool?update_mask=name', { body: { name: 'renamed' } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/pools/default_pool?update_mask=slots', { body: { slots: 64 } })).body.slots, 64);
      assert.equal((await h.call('PATCH', '/api/v1/pools/other', { body: { slots: 3 } })).status, 400, 'without a mask name and slots are required');
      assert.equal((await h.call('PATCH', '/api/v1/pools/other?update_mask=colour', { body: { slots: 3 } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/pools/nope?update_mask=slots', { body: { slots: 3 } })).status, 404);
    });

    test('DELETE /pools/{name} deletes a pool; default_pool cannot be deleted (400)', async () => {
      assert.equal((await h.call('DELETE', '/api/v1/pools/default_pool')).status, 400);
      assert.equal((await h.call('DELETE', '/api/v1/pools/other')).status, 204);
      assert.equal((await h.call('DELETE', '/api/v1/pools/other')).status, 404);
      const list = await h.call('GET', '/api/v1/pools?order_by=-name');
      assert.deepEqual(list.body.pools.map((p: { name: string }) => p.name), ['default_pool', 'accelerators']);
    });

    test('POST /variables stores a variable encrypted at rest; GET returns it in clear; the list shows keys and descriptions only', async () => {
      const r = await h.call('POST', '/api/v1/variables', { body: { key: 'region', value: 'eu-west-1', description: 'where' } });
      assert.deepEqual(r.body, { key: 'region', value: 'eu-west-1', description: 'where' });
      const row = await h.db.selectFrom('variable').selectAll().where('key', '=', 'region').executeTakeFirstOrThrow();
      assert.equal(row.is_encrypted, 1);
      assert.notEqual(row.val, 'eu-west-1');
      assert.equal((await h.call('GET', '/api/v1/variables/region')).body.value, 'eu-west-1');
      const list = await h.call('GET', '/api/v1/variables');
      assert.deepEqual(list.body, { variables: [{ key: 'region', description: 'where' }], total_entries: 1 });
      for (const body of [{ key: 'x' }, { value: 'v' }, { key: 'x', value: 3 }, { key: 'x', value: 'v', secret: true }]) {
        assert.equal((await h.call('POST', '/api/v1/variables', { body })).status, 400, JSON.stringify(body));
      }
    });

    test('a sensitive variable is shown as *** and sending *** back keeps its value', async () => {
      await h.call('POST', '/api/v1/variables', { body: { key: 'api_password', value: 's3cret-value' } });
      const shown = await h.call('GET', '/api/v1/variables/api_password');
      assert.equal(shown.body.value, '***');
      await h.call('PATCH', '/api/v1/variables/api_password', { body: { ...shown.body, description: 'rotated monthly' } });
      const stored = await h.db.selectFrom('variable').select(['val', 'description']).where('key', '=', 'api_password').executeTakeFirstOrThrow();
      assert.equal(stored.description, 'rotated monthly');
      assert.equal((await h.call('GET', '/api/v1/variables/api_password')).body.value, '***');
      assert.equal((await h.secrets.getVariable('api_password'))!.value, 's3cret-value');
      const raw = await h.db.selectFrom('variable').select('val').where('key', '=', 'api_password').executeTakeFirstOrThrow();
      assert.ok(!raw.val.includes('s3cret'), 'still encrypted');
    });

    test('PATCH /variables/{key} applies update_mask, and refuses a key that differs from the URL or an unknown variable', async () => {
      const r = await h.call('PATCH', '/api/v1/variables/region?update_mask=description', { body: { key: 'region', value: 'ignored', description: 'the region' } });
      assert.deepEqual([r.body.value, r.body.description], ['eu-west-1', 'the region']);
      assert.equal((await h.call('PATCH', '/api/v1/variables/region', { body: { key: 'regions', value: 'x' } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/variables/region?update_mask=key', { body: { key: 'region' } })).status, 400);
      assert.equal((await h.call('PATCH', '/api/v1/variables/nope', { body: { key: 'nope', value: 'x' } })).status, 404);
    });

    test('variable keys may contain slashes (URL-encoded); DELETE removes a variable', async () => {
      await h.call('POST', '/api/v1/variables', { body: { key: 'team/a', value: '1' } });
      assert.equal((await h.call('GET', `/api/v1/variables/${encodeURIComponent('team/a')}`)).body.value, '1');
      assert.equal((await h.call('DELETE', `/api/v1/variables/${encodeURIComponent('team/a')}`)).status, 204);
      assert.equal((await h.call('GET', `/api/v1/variables/${encodeURIComponent('team/a')}`)).status, 404);
      assert.equal((await h.call('GET', '/api/v1/variables/region', { role: 'User' })).status, 403);
    });
  });
}
