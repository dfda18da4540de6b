/**
 * Assets through API v2: the same rows and events as v1's datasets; listing, events created
 * through the API queue the consuming DAG (seen as a queued event, and cleared), materializing
 * triggers the producing DAG, and v1 and v2 see the same event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { recordAliasEvents } from '../../src/scheduler/datasets.ts';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

const URI = 'warehouse://orders/daily';

const files = {
  'api_assets_v3.ts': `
import { Asset, asset, dag, task } from 'baton';
export const rawEvents = asset({ name: 'raw_events', uri: 'lake://raw/events', schedule: null, tags: ['assets'] }, async () => 'loaded');
const clicks = new Asset({ name: 'clicks', uri: 'lake://clicks' });
export const both = dag({ id: 'api_asset_consumer', schedule: rawEvents.and(clicks) }, () => {
  task('read_both', async () => 'read')();
});`,
  'api_aliases.ts': `
import { Asset, AssetAlias, dag, task } from 'baton';
const exportsAlias = new AssetAlias('daily-exports');
export const producer = dag({ id: 'api_alias_producer', schedule: null }, () => {
  task({ taskId: 'export', outlets: [exportsAlias, new AssetAlias('archive')] }, async (_: void, ctx) => { ctx.outletEvents.get(exportsAlias).add(new Asset('mart://exports/a')); })();
});
export const consumer = dag({ id: 'api_alias_consumer', schedule: exportsAlias.or(new Asset('mart://manual')) }, () => {
  task('read', async () => 'read')();
});`,
};

for (const dialect of eachDialect()) {
  describe(`API v2 assets on ${dialect.name}`, () => {
    let h: V2Harness;
    let assetId: number;
    before(async () => {
      h = await openV2Harness(dialect, { files });
    });
    after(() => h?.close());

    test('GET /assets lists datasets as assets with their scheduled DAGs and producing tasks', async () => {
      const r = await h.call('GET', '/api/v2/assets?name_pattern=orders');
      assert.equal(r.body.total_entries, 1);
      const a = r.body.assets[0];
      assetId = a.id;
      assert.deepEqual([a.uri, a.name, a.group], [URI, URI, 'asset']);
      assert.deepEqual(a.scheduled_dags.map((d: { dag_id: string }) => d.dag_id), ['api_consumer']);
      assert.deepEqual(a.producing_tasks.map((t: { task_id: string }) => t.task_id), ['write_orders']);
      assert.equal((await h.call('GET', `/api/v2/assets/${assetId}`)).body.uri, URI);
      assert.equal((await h.call('GET', '/api/v2/assets/999999')).status, 404);
      assert.equal((await h.call('GET', '/api/v2/assets/abc')).status, 422);
    });

    test('an event created through v2 queues the consumer, is listed by v1 and v2, and the queue can be read and cleared', async () => {
      const made = await h.call('POST', '/api/v2/assets/events', { body: { asset_id: assetId, extra: { rows: 10 } } });
      assert.equal(made.status, 200);
      assert.deepEqual(made.body.extra, { rows: 10, from_rest_api: true });
      assert.equal((await h.call('POST', '/api/v2/assets/events', { body: { asset_id: 999999 } })).status, 404);
      assert.equal((await h.call('POST', '/api/v2/assets/events', { body: { asset_uri: URI } })).status, 422);
      const v2 = await h.call('GET', `/api/v2/assets/events?asset_id=${assetId}`);
      assert.deepEqual(v2.body.asset_events.map((e: { id: number }) => e.id), [made.body.id]);
      const v1 = await h.app.request('/api/v1/datasets/events', { headers: { authorization: `Bearer ${h.tokens.Admin}` } });
      assert.equal(v1.status, 401, 'v1 does not take v2 access tokens');
      const queued = await h.call('GET', `/api/v2/assets/${assetId}/queuedEvents`);
      assert.deepEqual(queued.body.queued_events.map((q: { dag_id: string }) => q.dag_id), ['api_consumer']);
      assert.equal((await h.call('GET', `/api/v2/dags/api_consumer/assets/${assetId}/queuedEvents`)).body.dag_id, 'api_consumer');
      assert.equal((await h.call('DELETE', '/api/v2/dags/api_consumer/assets/queuedEvents')).status, 204);
      assert.equal((await h.call('GET', '/api/v2/dags/api_consumer/assets/queuedEvents')).status, 404);
      assert.equal((await h.call('POST', '/api/v2/assets/events', { role: 'Viewer', body: { asset_id: assetId } })).status, 403);
    });

    test('materializing an asset triggers the DAG that produces it', async () => {
      const r = await h.call('POST', `/api/v2/assets/${assetId}/materialize`);
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.dag_id, r.body.run_type, r.body.state], ['api_producer', 'manual', 'queued']);
    });

    test("an asset() definition is a DAG producing the asset, and DAGs schedule on it with Asset's and()", async () => {
      const producer = await h.call('GET', '/api/v2/dags/raw_events/details');
      assert.equal(producer.status, 200);
      assert.deepEqual(producer.body.tags.map((t: { name: string }) => t.name), ['assets']);
      const assets = await h.call('GET', '/api/v2/assets?uri_pattern=lake://&order_by=uri');
      assert.deepEqual(assets.body.assets.map((a: { uri: string }) => a.uri), ['lake://clicks', 'lake://raw/events']);
      const raw = assets.body.assets[1];
      assert.deepEqual(raw.producing_tasks.map((t: { dag_id: string; task_id: string }) => [t.dag_id, t.task_id]), [['raw_events', 'raw_events']]);
      assert.deepEqual(raw.scheduled_dags.map((d: { dag_id: string }) => d.dag_id), ['api_asset_consumer']);
      const consumer = await h.call('GET', '/api/v2/dags/api_asset_consumer/details');
      assert.deepEqual(consumer.body.asset_expression, { all: [{ asset: { uri: 'lake://raw/events', name: 'lake://raw/events', group: 'asset' } }, { asset: { uri: 'lake://clicks', name: 'lake://clicks', group: 'asset' } }] });
      const made = await h.call('POST', `/api/v2/assets/${raw.id}/materialize`);
      assert.deepEqual([made.status, made.body.dag_id], [200, 'raw_events']);
    });

    test('asset aliases are listed (name_pattern, order_by, paging) and read by id, as the spec shapes them', async () => {
      const all = await h.call('GET', '/api/v2/assets/aliases');
      assert.deepEqual(all.body.asset_aliases.map((a: { name: string; group: string }) => [a.name, a.group]), [['daily-exports', 'asset'], ['archive', 'asset']]);
      assert.equal(all.body.total_entries, 2);
      const byName = await h.call('GET', '/api/v2/assets/aliases?order_by=-name&limit=1');
      assert.deepEqual([byName.body.asset_aliases.map((a: { name: string }) => a.name), byName.body.total_entries], [['daily-exports'], 2]);
      const found = await h.call('GET', '/api/v2/assets/aliases?name_pattern=%25export%25');
      assert.deepEqual(found.body.asset_aliases.map((a: { name: string }) => a.name), ['daily-exports']);
      const one = await h.call('GET', `/api/v2/assets/aliases/${found.body.asset_aliases[0].id}`);
      assert.deepEqual(one.body, found.body.asset_aliases[0]);
      const missing = await h.call('GET', '/api/v2/assets/aliases/999999');
      assert.deepEqual([missing.status, missing.body.detail], [404, 'The Asset Alias with ID: `999999` was not found']);
      assert.equal((await h.call('GET', '/api/v2/assets/aliases/abc')).status, 422);
      assert.equal((await h.call('GET', '/api/v2/assets/aliases?order_by=group')).status, 400);
      assert.equal((await h.call('GET', '/api/v2/assets/aliases', { role: null })).status, 401);
      const consumer = await h.call('GET', '/api/v2/dags/api_alias_consumer/details');
      assert.deepEqual(consumer.body.asset_expression, { any: [{ alias: { name: 'daily-exports', group: 'asset' } }, { asset: { uri: 'mart://manual', name: 'mart://manual', group: 'asset' } }] });
    });

    test('an asset an alias resolved to lists the alias, and the DAGs scheduled on the alias among its scheduled_dags', async () => {
      await h.db.transaction().execute((trx) => recordAliasEvents(trx, [{ uri: 'mart://exports/a', extra: { part: 1 }, aliases: ['daily-exports'] }], { dagId: 'api_alias_producer', taskId: 'export', runId: 'manual__1', mapIndex: -1 }));
      const assets = await h.call('GET', '/api/v2/assets?uri_pattern=mart://exports/a');
      const a = assets.body.assets[0];
      assert.deepEqual(a.aliases.map((x: { name: string; group: string }) => [x.name, x.group]), [['daily-exports', 'asset']]);
      assert.deepEqual(a.scheduled_dags.map((d: { dag_id: string }) => d.dag_id), ['api_alias_consumer']);
      const forDag = await h.call('GET', '/api/v2/assets?dag_ids=api_alias_consumer&order_by=uri');
      assert.deepEqual(forDag.body.assets.map((x: { uri: string }) => x.uri), ['mart://exports/a', 'mart://manual']);
      const events = await h.call('GET', `/api/v2/assets/events?asset_id=${a.id}`);
      assert.deepEqual([events.body.total_entries, events.body.asset_events[0].extra, events.body.asset_events[0].source_task_id], [1, { part: 1 }, 'export']);
      const queued = await h.call('GET', `/api/v2/assets/${a.id}/queuedEvents`);
      assert.deepEqual(queued.body.queued_events.map((q: { dag_id: string }) => q.dag_id), ['api_alias_consumer'], 'the event queued the DAG scheduled on the alias');
      const unresolved = (await h.call('GET', '/api/v2/assets?uri_pattern=mart://manual')).body.assets[0];
      assert.deepEqual(unresolved.aliases, []);
    });
  });
}
