/**
 * Every schedule kind creates the runs Airflow would: intervals and cron with catchup, presets
 * without catchup, @once, @continuous, none, paused DAGs, and dataset schedules (with & and |).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const HOUR = 3600_000;
const now = Date.now();
const floorHour = (t: number) => Math.floor(t / HOUR) * HOUR;
const iso = (t: number) => new Date(t).toISOString();

const noop = (id: string, opts: string, extra = '') => `
import { dag, task, Dataset } from 'baton';
export default dag(${opts.replace('__ID__', id)}, () => {
  task('noop', async () => 1)(${extra});
});
`;

const files = {
  'interval.ts': noop('every_hour', `{ id: '__ID__', schedule: { every: '1h' }, startDate: '${iso(floorHour(now) - 3 * HOUR)}', catchup: true }`),
  'cron.ts': noop('cron_hourly_nocatchup', `{ id: '__ID__', schedule: '0 * * * *', startDate: '${iso(floorHour(now) - 24 * HOUR)}', catchup: false }`),
  'once.ts': noop('once', `{ id: '__ID__', schedule: '@once', startDate: '2024-01-01' }`),
  'none.ts': noop('manual_only', `{ id: '__ID__', schedule: null, startDate: '2024-01-01' }`),
  'paused.ts': noop('paused_daily', `{ id: '__ID__', schedule: '@daily', startDate: '2024-01-01', isPausedUponCreation: true }`),
  'continuous.ts': `
import { dag, task } from 'baton';
export default dag({ id: 'continuous', schedule: '@continuous', startDate: '2024-01-01', maxActiveRuns: 1 }, () => {
  task('wait', async () => { await new Promise((r) => setTimeout(r, 150)); return 1; })();
});`,
  'datasets.ts': `
import { dag, task, Dataset } from 'baton';
const a = new Dataset('warehouse://a');
const b = new Dataset('warehouse://b');
export const produceA = dag({ id: 'produce_a', schedule: null }, () => { task({ taskId: 'write', outlets: [a] }, async () => 1)(); });
export const produceB = dag({ id: 'produce_b', schedule: null }, () => { task({ taskId: 'write', outlets: [b] }, async () => 1)(); });
export const failA = dag({ id: 'fail_a', schedule: null }, () => { task({ taskId: 'write', outlets: [a] }, async () => { throw new Error('no'); })(); });
export const onA = dag({ id: 'on_a', schedule: [a] }, () => { task('read', async () => 1)(); });
export const onBoth = dag({ id: 'on_a_and_b', schedule: a.and(b) }, () => { task('read', async () => 1)(); });
export const onEither = dag({ id: 'on_a_or_b', schedule: a.or(b) }, () => { task('read', async () => 1)(); });
`,
};

for (const dialect of eachDialect()) {
  describe(`schedules on ${dialect.name}`, () => {
    let h: EngineHarness;
    before(async () => {
      h = await startHarness(dialect, files);
    });
    after(() => h?.stop());

    const runsOf = (dagId: string) =>
      h.db.selectFrom('dag_run').select(['run_id', 'run_type', 'state', 'logical_date', 'data_interval_start', 'data_interval_end', 'start_date', 'end_date']).where('dag_id', '=', dagId).orderBy('logical_date').execute();

    test('a fixed interval with catchup creates one run per past interval, logical date = interval start', async () => {
      const runs = await h.waitFor('3 interval runs', async () => {
        const r = await runsOf('every_hour');
        return r.length >= 3 && r.every((x) => x.state === 'success') ? r : undefined;
      });
      const start = floorHour(now) - 3 * HOUR;
      assert.deepEqual(runs.map((r) => [r.logical_date, r.data_interval_start, r.data_interval_end, r.run_type]), [0, 1, 2].map((i) => [iso(start + i * HOUR), iso(start + i * HOUR), iso(start + (i + 1) * HOUR), 'scheduled']));
    });

    test('a cron schedule without catchup creates only the latest complete interval', async () => {
      const runs = await h.waitFor('the cron run', async () => {
        const r = await runsOf('cron_hourly_nocatchup');
        return r.length >= 1 ? r : undefined;
      });
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.data_interval_end, iso(floorHour(now)));
      assert.equal(runs[0]!.logical_date, iso(floorHour(now) - HOUR));
    });

    test('@once runs exactly once', async () => {
      await h.waitFor('the @once run', async () => (await runsOf('once')).some((r) => r.state === 'success'));
      h.engine.scheduler!.poke();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await runsOf('once')).length, 1);
    });

    test('a DAG with no schedule and a paused DAG create no runs', async () => {
      h.engine.scheduler!.poke();
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await runsOf('manual_only')).length, 0);
      assert.equal((await runsOf('paused_daily')).length, 0);
    });

    test('@continuous starts a new run as soon as the last finished, never two at once', async () => {
      const runs = await h.waitFor('3 continuous runs', async () => {
        const r = await runsOf('continuous');
        return r.filter((x) => x.state === 'success').length >= 3 ? r : undefined;
      });
      const done = runs.filter((r) => r.end_date);
      for (let i = 1; i < done.length; i++) assert.ok(done[i]!.start_date! >= done[i - 1]!.end_date!, 'runs must not overlap');
    });

    test('a dataset event from a successful producer triggers the consumer once; a failed producer records nothing', async () => {
      const failed = await h.trigger('fail_a');
      assert.equal(await h.waitForRun('fail_a', failed), 'failed');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await runsOf('on_a')).length, 0, 'a failed producer must not trigger');

      const r1 = await h.trigger('produce_a');
      assert.equal(await h.waitForRun('produce_a', r1), 'success');
      const runs = await h.waitFor('the dataset-triggered run', async () => {
        const r = await runsOf('on_a');
        return r.length ? r : undefined;
      });
      assert.equal(runs.length, 1);
      assert.equal(runs[0]!.run_type, 'dataset_triggered');
      const events = await h.db.selectFrom('dagrun_dataset_event').selectAll().execute();
      assert.ok(events.length >= 1);
    });

    test('several events collapse into one run', async () => {
      await h.db.updateTable('dag').set({ is_paused: 1 }).where('dag_id', '=', 'on_a').execute();
      const before = (await runsOf('on_a')).length;
      for (let i = 0; i < 3; i++) assert.equal(await h.waitForRun('produce_a', await h.trigger('produce_a', { logicalDate: new Date(Date.UTC(2030, 0, 1, i)) })), 'success');
      await h.db.updateTable('dag').set({ is_paused: 0 }).where('dag_id', '=', 'on_a').execute();
      h.engine.scheduler!.poke();
      await h.waitFor('one new run', async () => (await runsOf('on_a')).length === before + 1);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await runsOf('on_a')).length, before + 1);
    });

    test('an & condition waits for both datasets; an | condition runs on either', async () => {
      const both = (await runsOf('on_a_and_b')).length;
      const either = (await runsOf('on_a_or_b')).length;
      assert.equal(await h.waitForRun('produce_b', await h.trigger('produce_b')), 'success');
      await h.waitFor('the | consumer', async () => (await runsOf('on_a_or_b')).length > either);
      // `a` already had events queued for on_a_and_b; now `b` completes the condition.
      await h.waitFor('the & consumer', async () => (await runsOf('on_a_and_b')).length > both);
    });
  });
}
