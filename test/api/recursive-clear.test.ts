/**
 * API v1 clearTaskInstances with `include_subdags` (Airflow 2): follows the ExternalTaskMarkers
 * among the cleared tasks to the task instances of other DAGs at the same logical date, which the
 * engine runs again; without it only the DAG itself is cleared; a chain deeper than the marker's
 * recursion depth is 400 naming the chain, with nothing changed. Clearing a whole run
 * (`POST …/dagRuns/{run}/clear`) always follows markers, as Airflow 2 does.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { eachDialect } from '../support/databases.ts';
import { openApiHarness, type ApiHarness } from './support/api-harness.ts';

const MARKERS = readFileSync(new URL('../fixtures/marker-dags/markers.ts', import.meta.url), 'utf8');
const DAY = '2026-03-01T00:00:00+00:00';
type Ref = { dag_id: string; dag_run_id: string; task_id: string };
const refs = (body: { task_instances: Ref[] }) => body.task_instances.map((t) => `${t.dag_id}/${t.dag_run_id}/${t.task_id}`).sort();

for (const dialect of eachDialect()) {
  describe(`API v1 recursive clear on ${dialect.name}`, () => {
    let h: ApiHarness;
    const run = async (dagId: string, runId: string) => {
      assert.equal((await h.call('POST', `/api/v1/dags/${dagId}/dagRuns`, { body: { dag_run_id: runId, logical_date: DAY } })).status, 200);
      assert.equal(await h.engine!.waitForRun(dagId, runId, 60_000), 'success');
    };
    const tries = async (dagId: string, runId: string) =>
      Object.fromEntries((await h.engine!.tis(dagId, runId)).map((t) => [t.task_id, `${t.state}:${t.try_number}`]));

    before(async () => {
      h = await openApiHarness(dialect, { engine: true, files: { 'markers.ts': MARKERS } });
      for (const [d, r] of [['mk_parent', 'p1'], ['mk_child', 'c1'], ['mk_deep', 'd1'], ['mk_deeper', 'e1']]) await run(d, r);
    });
    after(() => h?.close());

    const body = { task_ids: ['mark_child'], dag_run_id: 'p1', only_failed: false };

    test('include_subdags previews the external task instances a marker points at, with their downstream tasks; without it only the DAG itself', async () => {
      const preview = await h.call('POST', '/api/v1/dags/mk_parent/clearTaskInstances', { body: { ...body, include_subdags: true } });
      assert.equal(preview.status, 200);
      assert.deepEqual(refs(preview.body), ['mk_child/c1/load', 'mk_child/c1/wait', 'mk_parent/p1/mark_child']);
      const plain = await h.call('POST', '/api/v1/dags/mk_parent/clearTaskInstances', { body });
      assert.deepEqual(refs(plain.body), ['mk_parent/p1/mark_child']);
      assert.deepEqual(await tries('mk_child', 'c1'), { before: 'success:1', load: 'success:1', wait: 'success:1' }, 'a preview changes nothing');
    });

    test('include_subdags with dry_run false clears them across DAGs and the engine runs them again', async () => {
      const r = await h.call('POST', '/api/v1/dags/mk_parent/clearTaskInstances', { body: { ...body, include_subdags: true, dry_run: false } });
      assert.equal(r.status, 200);
      assert.deepEqual(refs(r.body), ['mk_child/c1/load', 'mk_child/c1/wait', 'mk_parent/p1/mark_child']);
      assert.equal(await h.engine!.waitForRun('mk_child', 'c1', 60_000), 'success');
      await h.engine!.waitFor('the child tasks to rerun', async () => (await tries('mk_child', 'c1')).load === 'success:2');
      assert.deepEqual(await tries('mk_child', 'c1'), { before: 'success:1', load: 'success:2', wait: 'success:2' });
    });

    test('a chain of markers deeper than the recursion depth is 400 naming the chain, and nothing is cleared', async () => {
      const r = await h.call('POST', '/api/v1/dags/mk_deep/clearTaskInstances', { body: { dag_run_id: 'd1', only_failed: false, include_subdags: true, dry_run: false } });
      assert.equal(r.status, 400);
      assert.match(r.body.detail, /recursion depth of 1 .*mk_deep\.m \(run d1\) → mk_deeper\.m \(run e1\)/);
      assert.deepEqual(await tries('mk_deep', 'd1'), { m: 'success:1' });
      assert.deepEqual(await tries('mk_deeper', 'e1'), { m: 'success:1' });
    });

    test("clearing a whole run follows its markers too: the preview lists the external task instances, and clearing reruns them", async () => {
      const preview = await h.call('POST', '/api/v1/dags/mk_parent/dagRuns/p1/clear', { body: { dry_run: true } });
      assert.equal(preview.status, 200);
      assert.deepEqual(refs(preview.body), ['mk_child/c1/load', 'mk_child/c1/wait', 'mk_parent/p1/extract', 'mk_parent/p1/mark_child']);
      assert.equal(preview.body.total_entries, 4);
      const before = await tries('mk_child', 'c1');
      const r = await h.call('POST', '/api/v1/dags/mk_parent/dagRuns/p1/clear', { body: { dry_run: false } });
      assert.equal(r.status, 200);
      assert.equal(r.body.dag_run_id, 'p1');
      assert.equal(await h.engine!.waitForRun('mk_parent', 'p1', 60_000), 'success');
      const next = (t: string) => `success:${Number(before[t]!.split(':')[1]) + 1}`;
      await h.engine!.waitFor('the child tasks to rerun', async () => (await tries('mk_child', 'c1')).load === next('load'));
      assert.deepEqual(await tries('mk_child', 'c1'), { before: before.before, load: next('load'), wait: next('wait') });
    });

    test('clearing a run whose markers chain deeper than the recursion depth is 400, and nothing is cleared', async () => {
      const r = await h.call('POST', '/api/v1/dags/mk_deep/dagRuns/d1/clear', { body: { dry_run: false } });
      assert.equal(r.status, 400);
      assert.match(r.body.detail, /recursion depth of 1/);
      assert.deepEqual(await tries('mk_deep', 'd1'), { m: 'success:1' });
    });
  });
}
