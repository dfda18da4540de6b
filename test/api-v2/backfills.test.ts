/**
 * Backfills through API v2: dry runs and creation follow `reprocess_behavior` exactly over a
 * range that already has runs (never a second run for a date), one active backfill per DAG,
 * the scheduler's start of queued runs honours pause and `max_active_runs` and completes the
 * backfill, cancel fails the queued runs; and with the real engine a backfill runs to the end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startQueuedRuns } from '../../src/scheduler/start-queued-runs.ts';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

const day = (d: number) => `2024-01-0${d}T00:00:00.000Z`;

for (const dialect of eachDialect()) {
  describe(`API v2 backfills on ${dialect.name}`, () => {
    let h: V2Harness;
    before(async () => {
      h = await openV2Harness(dialect);
      // Existing runs: Jan 1 succeeded, Jan 2 failed, Jan 3 is running; Jan 4 and 5 have none.
      for (const [d, state] of [[1, 'success'], [2, 'failed'], [3, 'running']] as const) {
        const r = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: `old_${d}`, logical_date: day(d) } });
        assert.equal(r.status, 200);
        await h.db.updateTable('dag_run').set({ state }).where('run_id', '=', `old_${d}`).execute();
      }
    });
    after(() => h?.close());

    const body = (reprocess: string, extra: Record<string, unknown> = {}) => ({ dag_id: 'api_etl', from_date: day(1), to_date: day(5), reprocess_behavior: reprocess, ...extra });
    const dates = (r: { body: { backfills: Array<{ logical_date: string }> } }) => r.body.backfills.map((b) => b.logical_date);

    test('dry runs list exactly the dates each reprocess_behavior would run, and create nothing', async () => {
      assert.deepEqual(dates(await h.call('POST', '/api/v2/backfills/dry_run', { body: body('none') })), [day(4), day(5)]);
      assert.deepEqual(dates(await h.call('POST', '/api/v2/backfills/dry_run', { body: body('failed') })), [day(2), day(4), day(5)]);
      assert.deepEqual(dates(await h.call('POST', '/api/v2/backfills/dry_run', { body: body('completed') })), [day(1), day(2), day(4), day(5)]);
      assert.deepEqual(dates(await h.call('POST', '/api/v2/backfills/dry_run', { body: body('none', { run_backwards: true }) })), [day(5), day(4)]);
      assert.equal((await h.call('GET', '/api/v2/backfills?dag_id=api_etl')).body.total_entries, 0);
    });

    test('bad requests: reversed range, unknown DAG, a DAG without a schedule, an unknown reprocess_behavior', async () => {
      assert.equal((await h.call('POST', '/api/v2/backfills', { body: { ...body('none'), from_date: day(5), to_date: day(1) } })).status, 400);
      assert.equal((await h.call('POST', '/api/v2/backfills', { body: { ...body('none'), dag_id: 'nope' } })).status, 404);
      assert.equal((await h.call('POST', '/api/v2/backfills', { body: { ...body('none'), dag_id: 'api_producer' } })).status, 400);
      assert.equal((await h.call('POST', '/api/v2/backfills', { body: body('sometimes') })).status, 422);
      assert.equal((await h.call('POST', '/api/v2/backfills', { body: body('none', { max_active_runs: 0 }) })).status, 400);
      assert.equal((await h.call('GET', '/api/v2/backfills?dag_id=api_etl')).body.total_entries, 0, 'nothing was created');
      assert.equal((await h.call('GET', '/api/v2/backfills')).status, 422, 'dag_id is required');
    });

    test("reprocess_behavior 'failed' reuses the failed run, leaves the others, creates the missing ones, and never duplicates a date", async () => {
      const r = await h.call('POST', '/api/v2/backfills', { body: body('failed', { max_active_runs: 2 }) });
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.reprocess_behavior, r.body.max_active_runs, r.body.is_paused, r.body.completed_at], ['failed', 2, false, null]);
      const runs = await h.db.selectFrom('dag_run').select(['run_id', 'logical_date', 'state', 'backfill_id']).where('dag_id', '=', 'api_etl').orderBy('logical_date').execute();
      assert.deepEqual(runs.map((x) => x.logical_date), [day(1), day(2), day(3), day(4), day(5)], 'one run per date');
      assert.deepEqual(runs.map((x) => [x.run_id.startsWith('old_') ? x.run_id : 'new', x.state, x.backfill_id === r.body.id]), [
        ['old_1', 'success', false], ['old_2', 'queued', true], ['old_3', 'running', false], ['new', 'queued', true], ['new', 'queued', true],
      ]);
      const again = await h.call('POST', '/api/v2/backfills', { body: body('completed') });
      assert.equal(again.status, 409, 'one active backfill per DAG');
    });

    test('the scheduler starts at most max_active_runs, nothing while paused, and completes the backfill', async () => {
      const [b] = (await h.call('GET', '/api/v2/backfills?dag_id=api_etl')).body.backfills;
      const running = async () => (await h.db.selectFrom('dag_run').select('run_id').where('backfill_id', '=', b.id).where('state', '=', 'running').execute()).length;
      await startQueuedRuns(h.db);
      assert.equal(await running(), 2);
      assert.equal((await h.call('PUT', `/api/v2/backfills/${b.id}/pause`)).body.is_paused, true);
      await h.db.updateTable('dag_run').set({ state: 'success' }).where('backfill_id', '=', b.id).where('state', '=', 'running').execute();
      await startQueuedRuns(h.db);
      assert.equal(await running(), 0, 'a paused backfill starts nothing');
      assert.equal((await h.call('PUT', `/api/v2/backfills/${b.id}/unpause`, { role: 'Viewer' })).status, 403);
      await h.call('PUT', `/api/v2/backfills/${b.id}/unpause`);
      await startQueuedRuns(h.db);
      assert.equal(await running(), 1);
      await h.db.updateTable('dag_run').set({ state: 'success' }).where('backfill_id', '=', b.id).execute();
      await startQueuedRuns(h.db);
      const done = await h.call('GET', `/api/v2/backfills/${b.id}`);
      assert.ok(done.body.completed_at, 'completed once none of its runs is queued or running');
      assert.equal((await h.call('PUT', `/api/v2/backfills/${b.id}/pause`)).status, 409);
      assert.equal((await h.call('GET', '/api/v2/backfills/999999')).status, 404);
    });

    test('cancel fails the queued runs and completes the backfill; cancelling again is 409', async () => {
      await h.db.updateTable('dag_run').set({ state: 'failed' }).where('run_id', '=', 'old_1').execute();
      const r = await h.call('POST', '/api/v2/backfills', { body: body('failed') });
      assert.equal(r.status, 200);
      const cancelled = await h.call('PUT', `/api/v2/backfills/${r.body.id}/cancel`);
      assert.ok(cancelled.body.completed_at);
      assert.equal((await h.db.selectFrom('dag_run').select('state').where('run_id', '=', 'old_1').executeTakeFirstOrThrow()).state, 'failed');
      assert.equal((await h.call('PUT', `/api/v2/backfills/${r.body.id}/cancel`)).status, 409);
    });
  });

  describe(`a backfill run by the real engine on ${dialect.name}`, () => {
    let h: V2Harness;
    before(async () => {
      h = await openV2Harness(dialect, { engine: true });
    });
    after(() => h?.close());

    /** Waits (up to a minute) until the backfill is completed, and asserts it is. */
    const untilCompleted = async (created: { id: number; completed_at: string | null }) => {
      const deadline = Date.now() + 60_000;
      let b = created;
      while (!b.completed_at && Date.now() < deadline) {
        await new Promise((res) => setTimeout(res, 200));
        b = (await h.call('GET', `/api/v2/backfills/${created.id}`)).body;
      }
      assert.ok(b.completed_at, 'the backfill completed');
    };

    test('every date runs to success, never more than max_active_runs at once, and the backfill completes', async () => {
      const r = await h.call('POST', '/api/v2/backfills', { body: { dag_id: 'api_etl', from_date: day(1), to_date: day(3), max_active_runs: 1 } });
      assert.equal(r.status, 200);
      await untilCompleted(r.body);
      const runs = (await h.call('GET', '/api/v2/dags/api_etl/dagRuns?run_type=backfill&order_by=logical_date')).body.dag_runs;
      assert.deepEqual(runs.map((x: { logical_date: string; state: string }) => [x.logical_date, x.state]), [[day(1), 'success'], [day(2), 'success'], [day(3), 'success']]);
      for (let i = 1; i < runs.length; i++) assert.ok(runs[i].start_date >= runs[i - 1].end_date, 'one run at a time');
    });

    test('a paused DAG: the backfill creates and reprocesses runs, all run to the end, one run per date, and the DAG stays paused', async () => {
      // Paused first, so the engine never starts the manual run: it is then marked failed.
      await h.call('PATCH', '/api/v2/dags/api_etl', { body: { is_paused: true } });
      const old = await h.call('POST', '/api/v2/dags/api_etl/dagRuns', { body: { dag_run_id: 'failed_manual', logical_date: day(7) } });
      assert.equal(old.status, 200);
      await h.db.updateTable('dag_run').set({ state: 'failed' }).where('run_id', '=', 'failed_manual').execute();
      const r = await h.call('POST', '/api/v2/backfills', { body: { dag_id: 'api_etl', from_date: day(6), to_date: day(7), reprocess_behavior: 'failed' } });
      assert.equal(r.status, 200);
      await untilCompleted(r.body);
      const runs = await h.db.selectFrom('dag_run').select(['run_id', 'run_type', 'state', 'logical_date']).where('dag_id', '=', 'api_etl').where('logical_date', 'in', [day(6), day(7)]).orderBy('logical_date').execute();
      assert.deepEqual(runs.map((x) => [x.logical_date, x.run_type, x.state]), [[day(6), 'backfill', 'success'], [day(7), 'manual', 'success']]);
      assert.equal((await h.call('GET', '/api/v2/dags/api_etl')).body.is_paused, true);
    });
  });
}
