/**
 * Asset aliases through the scheduler (Airflow 3): a task adds events through an alias among its
 * outlets; each records an event for the asset it names, linked to the alias, and resolves the
 * alias to that asset. DAGs scheduled on the alias run on those events, and from then on on any
 * event of the assets it resolved to; a try that adds nothing through the alias triggers nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const files = {
  'aliases.ts': `
import { Asset, AssetAlias, dag, task } from 'baton';
const exportsAlias = new AssetAlias('daily-exports');
const archive = new AssetAlias('archive');
const exported = new Asset('s3://exports/orders');
export const producer = dag({ id: 'alias_producer', schedule: null }, () => {
  task({ taskId: 'export', outlets: [exportsAlias, archive] }, async (_: void, ctx) => {
    if (ctx.dagRun.conf.skip) return 'nothing to export';
    ctx.outletEvents.get(exportsAlias).add(exported, { extra: { rows: 3 } });
    ctx.outletEvents.get(archive).add(exported, { extra: { rows: 3 } });
    return 'exported';
  })();
});
export const wrongAlias = dag({ id: 'alias_not_an_outlet', schedule: null }, () => {
  task({ taskId: 'export', outlets: [exportsAlias] }, async (_: void, ctx) => {
    ctx.outletEvents.get(new AssetAlias('undeclared')).add(exported);
  })();
});
export const plain = dag({ id: 'plain_producer', schedule: null }, () => {
  task({ taskId: 'write', outlets: [exported] }, async () => 1)();
});
export const onAlias = dag({ id: 'on_alias', schedule: exportsAlias }, () => { task('read', async () => 1)(); });
export const onAsset = dag({ id: 'on_asset', schedule: [exported] }, () => { task('read', async () => 1)(); });
`,
};

for (const dialect of eachDialect()) {
  describe(`asset aliases on ${dialect.name}`, () => {
    let h: EngineHarness;
    before(async () => {
      h = await startHarness(dialect, files);
    });
    after(() => h?.stop());

    const runsOf = (dagId: string) => h.db.selectFrom('dag_run').select(['id', 'run_id', 'run_type', 'state']).where('dag_id', '=', dagId).orderBy('id').execute();
    const settle = async () => {
      h.engine.scheduler!.poke();
      await new Promise((r) => setTimeout(r, 400));
    };

    test('a try that adds no event through the alias records nothing and triggers no DAG scheduled on it', async () => {
      assert.equal(await h.waitForRun('alias_producer', await h.trigger('alias_producer', { conf: { skip: true } })), 'success');
      await settle();
      assert.equal((await runsOf('on_alias')).length, 0);
      assert.equal((await h.db.selectFrom('dataset_event').select('id').execute()).length, 0);
      assert.deepEqual((await h.db.selectFrom('asset_alias').select('name').orderBy('name').execute()).map((a) => a.name), ['archive', 'daily-exports'], 'aliases named by DAGs are registered when parsed');
    });

    test('an event added through two aliases is one event for the asset, linked to both, and triggers the DAGs on the alias and on the asset', async () => {
      assert.equal(await h.waitForRun('alias_producer', await h.trigger('alias_producer')), 'success');
      const events = await h.db.selectFrom('dataset_event as e').innerJoin('dataset as d', 'd.id', 'e.dataset_id').select(['e.id', 'd.uri', 'e.extra', 'e.source_dag_id', 'e.source_task_id']).execute();
      assert.equal(events.length, 1);
      assert.deepEqual([events[0]!.uri, JSON.parse(events[0]!.extra), events[0]!.source_dag_id, events[0]!.source_task_id], ['s3://exports/orders', { rows: 3 }, 'alias_producer', 'export']);
      const links = await h.db.selectFrom('asset_alias_asset_event as l').innerJoin('asset_alias as a', 'a.id', 'l.alias_id').select(['a.name', 'l.event_id']).orderBy('a.name').execute();
      assert.deepEqual(links.map((l) => [l.name, l.event_id]), [['archive', events[0]!.id], ['daily-exports', events[0]!.id]]);
      const resolved = await h.db.selectFrom('asset_alias_asset as aa').innerJoin('asset_alias as a', 'a.id', 'aa.alias_id').innerJoin('dataset as d', 'd.id', 'aa.asset_id').select(['a.name', 'd.uri']).orderBy('a.name').execute();
      assert.deepEqual(resolved.map((r) => [r.name, r.uri]), [['archive', 's3://exports/orders'], ['daily-exports', 's3://exports/orders']]);

      const [run] = await h.waitFor('the alias-triggered run', async () => ((await runsOf('on_alias')).length ? runsOf('on_alias') : undefined));
      assert.equal(run!.run_type, 'dataset_triggered');
      const consumed = await h.db.selectFrom('dagrun_dataset_event').select('event_id').where('dag_run_id', '=', run!.id).execute();
      assert.deepEqual(consumed.map((c) => c.event_id), [events[0]!.id]);
      await h.waitFor('the asset-triggered run', async () => (await runsOf('on_asset')).length === 1);
      await settle();
      assert.equal((await runsOf('on_alias')).length, 1, 'one event, one run');
    });

    test('once resolved, an event of the asset from any producer triggers the DAG scheduled on the alias', async () => {
      assert.equal(await h.waitForRun('plain_producer', await h.trigger('plain_producer')), 'success');
      await h.waitFor('a second alias-triggered run', async () => (await runsOf('on_alias')).length === 2);
      await h.waitFor('a second asset-triggered run', async () => (await runsOf('on_asset')).length === 2);
    });

    test('adding an event through an alias that is not among the outlets fails the try and records nothing', async () => {
      const before = (await h.db.selectFrom('dataset_event').select('id').execute()).length;
      const runId = await h.trigger('alias_not_an_outlet');
      assert.equal(await h.waitForRun('alias_not_an_outlet', runId), 'failed');
      assert.equal((await h.db.selectFrom('dataset_event').select('id').execute()).length, before);
      assert.equal(await h.db.selectFrom('asset_alias').select('id').where('name', '=', 'undeclared').executeTakeFirst(), undefined);
    });
  });
}
