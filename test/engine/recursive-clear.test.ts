/**
 * Recursive clear across DAGs through the real engine: clearing a task follows the
 * ExternalTaskMarkers among the cleared tasks to the external task instance at the rendered
 * logical date, clears it with its downstream tasks (and the markers found there, in turn), and
 * the engine runs them again; a chain deeper than the recursion depth is refused with the chain
 * named and nothing changed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { clearAcrossDags, findTaskInstancesToClearAcrossDags, RecursiveClearError } from '../../src/scheduler/recursive-clear.ts';
import { exactTaskIds } from '../../src/api/actions/mark-tasks.ts';
import { eachDialect } from '../support/databases.ts';
import { startHarness, type EngineHarness } from '../support/engine-harness.ts';

const files = {
  'chain.ts': `
import { dag, EmptyOperator, ExternalTaskMarker } from 'baton';
export const parent = dag({ id: 'rc_parent', schedule: null }, () => {
  new EmptyOperator({ taskId: 'extract' }).then(new ExternalTaskMarker({ taskId: 'mark_child', externalDagId: 'rc_child', externalTaskId: 'wait' }));
});
export const child = dag({ id: 'rc_child', schedule: null }, () => {
  new EmptyOperator({ taskId: 'before' });
  new EmptyOperator({ taskId: 'wait' }).then(new EmptyOperator({ taskId: 'load' })).then(
    new ExternalTaskMarker({ taskId: 'mark_next_day', externalDagId: 'rc_grandchild', externalTaskId: 'report', logicalDate: '{{ macros.ds_add(ds, 1) }}' }));
});
export const grandchild = dag({ id: 'rc_grandchild', schedule: null }, () => {
  new EmptyOperator({ taskId: 'report' });
});`,
  'deep.ts': `
import { dag, EmptyOperator, ExternalTaskMarker } from 'baton';
export const a = dag({ id: 'deep_a', schedule: null }, () => {
  new ExternalTaskMarker({ taskId: 'm', externalDagId: 'deep_b', externalTaskId: 'm', recursionDepth: 1 });
});
export const b = dag({ id: 'deep_b', schedule: null }, () => {
  new ExternalTaskMarker({ taskId: 'm', externalDagId: 'deep_c', externalTaskId: 't' });
});
export const c = dag({ id: 'deep_c', schedule: null }, () => {
  new EmptyOperator({ taskId: 't' });
});`,
};

const DAY = new Date('2026-03-01T00:00:00Z');
const NEXT_DAY = new Date('2026-03-02T00:00:00Z');

for (const dialect of eachDialect()) {
  describe(`recursive clear across DAGs (${dialect.name})`, () => {
    let h: EngineHarness;
    const runs: Record<string, string> = {};
    const getDag = (id: string) => h.engine.scheduler!.cache.get(h.db, id);
    const finished = async (dagId: string, logicalDate: Date) => {
      const runId = await h.trigger(dagId, { logicalDate });
      assert.equal(await h.waitForRun(dagId, runId), 'success');
      return runId;
    };

    before(async () => {
      h = await startHarness(dialect, files);
      runs.parent = await finished('rc_parent', DAY);
      runs.child = await finished('rc_child', DAY);
      runs.grandchild = await finished('rc_grandchild', NEXT_DAY);
      runs.grandchildSameDay = await finished('rc_grandchild', DAY);
      for (const id of ['deep_a', 'deep_b', 'deep_c']) runs[id] = await finished(id, DAY);
    });
    after(() => h?.stop());

    test('clearing a marker clears the external task and its downstream tasks at the rendered logical date, recursively, and they run again', async () => {
      const dag = (await getDag('rc_parent'))!;
      const groups = await findTaskInstancesToClearAcrossDags(h.db, getDag, dag, { taskRegex: exactTaskIds(['mark_child']), runIds: [runs.parent] }, { recursive: true });
      assert.deepEqual(groups.map((g) => [g.dag.dagId, g.tis.map((t) => `${t.runId}/${t.taskId}`)]), [
        ['rc_parent', [`${runs.parent}/mark_child`]],
        ['rc_child', [`${runs.child}/load`, `${runs.child}/mark_next_day`, `${runs.child}/wait`]],
        ['rc_grandchild', [`${runs.grandchild}/report`]],
      ]);
      const result = await clearAcrossDags(h.db, groups, { xcomFolder: h.config.xcomFolder });
      assert.equal(result.cleared.length, 5);
      assert.deepEqual(result.requeuedRuns.map((r) => r.dagId).sort(), ['rc_child', 'rc_grandchild', 'rc_parent']);
      h.engine.scheduler!.poke();
      assert.equal(await h.waitForRun('rc_child', runs.child), 'success');
      assert.equal(await h.waitForRun('rc_grandchild', runs.grandchild), 'success');
      const child = Object.fromEntries((await h.tis('rc_child', runs.child)).map((t) => [t.task_id, t.try_number]));
      assert.deepEqual(child, { before: 1, load: 2, mark_next_day: 2, wait: 2 });
      assert.equal((await h.tis('rc_grandchild', runs.grandchildSameDay))[0].try_number, 1, 'the run at the other logical date is untouched');
    });

    test('without the recursive option only the DAG itself is cleared', async () => {
      const dag = (await getDag('rc_parent'))!;
      const groups = await findTaskInstancesToClearAcrossDags(h.db, getDag, dag, { taskRegex: exactTaskIds(['mark_child']), runIds: [runs.parent] }, { recursive: false });
      assert.deepEqual(groups.map((g) => g.dag.dagId), ['rc_parent']);
    });

    test('a chain of markers deeper than the recursion depth is refused, naming the chain, and nothing is cleared', async () => {
      const dag = (await getDag('deep_a'))!;
      await assert.rejects(
        findTaskInstancesToClearAcrossDags(h.db, getDag, dag, { runIds: [runs.deep_a] }, { recursive: true }),
        (e: Error) => e instanceof RecursiveClearError && e.message.includes('recursion depth of 1') && e.message.includes(`deep_a.m (run ${runs.deep_a}) → deep_b.m (run ${runs.deep_b})`),
      );
      for (const id of ['deep_a', 'deep_b', 'deep_c']) assert.deepEqual((await h.tis(id, runs[id])).map((t) => t.state), ['success']);
    });
  });
}
