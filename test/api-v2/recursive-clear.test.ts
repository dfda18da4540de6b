/**
 * API v2 clearTaskInstances follows ExternalTaskMarkers as Airflow 3 does (always: the v2 body
 * has no option for it): the external task instances at the same logical date and their
 * downstream tasks are listed and cleared with the DAG's own, and the engine runs them again; a
 * chain deeper than the recursion depth is 400 with nothing changed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openV2Harness, type V2Harness } from './support/v2-harness.ts';

const MARKERS = readFileSync(new URL('../fixtures/marker-dags/markers.ts', import.meta.url), 'utf8');
const DAY = '2026-03-01T00:00:00Z';
type Ti = { dag_id: string; dag_run_id: string; task_id: string };
const keys = (body: { task_instances: Ti[] }) => body.task_instances.map((t) => `${t.dag_id}/${t.dag_run_id}/${t.task_id}`).sort();

for (const dialect of eachDialect()) {
  describe(`API v2 recursive clear on ${dialect.name}`, () => {
    let h: V2Harness;
    const run = async (dagId: string, runId: string) => {
      const r = await h.call('POST', `/api/v2/dags/${dagId}/dagRuns`, { body: { dag_run_id: runId, logical_date: DAY } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(await h.engine!.waitForRun(dagId, runId, 60_000), 'success');
    };
    const tries = async (dagId: string, runId: string) =>
      Object.fromEntries((await h.engine!.tis(dagId, runId)).map((t) => [t.task_id, `${t.state}:${t.try_number}`]));

    before(async () => {
      h = await openV2Harness(dialect, { engine: true, files: { 'markers.ts': MARKERS } });
      for (const [d, r] of [['mk_parent', 'p1'], ['mk_child', 'c1'], ['mk_deep', 'd1'], ['mk_deeper', 'e1']]) await run(d, r);
    });
    after(() => h?.close());

    test('a clear lists and clears the task instances the markers point at, and the engine runs them again', async () => {
      const body = { task_ids: ['mark_child'], dag_run_id: 'p1', only_failed: false };
      const preview = await h.call('POST', '/api/v2/dags/mk_parent/clearTaskInstances', { body });
      assert.equal(preview.status, 200);
      assert.deepEqual(keys(preview.body), ['mk_child/c1/load', 'mk_child/c1/wait', 'mk_parent/p1/mark_child']);
      assert.equal(preview.body.total_entries, 3);
      assert.deepEqual(await tries('mk_child', 'c1'), { before: 'success:1', load: 'success:1', wait: 'success:1' }, 'dry_run (the default) changes nothing');
      const done = await h.call('POST', '/api/v2/dags/mk_parent/clearTaskInstances', { body: { ...body, dry_run: false } });
      assert.equal(done.status, 200);
      assert.deepEqual(keys(done.body), keys(preview.body));
      await h.engine!.waitFor('the child tasks to rerun', async () => (await tries('mk_child', 'c1')).load === 'success:2');
      assert.deepEqual(await tries('mk_child', 'c1'), { before: 'success:1', load: 'success:2', wait: 'success:2' });
    });

    test('a chain of markers deeper than the recursion depth is 400 naming the chain, and nothing is cleared', async () => {
      const r = await h.call('POST', '/api/v2/dags/mk_deep/clearTaskInstances', { body: { dag_run_id: 'd1', only_failed: false, dry_run: false } });
      assert.equal(r.status, 400);
      assert.match(JSON.stringify(r.body), /mk_deep\.m \(run d1\) → mk_deeper\.m \(run e1\)/);
      assert.deepEqual(await tries('mk_deep', 'd1'), { m: 'success:1' });
    });
  });
}
